/**
 * @fileoverview `npm run bench` (and `tinyedge bench`, which runs this file): tinyedge beside its peers on the same
 * model and input, in one run. Without --target: the f32 reference interpreter against TF.js cpu and wasm (f32.ts).
 * With --target host: tinyedge's int8 C build against onnxruntime-node on the same int8 model (host.ts); wasm32: the
 * WebAssembly build against TF.js wasm and onnxruntime-web (wasm32.ts); an Arm target: instructions counted under
 * qemu, optimized against reference kernels (emulated.ts). Failures end as the CLI's one error line and exit code.
 */
import { Command } from 'commander';
import { type BenchRequest, checkBenchRequest, floatInputOf, inputTensor } from '../../compiler/api/bench-request.ts';
import { TinyedgeError } from '../../compiler/errors.ts';
import { quantizeWithSamples } from '../../compiler/index.ts';
import { reportFailure } from '../../compiler/terminal/failure.ts';
import { DEFAULT_MODEL, PACKAGED_MODELS } from '../../models/registry.ts';
import { loadTarget } from '../../targets/target.ts';
import { formatEmulatedBench } from './emulated.ts';
import { benchModelEmulated } from './emulated-model.ts';
import { formatXnnpackCount } from './emulated-xnnpack.ts';
import { benchF32, formatF32Bench } from './f32.ts';
import { benchHost, formatHostBench } from './host.ts';
import { benchInt4Layers, formatInt4Bench } from './int4-layers.ts';
import { benchPatches, formatPatchBench, PATCH_BENCH_MODELS } from './patches.ts';
import { skippedLines, tfjsTwinOf } from './peers.ts';
import { benchPrecision, formatPrecisionBench, PRECISION_BENCH_MODELS } from './precision.ts';
import { benchSuite, DEFAULT_MODELS_DIR, formatSuite } from './suite.ts';
import { benchWasm, formatWasmBench } from './wasm32.ts';
import { benchWasmInBrowser, formatBrowserBench } from './wasm32-browser.ts';

interface BenchOptions {
  model: string;
  runs: string;
  warmup: string;
  image?: string;
  audio?: string;
  input?: string;
  target?: string;
  threads?: string;
  browser?: boolean;
  artifact?: string;
  suite?: string;
  modelsDir?: string;
  models?: string;
  json?: boolean;
  debug?: boolean;
}

const options = new Command('bench')
  .description('tinyedge and its peers on the same model and input, medians of interleaved runs')
  .option('--model <name>', 'a packaged model name, a builder, or a path to a model file or artifact', DEFAULT_MODEL)
  .option('--runs <n>', 'timed runs per contender (--target host and wasm32: at least 20)', '15')
  .option('--warmup <n>', 'without --target: untimed runs first', '2')
  .option(
    '--input <file>',
    'with --target: a raw tensor, FILE.i8 / FILE.u8 fed as it is or FILE.f32 (default for a model without an image input: a seeded tensor)',
  )
  .option(
    '--audio <file>',
    'with an Arm --target and an audio model: a WAV clip (default: a bundled synthetic PCG with a murmur)',
  )
  .option('--image <file>', 'input photo (default: a bundled one)')
  .option(
    '--target <name>',
    "host: tinyedge's C build vs onnxruntime-node; wasm32: tinyedge's WebAssembly vs TF.js wasm and onnxruntime-web; an Arm target: instructions per layer under qemu, optimized vs reference kernels",
  )
  .option('--threads <n>', 'with --target host: tinyedge and onnxruntime-node on 1 and on this many threads')
  .option(
    '--browser',
    "with --target wasm32: in headless Chromium beside TFLite-web's int8 WebAssembly (1 and 2 threads), TF.js wasm and onnxruntime-web, one page",
  )
  .option('--artifact <file>', 'the same as --model with a path (kept for older scripts)')
  .option(
    '--suite <name>',
    'mlperf-tiny, with --target cortex-m4, cortex-m7 or cortex-m55: every model of the suite, one table; patches (same targets): peak arena layer-wise, in place and as the memory search of compile chooses it (patches within 10% extra MACs), extra MACs and instructions (--models: model names or paths); precision (same targets): all-int8, all-16x8 and --precision auto at the int8 and 0.65× weight budgets, output SQNR, weights and instructions, and whether the goal of issue 24 holds (--models: model names); int4-weights (an Arm target): pointwise and fully connected layers with int8 and int4 weights, instructions and weight bytes',
  )
  .option('--models-dir <dir>', "with --suite: the folder holding MLPerf Tiny's .tflite files", DEFAULT_MODELS_DIR)
  .option('--models <names>', 'with --suite: only these models, comma-separated (vww, kws, ic, ad, person_detect)')
  .option('--json', 'print one JSON object')
  .option('--debug', 'show stack traces of errors')
  .parse(process.argv)
  .opts<BenchOptions>();

/** Progress on stderr, silent for --json. */
const log = (s: string) => {
  if (!options.json) process.stderr.write(`${s}\n`);
};

/** Prints the result as JSON or as its header line and table. */
function print(json: object, header: string, table: string): void {
  process.stdout.write(options.json ? `${JSON.stringify(json)}\n` : `${header}\n${table}\n`);
}

/** The f32 interpreter beside TF.js on a packaged model (checkBenchRequest refuses any other without --target). */
async function benchWithoutTarget(request: BenchRequest): Promise<number> {
  if (!/^\s*\d+\s*$/.test(options.warmup))
    throw new TinyedgeError('TE601', `--warmup must be a whole number, got '${options.warmup}'`);
  const warmup = Number(options.warmup);
  const x = floatInputOf(request.input, inputTensor(request.model));
  const result = await benchF32(
    request.model.graph,
    x,
    PACKAGED_MODELS[request.spec]!.tfjs(),
    request.runs,
    warmup,
    log,
  );
  const info = { model: request.spec, input: request.input.label, node: process.version };
  print(
    { ...info, ...result },
    `model ${request.spec}, input ${request.input.label}, ${request.runs} timed runs after ${warmup} warm-up, interleaved; Node ${process.version}; wasm SIMD ${result.wasmSimd}`,
    formatF32Bench(result),
  );
  return 0;
}

/** Instructions counted under qemu, optimized against reference kernels; exit 1 when the two disagree. */
async function benchOnArm(request: BenchRequest, targetName: string): Promise<number> {
  const { spec, input } = request;
  const target = loadTarget(targetName);
  const { result, tflm, inputDtype, xnnpack, skipped } = await benchModelEmulated(request, target, log);
  print(
    {
      model: spec,
      input: input.label,
      inputKind: input.kind,
      ...result,
      ...(tflm ? { tflm } : {}),
      ...(xnnpack ? { xnnpack } : {}),
      skipped,
    },
    `model ${spec} (${inputDtype === 'int16' ? '16×8' : 'int8'}) on ${target.name}, input ${input.label}`,
    [
      formatEmulatedBench(result, tflm),
      ...(xnnpack ? formatXnnpackCount(xnnpack, result) : []),
      ...skippedLines(skipped),
    ].join('\n'),
  );
  return result.sameOutput ? 0 : 1;
}

/** Wall time beside the peers in this process: host (C vs onnxruntime-node) or wasm32 (WebAssembly vs TF.js and onnxruntime-web). */
async function benchWithPeers(request: BenchRequest, target: 'host' | 'wasm32'): Promise<number> {
  const { spec, input } = request;
  const model = await quantizeWithSamples(request.model);
  const x = floatInputOf(input, inputTensor(model));
  const info = { target, model: spec, input: input.label, inputKind: input.kind, node: process.version };
  if (target === 'wasm32' && options.browser) {
    const result = await benchWasmInBrowser(
      model.graph,
      x,
      () => tfjsTwinOf(model),
      request.runs,
      log,
      model.graph.detection ? model.graph.outputs : undefined,
    );
    print(
      { ...info, ...result },
      `model ${spec} (int8), input ${input.label}, headless Chromium ${result.browser}`,
      formatBrowserBench(result, request.runs),
    );
    return 0;
  }
  if (target === 'wasm32') {
    const runs = Math.max(20, request.runs);
    const result = await benchWasm(
      model.graph,
      x,
      () => tfjsTwinOf(model),
      runs,
      log,
      model.graph.detection ? model.graph.outputs : undefined,
    );
    print(
      { ...info, ...result },
      `model ${spec} (int8), input ${input.label}, Node ${process.version}`,
      formatWasmBench(result, runs),
    );
    return 0;
  }
  const perRound = 5;
  const rounds = Math.max(4, Math.ceil(request.runs / perRound)); // at least 20 timed runs each
  const result = await benchHost(model.graph, x, rounds, perRound, log, request.threads);
  print(
    { ...info, ...result },
    `model ${spec} (int8), input ${input.label}, Node ${process.version}`,
    formatHostBench(result, rounds * perRound),
  );
  return 0;
}

/** The MLPerf Tiny suite on one target: one table; exit 1 when a model's two builds disagree. */
async function benchMlperfSuite(suite: string): Promise<number> {
  const result = await benchSuite({ ...options, suite }, log);
  process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : `${formatSuite(result)}\n`);
  return result.models.every((m) => m.sameOutput) ? 0 : 1;
}

/** Mixed precision per model on one emulated target (issue 24): one table and the goal; exit 1 when it does not hold. */
async function benchPrecisionSuite(): Promise<number> {
  const target = loadTarget(options.target ?? 'cortex-m4');
  const results = await benchPrecision(options.models?.split(',') ?? PRECISION_BENCH_MODELS, target, log);
  process.stdout.write(
    options.json ? `${JSON.stringify(results)}\n` : `${formatPrecisionBench(results, target.name)}\n`,
  );
  return results.every((r) => r.goal.holds) ? 0 : 1;
}

/** Patch-based execution per model on one emulated target: one table; exit 1 when a patched build's output differs. */
async function benchPatchSuite(): Promise<number> {
  const target = loadTarget(options.target ?? 'cortex-m4');
  const rows = await benchPatches(options.models?.split(',') ?? PATCH_BENCH_MODELS, target, log);
  process.stdout.write(options.json ? `${JSON.stringify(rows)}\n` : `${formatPatchBench(rows, target.name)}\n`);
  return rows.every((r) => r.inArena.sameOutput && r.callerInput.sameOutput) ? 0 : 1;
}

/** Int4 against int8 weights per layer on one emulated target: one table; exit 1 when a build differs from the reference. */
function benchInt4Suite(): number {
  const target = loadTarget(options.target ?? 'cortex-m4');
  const rows = benchInt4Layers(target, log);
  process.stdout.write(options.json ? `${JSON.stringify(rows)}\n` : `${formatInt4Bench(rows, target.name)}\n`);
  return rows.every((r) => r.sameAsReference) ? 0 : 1;
}

async function main(): Promise<number> {
  if (options.suite === 'int4-weights') return benchInt4Suite();
  if (options.suite === 'patches') return benchPatchSuite();
  if (options.suite === 'precision') return benchPrecisionSuite();
  if (options.suite !== undefined) return benchMlperfSuite(options.suite);
  const request = await checkBenchRequest({ ...options, model: options.artifact ?? options.model });
  if (request.target === undefined) return benchWithoutTarget(request);
  if (request.target === 'host' || request.target === 'wasm32') return benchWithPeers(request, request.target);
  return benchOnArm(request, request.target);
}

try {
  process.exit(await main());
} catch (e) {
  process.exit(reportFailure(e, !!options.debug));
}
