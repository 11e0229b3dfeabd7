/** @fileoverview The `tinyedge` command line (commander): subcommands, and the one place errors become exit codes. */

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_MODEL, MCU_MODEL, PACKAGED_MODELS, SAMPLES_DIR } from '../../models/registry.ts';
import { targetNames } from '../../targets/target.ts';
import type { DemoFlags, PlanFlags } from '../api/offload-flags.ts';
import { isKerasH5Path, readyKerasH5Reader } from '../frontends/keras-h5/import.ts';
import { DEFAULT_MIN_SCORE } from '../ir/detection.ts';
import { CALIBRATION_METHODS } from '../quantize/calibrate.ts';
import { exitWithFailure, withCode } from '../terminal/failure.ts';
import { type BenchOptions, benchCommand } from './bench.ts';
import { compileCommand } from './compile.ts';
import { exportCommand } from './export.ts';
import { inspectCommand } from './inspect.ts';
import { offloadRunCommand } from './offload-run.ts';
import { SERVE_DEFAULTS, serveCommand } from './offload-serve.ts';
import { predictCommand } from './predict.ts';
import { quantizeCommand } from './quantize.ts';
import { type ReportOptions, reportCommand } from './report.ts';
import { runCommand } from './run.ts';
import { runTool } from './run-tool.ts';

/** The photo the offload tools feed by default. */
const SAMPLE_PHOTO = resolve(SAMPLES_DIR, 'coffee.png');

/** What predict and run print for a detector: the drawn photo, the score threshold, and JSON. */
function withDetectorOutputs(command: Command): Command {
  return command
    .option('--draw <file.png>', 'detectors: also write the photo with the boxes drawn')
    .option(
      '--min-score <p>',
      'detectors: show detections scoring at least this (the model keeps up to its maximum above its own threshold)',
      String(DEFAULT_MIN_SCORE),
    )
    .option('--force', 'replace the --draw file if it exists')
    .option('--json', 'print one JSON object on stdout');
}

const program = new Command('tinyedge')
  .description('Compile mobile CNNs to int8 WebAssembly and C99 for browsers, Raspberry Pi, Android and Cortex-M.')
  .option('--debug', 'show stack traces of errors')
  .addHelpText(
    'after',
    `\nModels: ${Object.entries(PACKAGED_MODELS)
      .map(([k, v]) => `\n  ${k.padEnd(26)}${v.description}${k === DEFAULT_MODEL ? ' (default)' : ''}`)
      .join('')}\n  path/to/model.json        any TF.js graph or layers model on disk`,
  )
  .exitOverride()
  // Commander's usage errors ("error: unknown option '--bogus'" and a "Did you mean" line) as the one error line.
  .configureOutput({
    outputError: (message, write) => write(`tinyedge: ${withCode(message.trim().split('\n').join(' '), 'TE602')}\n`),
  });

program
  .command('inspect')
  .description('per-node table: op, output shape, MACs, parameters, activation bytes; and totals')
  .argument('[model]', 'model name or path', DEFAULT_MODEL)
  .option('--json', 'print one JSON object on stdout')
  .option('--raw', 'show the graph as imported, before the passes')
  .option(
    '--outputs <nodes>',
    'TF.js graph models: cut after these nodes (comma-separated TF names); they become the outputs',
  )
  .addOption(
    new Option(
      '--target <name>',
      'also the arena on this target: quantized with the bundled photos, planned layer-wise, in place and (when nothing else fits its RAM) in patches, with lower bounds',
    ).choices(targetNames()),
  )
  .option('--budget-ram <bytes>', "with --target: the RAM to fit instead of the target profile's")
  .option(
    '--caller-input',
    "with --target: plan as compile --caller-input does (the input in the caller's buffer, outside the arena)",
  )
  .option(
    '--no-count-instructions',
    'with an emulated --target (Arm Linux, Cortex-M): skip counting the layer-wise and chosen builds under qemu',
  )
  .action((model: string, opts: Parameters<typeof inspectCommand>[1]) => inspectCommand(model, opts));

withDetectorOutputs(
  program
    .command('predict')
    .description('run one inference with the f32 or int8 reference interpreter and print top-5, latency and memory')
    .argument('[model]', 'model name or path', DEFAULT_MODEL)
    .option('--image <file>', 'a photo: decoded, resized and normalized as the model expects')
    .option(
      '--input <file>',
      'raw tensor in the input shape (NHWC): FILE.f32 little-endian float32, FILE.i8 / FILE.u8 bytes fed as they are to an int8 model, or FILE.i16 (little-endian) to a 16×8 one',
    )
    .option(
      '--audio <file>',
      "audio models (builder:funnelnet): a WAV clip, 16-bit PCM mono at the model's rate (f32: the float CWT; int8: the fixed-point one the targets run)",
    )
    .option(
      '--outputs <nodes>',
      'TF.js graph models: cut after these nodes (comma-separated TF names); they become the outputs',
    )
    .addOption(
      new Option(
        '--precision <p>',
        'interpreter: f32, or int8 / int16 (16×8) (an artifact runs as quantized; a float model is quantized with the samples)',
      ).choices(['f32', 'int8', 'int16']),
    ),
).action((model: string, opts: Parameters<typeof predictCommand>[1]) => predictCommand(model, opts));

program
  .command('quantize')
  .description('calibrate on photos, quantize to int8 (TFLite spec), write an artifact and report per-layer SQNR')
  .argument('[model]', 'model name or path', DEFAULT_MODEL)
  .option('--calibrate <paths...>', 'photos or folders of photos to calibrate on (default: the bundled samples)')
  .addOption(
    new Option('--method <m>', 'how activation ranges are chosen').choices([...CALIBRATION_METHODS]).default('minmax'),
  )
  .option('--augment <n>', 'seeded augmentations (crop, flip, brightness) per photo for calibration', '4')
  .option('--eval-augment <n>', 'held-out augmentations per photo for the report', '2')
  .option('--no-bias-correction', 'keep the biases as quantized (no per-channel error correction)')
  .addOption(
    new Option(
      '--activations <type>',
      "int8, or int16 for TFLite's 16×8 mode (int16 activations, int8 weights, int64 biases: finer, twice the RAM)",
    )
      .choices(['int8', 'int16'])
      .default('int8'),
  )
  .option(
    '--precision <list|auto>',
    'per layer: layer=int8|16x8|int4w,… (names as `inspect` prints them; int4w: 4-bit weights, int8 activations; layers not named stay int8), or auto: chosen by measured sensitivity within the budgets',
  )
  .addOption(
    new Option('--target <name>', "--precision auto: its part's flash and RAM are the budgets").choices(targetNames()),
  )
  .option('--budget-flash <bytes>', '--precision auto: most bytes of weights and biases (e.g. 1M)')
  .option('--budget-ram <bytes>', "--precision auto: most bytes of the largest layer's activations")
  .option('--max-cost <x>', '--precision auto: most instructions as a multiple of all-int8 (default 1.15)')
  .option('--min-sqnr <dB>', '--precision auto: least predicted output SQNR')
  .requiredOption('--out <file>', 'the artifact to write')
  .option(
    '--outputs <nodes>',
    'TF.js graph models: cut after these nodes (comma-separated TF names); they become the outputs',
  )
  .option('--json', 'print one JSON object on stdout')
  .action((model: string, opts: Parameters<typeof quantizeCommand>[1]) => quantizeCommand(model, opts));

program
  .command('export')
  .description(
    'write an int8 artifact in another format (onnx: QLinearConv and friends, runs in ONNX Runtime; tflite: for TFLite Micro)',
  )
  .argument('<artifact>', 'a file written by `tinyedge quantize`')
  .addOption(new Option('--format <f>', 'output format').choices(['onnx', 'tflite']).makeOptionMandatory())
  .requiredOption('--out <file>', 'the file to write')
  .option('--force', 'replace --out if it exists')
  .action((artifact: string, opts: Parameters<typeof exportCommand>[1]) => exportCommand(artifact, opts));

program
  .command('compile')
  .description(
    'compile to C99 for a target: planned arena, const weights, kernels, Makefile and CMakeLists.txt; builds it',
  )
  .argument(
    '[model]',
    'model name, path or int8 artifact (a float model is quantized with the bundled photos)',
    DEFAULT_MODEL,
  )
  .addOption(new Option('--target <name>', 'where it runs').choices(targetNames()).makeOptionMandatory())
  .requiredOption('--out <dir>', 'the folder to write (new, empty, or an earlier output with --force)')
  .addOption(
    new Option('--activations <type>', 'when a float model is quantized here: int8, or int16 (16×8)')
      .choices(['int8', 'int16'])
      .default('int8'),
  )
  .option(
    '--precision <list|auto>',
    "when a float model is quantized here: per layer, layer=int8|16x8|int4w,…, or auto (within the target's or the given budgets)",
  )
  .option('--max-cost <x>', '--precision auto: most instructions as a multiple of all-int8 (default 1.15)')
  .option('--min-sqnr <dB>', '--precision auto: least predicted output SQNR')
  .option(
    '--budget-ram <bytes>',
    "the RAM to fit (e.g. 262144, 256k, 2M; default: the target's): the cheapest arena configuration that fits is built (layer-wise, in place, else the first layers in patches), else refused with the best one's overshoot",
  )
  .option(
    '--patches <RxC@layer>',
    'C targets: auto (the default: patches only when nothing else fits the RAM budget, the cheapest that fits), or RxC@layer: the layers up to this one (node index or name) in an R×C grid of patches (e.g. 4x4@12)',
  )
  .option(
    '--caller-input',
    "C targets, one thread: the input stays in the caller's buffer (e.g. a camera's DMA frame), read in place by model_run_input, not in the arena (which --budget-ram then counts without it)",
  )
  .option('--budget-flash <bytes>', 'refuse if weights and code need more flash')
  .option(
    '--outputs <nodes>',
    'TF.js graph models: cut after these nodes (comma-separated TF names); they become the outputs',
  )
  .option(
    '--cut <id>',
    "split offload: the device's side of the model split at this cut (head, fallback tail and client; ids from `offload plan`)",
  )
  .option(
    '--threads <n>',
    'threads the model may use (hosted C targets: a pthread pool; wasm32: workers sharing its memory; 1: none)',
    '1',
  )
  .option(
    '--no-in-place',
    'C targets: keep the layer-wise arena (by default convolutions run in place through a ring of output rows where that lowers the peak)',
  )
  .option(
    '--no-count-instructions',
    'emulated targets (Arm Linux, Cortex-M): skip counting the layer-wise and built plans under qemu (seconds to a minute)',
  )
  .option('--force', 'replace an earlier tinyedge output in --out (never other files)')
  .option('--json', 'print one JSON object on stdout')
  .action((model: string, opts: Parameters<typeof compileCommand>[1]) => compileCommand(model, opts));

withDetectorOutputs(
  program
    .command('run')
    .description('build a compiled folder if needed, run it on its target, print top-5, latency and memory')
    .argument('<dir>', 'a folder written by `tinyedge compile`')
    .option('--image <file>', 'a photo: decoded, resized, normalized and quantized as the model expects')
    .option(
      '--input <file>',
      'raw tensor in the input shape (NHWC): FILE.f32 float32 (quantized here), FILE.i8 / FILE.u8 bytes fed as they are, or FILE.i16 to a 16×8 model',
    )
    .option(
      '--audio <file>',
      "audio models (builder:funnelnet): a WAV clip, 16-bit PCM mono at the model's rate; the CWT runs on the target",
    )
    .option('--runs <n>', 'run this many times and report the median latency', '1')
    .option('--threads <n>', 'a model compiled with --threads: run on this many (default: all it was compiled for)'),
).action((dir: string, opts: Parameters<typeof runCommand>[1]) => runCommand(dir, opts));

program
  .command('bench')
  .description('tinyedge beside its peers on the same model and input, in one run (medians, ratios); see tools/bench')
  .argument('[model]', 'a packaged model name, or an int8 artifact with --target', DEFAULT_MODEL)
  .addOption(
    new Option(
      '--target <name>',
      'host: C vs onnxruntime-node; wasm32: WebAssembly vs TF.js wasm and onnxruntime-web; an Arm target: instructions per layer under qemu (optimized vs reference kernels); none: the f32 interpreter vs TF.js',
    ).choices(targetNames()),
  )
  .option('--runs <n>', 'timed runs per contender', '20')
  .option('--threads <n>', 'with --target host: tinyedge on 1 and on this many threads (and onnxruntime-node likewise)')
  .option(
    '--browser',
    "with --target wasm32: in headless Chromium (/usr/bin/chromium) beside TFLite-web's int8 WebAssembly (1 and 2 threads), TF.js wasm and onnxruntime-web, one page; TFLite-web's output bytes compared with ours",
  )
  .option('--image <file>', 'the input photo (default: a bundled one)')
  .option(
    '--input <file>',
    'with --target: a raw tensor in the input shape, FILE.i8 / FILE.u8 bytes fed as they are (e.g. models/tflm/person.u8) or FILE.f32 (default for a model without an image input: a seeded tensor)',
  )
  .option(
    '--audio <file>',
    'with an Arm --target and an audio model (builder:funnelnet): the WAV clip (default: a bundled one); the CWT is counted as its own line',
  )
  .option(
    '--suite <name>',
    "mlperf-tiny with --target cortex-m4, cortex-m7 or cortex-m55: MLPerf Tiny's four models and person_detect in one table, beside TFLM + CMSIS-NN and the best published results; int4-weights with an Arm --target: layers with int8 and int4 weights, instructions and weight bytes (see docs/benchmarks.md)",
  )
  .option(
    '--models-dir <dir>',
    "with --suite: the folder holding MLPerf Tiny's .tflite files (default: models/mlperf-tiny)",
  )
  .option('--models <names>', 'with --suite: only these models, comma-separated (vww, kws, ic, ad, person_detect)')
  .option('--json', 'print one JSON object on stdout')
  .action((model: string, opts: BenchOptions) => benchCommand(model, opts, process.argv.includes('--debug')));

program
  .command('report')
  .description(
    'one self-contained HTML page of a model on a target: summary, layers, per-layer cost, quantization error, the arena over time, the split curve',
  )
  .argument('[model]', 'model name, path, int8 artifact, or a folder written by `tinyedge compile`', DEFAULT_MODEL)
  .addOption(
    new Option(
      '--target <name>',
      "the target (a compiled folder's by default): an Arm target counts instructions per layer under qemu; wasm32 times each WebAssembly layer here",
    ).choices(targetNames()),
  )
  .option('--calibrate <paths...>', 'photos or folders to quantize a float model on (default: the bundled samples)')
  .option('--image <file>', 'the input photo of the measured runs (default: a bundled one)')
  .option('--input <file>', 'a raw input tensor instead of a photo (FILE.i8 / FILE.u8 / FILE.f32)')
  .option('--runs <n>', "timed runs of each WebAssembly layer (wasm32, and the split plan's server side)", '7')
  .option('--bandwidth <rate>', "the split plan's link bandwidth, e.g. 5mbit", '5mbit')
  .option('--rtt <time>', "the split plan's round-trip time, e.g. 40ms", '40ms')
  .option(
    '--precision <list|auto>',
    "quantize a float model per layer (layer=int8|16x8|int4w,…) or by measured sensitivity (auto, under the target's budgets): the page adds each layer's precision and, for auto, the Pareto front it chose from",
  )
  .option('--budget-flash <bytes>', '--precision auto: most bytes of weights and biases (default: the target flash)')
  .option('--budget-ram <bytes>', "--precision auto: most bytes of the largest layer's activations")
  .option('--max-cost <x>', '--precision auto: most instructions as a multiple of all-int8 (default 1.15)')
  .option('--min-sqnr <dB>', '--precision auto: least predicted output SQNR')
  .option('--out <file>', 'the HTML page to write', 'report.html')
  .option('--force', 'replace --out if it exists')
  .option('--json', "also print the page's data as one JSON object on stdout")
  .action((model: string, opts: ReportOptions) => reportCommand(model, opts, process.argv.includes('--debug')));

const offload = program
  .command('offload')
  .description('split offload: the device runs the head of the model, an edge server the tail');
offload
  .command('plan')
  .description(
    'every cut: head time on the device (instructions under qemu), bytes, network and tail time, total; picks the best',
  )
  .argument('[model]', 'model name, path or quantized artifact', DEFAULT_MODEL)
  .addOption(
    new Option('--target <name>', 'the device (a target that runs under qemu)')
      .choices(targetNames())
      .makeOptionMandatory(),
  )
  .requiredOption('--bandwidth <rate>', 'link bandwidth, e.g. 5mbit, 500kbit, 1gbit')
  .requiredOption('--rtt <time>', 'link round-trip time, e.g. 40ms')
  .option('--runs <n>', 'timed runs of each tail on this machine', '7')
  .addOption(
    new Option('--codec <name>', 'how cut tensors travel (entropy: coded sizes measured on the photo)')
      .choices(['raw', 'entropy'])
      .default('raw'),
  )
  .option('--image <file>', 'the input photo (default: a bundled one)')
  .option('--plot <file>', 'also draw the plan as a chart: .svg or .png')
  .option('--force', 'replace the --plot file if it exists')
  .option('--json', 'print one JSON object on stdout')
  .action((model: string, opts: Omit<PlanFlags, 'model' | 'artifact' | 'image'> & { image?: string }) => {
    runOffloadTool('plan', {
      ...modelFlags(model),
      ...opts,
      image: resolve(opts.image ?? SAMPLE_PHOTO),
      ...(opts.plot ? { plot: resolve(opts.plot) } : {}),
    });
  });
offload
  .command('serve')
  .description(
    'edge server: compiles the tails of the cuts to WebAssembly and runs them for devices until SIGINT/SIGTERM (then answers the frames in flight and prints metrics)',
  )
  .argument(
    '[model]',
    'model name, path or quantized artifact (a float model is quantized with the bundled photos, as compile does)',
    DEFAULT_MODEL,
  )
  .option('--cut <ids>', 'the cuts to serve, comma-separated (ids as `offload plan` lists them)')
  .option('--all', 'serve every cut')
  .requiredOption('--port <n>', 'TCP port to listen on (0: any free one, printed)')
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .option('--workers <n>', 'worker threads running tails (default: one per core)')
  .option('--max-queue <n>', 'frames waiting for a worker beyond which new ones are refused as busy', '64')
  .option(
    '--deadline <time>',
    'a frame not started this long after it arrived is refused (the device finishes it)',
    '500ms',
  )
  .option('--token <secret>', 'devices must send this shared token first')
  .option('--token-file <file>', 'the shared token, read from a file')
  .option('--tls-cert <file>', 'serve TLS with this PEM certificate (chain)')
  .option('--tls-key <file>', 'and this PEM private key')
  .option('--websocket-port <n>', 'also accept web pages: a WebSocket gateway on this port (0: any free one, printed)')
  .option(
    '--idle-timeout <time>',
    'close a connection quiet (nothing received or sent) this long (0: never)',
    SERVE_DEFAULTS.idleTimeout,
  )
  .option(
    '--max-connections <n>',
    'connections served at once; more are refused (reason "connections") and closed',
    SERVE_DEFAULTS.maxConnections,
  )
  .option('--metrics-every <time>', 'print the metrics this often while frames come in (0: only on exit)', '10s')
  .action((model: string, opts: Parameters<typeof serveCommand>[1]) => serveCommand(model, opts));
offload
  .command('run')
  .description(
    'the device side: head here (WebAssembly), tail on the server, here when it does not answer in time; per frame who answered, top-5, capture-to-answer latency',
  )
  .argument('[model]', 'the same model or artifact the server was given', DEFAULT_MODEL)
  .requiredOption('--cut <id>', 'where the model is split (the server must serve it)')
  .requiredOption('--server <host:port>', 'the edge server (or a load balancer in front of several)')
  .option('--image <file>', 'a photo: decoded, resized, normalized and quantized as the model expects')
  .option(
    '--input <file>',
    'raw tensor in the input shape (NHWC): FILE.f32 float32 (quantized here), FILE.i8 / FILE.u8 bytes fed as they are',
  )
  .option('--frames <n>', 'send the input this many times', '1')
  .option('--timeout <time>', 'wait this long for the server, then finish the frame here', '200ms')
  .option('--token <secret>', "the server's shared token")
  .option('--tls-ca <file>', 'connect with TLS, trusting this PEM CA certificate')
  .option('--json', 'print one JSON object on stdout')
  .action((model: string, opts: Parameters<typeof offloadRunCommand>[1]) => offloadRunCommand(model, opts));
offload
  .command('demo')
  .description(
    'server and device on loopback through a link shaper: predicted vs measured capture-to-answer time for local only, full offload and the planned cut at several bandwidths',
  )
  .argument('[model]', 'model name, path or quantized artifact', MCU_MODEL)
  .option('--bandwidths <list>', 'comma-separated bandwidths', '0.2mbit,2mbit,20mbit,200mbit')
  .option('--rtt <time>', 'round-trip time', '20ms')
  .option('--jitter <time>', 'extra one-way delay, uniform up to this', '2ms')
  .option('--loss <p>', 'probability that a chunk waits one retransmission timeout', '0')
  .option('--frames <n>', 'timed frames per mode', '9')
  .option('--device-slowdown <k>', 'the device is this many times slower than this machine', '20')
  .option('--json', 'print one JSON object on stdout')
  .action((model: string, opts: Omit<DemoFlags, 'model' | 'artifact' | 'image'>) =>
    runOffloadTool('demo', { ...modelFlags(model), ...opts, image: SAMPLE_PHOTO }),
  );

/** A model argument as the tools take it: a path becomes an absolute --artifact, a name stays a name. */
function modelFlags(model: string): { model: string; artifact?: string } {
  return existsSync(model) ? { model, artifact: resolve(model) } : { model };
}

/**
 * Runs `offload plan|demo` (tools/offload/main.ts) as its own process in the repository, like bench: they build and
 * run under qemu and start servers, and tools/ imports what the compiler never does. The options parsed here go
 * over as JSON, so they are defined once, here.
 */
function runOffloadTool(command: 'plan' | 'demo', flags: PlanFlags | DemoFlags): void {
  runTool('offload/main.ts', [command, JSON.stringify(flags)]);
}

try {
  // HDF5's reader starts asynchronously; once started, .h5 models load like any other file.
  if (process.argv.slice(2).some(isKerasH5Path)) await readyKerasH5Reader();
  await program.parseAsync(process.argv);
} catch (e) {
  // Help and version exit 0; a usage error was already printed by commander, as one error line (configureOutput).
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  exitWithFailure(e);
}
