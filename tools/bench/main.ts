/**
 * @fileoverview `npm run bench`: tinyedge beside its peers on the same model and input, in one run, as medians of
 * interleaved runs (each round runs every contender once, so drift in machine load hits all alike) and ratios.
 * Without --target: the f32 reference interpreter, TF.js cpu and TF.js wasm (XNNPACK, SIMD, one thread in Node).
 * With --target host: tinyedge's int8 C build against onnxruntime-node on the same int8 model (see host.ts); wasm32:
 * the WebAssembly build against TF.js wasm and onnxruntime-web (wasm32.ts); an Arm target: instructions counted
 * under qemu, optimized against reference kernels (emulated.ts).
 */
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODEL, MCU_MODEL, PACKAGED_MODELS } from '../../models/registry.ts';
import { loadTarget } from '../../targets/target.ts';
import { activationType, quantizeForTensor } from '../../compiler/quantize/prepare/quant-params.ts';
import { benchEmulated, formatEmulatedBench } from './emulated.ts';
import { imageToInput } from '../../models/image-input.ts';
import { prepareModel } from '../../compiler/cli/prepare-model.ts';
import { runF32 } from '../../compiler/reference/f32/interpreter.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { table } from '../../compiler/cli/format.ts';
import { loadTfjsModel, useTfjsBackend, TfjsModel } from '../peers/tfjs.ts';
import { exitOnTinyedgeError } from '../peers/optional-package.ts';
import { mad, median } from './stats.ts';
import { benchHost, formatHostBench } from './host.ts';
import { benchWasm, formatWasmBench } from './wasm32.ts';
import { quantizeWithSamples } from '../../compiler/cli/quantize.ts';
import { readRawInput } from '../../compiler/cli/predict.ts';
import { tflmFiguresOf } from './tflm-figures.ts';
import { readWavClip } from '../../compiler/reference/audio/read-wav.ts';
import { cwtFrontEndOf } from '../../compiler/audio/cwt-front-end.ts';

// A missing optional peer (or any user error) is one line, as in the CLI.
exitOnTinyedgeError();

interface Contender {
  name: string;
  /** Prepares (selects backend, warms up) and returns the function to time. */
  setup(): Promise<() => Float32Array>;
}

const options = new Command('bench')
  .description('tinyedge and its peers on the same model and input, medians of interleaved runs')
  .option('--model <name>', 'nsfwjs:mobilenet_v2_mid or nsfwjs:mobilenet_v2', DEFAULT_MODEL)
  .option('--runs <n>', 'timed runs per contender (--target host: at least 20, in blocks of 5)', (v) => Number.parseInt(v, 10), 15)
  .option('--warmup <n>', 'untimed runs first', (v) => Number.parseInt(v, 10), 2)
  .option('--input <file>', 'with an emulated --target: a raw FILE.i8 / FILE.u8 input fed as it is (instead of --image)')
  .option('--audio <file>', 'with an emulated --target and an audio model: a WAV clip (default: a bundled synthetic PCG with a murmur)', join(fileURLToPath(new URL('../../models/samples/audio/pcg-murmur-1.wav', import.meta.url))))
  .option('--image <file>', 'input photo', join(fileURLToPath(new URL('../../models/samples/coffee.png', import.meta.url))))
  .option('--target <name>', "host: tinyedge's C build vs onnxruntime-node; wasm32: tinyedge's WebAssembly vs TF.js wasm and onnxruntime-web; an Arm target: instructions per layer under qemu, optimized vs reference kernels")
  .option('--artifact <file>', 'with --target: an int8 artifact to use instead of quantizing the model with the samples')
  .option('--json', 'print one JSON object')
  .parse(process.argv)
  .opts<{ model: string; runs: number; warmup: number; image: string; audio: string; input?: string; target?: string; artifact?: string; json?: boolean }>();

if (options.target !== undefined && options.target !== 'host' && options.target !== 'wasm32') {
  // An emulated target: instructions counted under qemu. Microcontrollers default to the MCU-sized builder.
  const target = loadTarget(options.target);
  const spec = options.artifact ?? (options.model === DEFAULT_MODEL && target.memory?.flashBytes ? MCU_MODEL : options.model);
  const loaded = prepareModel(spec, { quiet: true });
  await quantizeWithSamples(loaded, true);
  const input = tensorOf(loaded.graph, loaded.graph.inputs[0]);
  // An audio model runs its CWT front end on the target too: the input is the clip's PCM.
  const front = loaded.audio ? cwtFrontEndOf(loaded.graph, loaded.audio) : undefined;
  const x = loaded.audio
    ? readWavClip(options.audio, loaded.audio)
    : options.input
      ? readRawInput(options.input, { name: input.name, shape: input.shape, dtype: activationType(input.dtype) })
      : quantizeForTensor(await imageToInput(options.image, input.shape, loaded.preprocessing), input);
  const result = benchEmulated(loaded.graph, x, target, (s) => options.json || process.stderr.write(`${s}\n`), front);
  const tflm = tflmFiguresOf(spec);
  const inputName = loaded.audio ? options.audio : (options.input ?? options.image);
  if (options.json) process.stdout.write(`${JSON.stringify({ model: spec, input: inputName, ...result, ...(tflm ? { tflm } : {}) })}\n`);
  else process.stdout.write(`model ${spec} (${input.dtype === 'int16' ? '16×8' : 'int8'}) on ${target.name}, input ${inputName}\n${formatEmulatedBench(result, tflm)}\n`);
  process.exit(result.sameOutput ? 0 : 1);
}

if (options.target !== undefined) {
  const loaded = prepareModel(options.artifact ?? options.model, { quiet: true });
  if (loaded.audio) {
    // The peers run the same int8 model as ONNX on an image input; an audio net (CWT in front, a transposed conv) has neither.
    process.stderr.write(`tinyedge: error: ${loaded.spec}: is an audio model: bench counts its instructions (CWT and layers) on an Arm target, e.g. --target cortex-m4; the ${options.target} peers take images\n`);
    process.exit(2);
  }
  await quantizeWithSamples(loaded, true);
  const xin = await imageToInput(options.image, tensorOf(loaded.graph, loaded.graph.inputs[0]).shape, loaded.preprocessing);
  const log = (s: string) => options.json || process.stderr.write(`${s}\n`);
  if (options.target === 'wasm32') {
    if (!PACKAGED_MODELS[options.model]) {
      process.stderr.write(`tinyedge: error: bench --target wasm32 runs TF.js on the packaged model beside tinyedge: give one of ${Object.keys(PACKAGED_MODELS).join(', ')}\n`);
      process.exit(2);
    }
    const runs = Math.max(20, options.runs);
    const result = await benchWasm(loaded.graph, xin, PACKAGED_MODELS[options.model].tfjs(), runs, log, loaded.graph.detection ? loaded.graph.outputs : undefined);
    if (options.json) process.stdout.write(`${JSON.stringify({ target: 'wasm32', model: options.artifact ?? options.model, image: options.image, node: process.version, ...result })}\n`);
    else process.stdout.write(`model ${options.artifact ?? options.model} (int8; TF.js runs ${options.model} in f32), input ${options.image}, Node ${process.version}\n${formatWasmBench(result, runs)}\n`);
    process.exit(0);
  }
  const perRound = 5;
  const rounds = Math.max(4, Math.ceil(options.runs / perRound)); // at least 20 timed runs each
  const result = await benchHost(loaded.graph, xin, rounds, perRound, log);
  if (options.json) process.stdout.write(`${JSON.stringify({ target: 'host', model: options.artifact ?? options.model, image: options.image, node: process.version, ...result })}\n`);
  else process.stdout.write(`model ${options.artifact ?? options.model} (int8), input ${options.image}, Node ${process.version}\n${formatHostBench(result, rounds * perRound)}\n`);
  process.exit(0);
}

if (!PACKAGED_MODELS[options.model]) throw new Error(`bench runs the packaged models: ${Object.keys(PACKAGED_MODELS).join(', ')}`);
const model = prepareModel(options.model, { quiet: true });
const g = model.graph;
const shape = tensorOf(g, g.inputs[0]).shape;
const x = await imageToInput(options.image, shape, model.preprocessing);
const artifacts = PACKAGED_MODELS[options.model].tfjs();

const tfjsContender = (backend: 'cpu' | 'wasm'): Contender => {
  let m: TfjsModel | undefined;
  return {
    name: backend === 'cpu' ? 'TF.js cpu (f32, JS)' : 'TF.js wasm (f32, XNNPACK SIMD, 1 thread)',
    async setup() {
      await useTfjsBackend(backend);
      m ??= await loadTfjsModel(artifacts);
      const model = m;
      return () => model.predict(x, shape);
    },
  };
};

const contenders: Contender[] = [
  { name: 'tinyedge f32 reference interpreter', setup: async () => () => runF32(g, { [g.inputs[0]]: x }).get(g.outputs[0]) as Float32Array },
  tfjsContender('cpu'),
  tfjsContender('wasm'),
];

const times = contenders.map(() => [] as number[]);
const outputs: Float32Array[] = [];
for (let round = -options.warmup; round < options.runs; round++) {
  for (const [i, c] of contenders.entries()) {
    const run = await c.setup();
    const t0 = performance.now();
    const y = run();
    const dt = performance.now() - t0;
    if (round >= 0) times[i].push(dt);
    outputs[i] = y;
  }
  if (!options.json && round >= 0) process.stderr.write(`\rround ${round + 1}/${options.runs}`);
}
if (!options.json) process.stderr.write('\n');

const medians = times.map(median);
const cpu = medians[1];
const wasm = medians[2];
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const rows = contenders.map((c, i) => ({
  runtime: c.name,
  medianMs: Number(medians[i].toFixed(2)),
  madMs: Number(mad(times[i]).toFixed(2)),
  vsTfjsCpu: Number((medians[i] / cpu).toFixed(3)),
  vsTfjsWasm: Number((medians[i] / wasm).toFixed(3)),
  maxAbsDiffVsTfjsCpu: maxDiff(outputs[i], outputs[1]),
}));
const info = { model: options.model, runs: options.runs, warmup: options.warmup, image: options.image, node: process.version, wasmSimd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT') };

if (options.json) {
  process.stdout.write(`${JSON.stringify({ ...info, rows })}\n`);
} else {
  process.stdout.write(
    [
      `model ${options.model}, input ${options.image}, ${options.runs} timed runs after ${options.warmup} warm-up, interleaved; Node ${process.version}; wasm SIMD ${info.wasmSimd}`,
      table(
        ['runtime', 'median ms', '± MAD', '× TF.js cpu', '× TF.js wasm', 'max |Δ| vs TF.js cpu'],
        rows.map((r) => [r.runtime, r.medianMs.toFixed(1), r.madMs.toFixed(1), r.vsTfjsCpu.toFixed(2), r.vsTfjsWasm.toFixed(2), r.maxAbsDiffVsTfjsCpu.toExponential(1)]),
        [1, 2, 3, 4, 5],
      ),
      '× < 1 is faster than that peer. The f32 interpreter is the oracle of the int8 backends, not the product.',
    ].join('\n') + '\n',
  );
}
