/**
 * @fileoverview `tinyedge run DIR (--image F | --input F.f32|F.i8|F.u8) [--runs N] [--json]`: builds the compiled folder if
 * needed, runs it on its target, and prints top-5, latency (median of the runs) and memory as predict does.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TinyedgeError } from '../errors.ts';
import { dequantizeArray } from '../quantize/prepare/quant-params.ts';
import { Target, loadTarget } from '../../targets/target.ts';
import { ModelInfo, TinyedgeModel } from '../../runtime/wasm/tinyedge-loader.js';
import { buildProject, runBuild } from '../../targets/toolchain.ts';
import { COMPILED_MODEL_FILE, CompiledModel } from './compile.ts';
import { PredictionResult, integerInputOf, topK } from './predict.ts';
import { ActivationType } from '../quantize/prepare/quant-params.ts';
import { Activations } from '../reference/int8/conv.ts';
import { bytes, table } from './format.ts';
import { audioClipFor, loadWasmCwt } from './run-audio.ts';
import { isDetectorFolder, runDetectorCommand } from './run-detector.ts';

/** Options of run. */
export interface RunOptions {
  image?: string;
  input?: string;
  /** A WAV clip, for an audio model. */
  audio?: string;
  runs: string;
  json?: boolean;
  /** A detector: write the photo with the boxes drawn to this PNG (replacing a file only with `force`). */
  draw?: string;
  /** A detector: show only detections scoring at least this (a number in [0, 1], as text). */
  minScore?: string;
  force?: boolean;
}

function readCompiled(dir: string): CompiledModel {
  const file = join(dir, COMPILED_MODEL_FILE);
  if (!existsSync(file)) throw new TinyedgeError(`is not a folder written by \`tinyedge compile\` (no ${COMPILED_MODEL_FILE})`, { file: dir });
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CompiledModel;
  } catch (e) {
    throw new TinyedgeError(`malformed: ${(e as Error).message}`, { file });
  }
}

/** The median of latencies. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs a compiled model once per `runs` on one input and returns the design's result object. */
export async function runCompiled(dir: string, options: RunOptions, compiled = readCompiled(dir)): Promise<PredictionResult> {
  const runs = Number(options.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new TinyedgeError(`--runs must be a whole number ≥ 1, got '${options.runs}'`);
  const target = loadTarget(compiled.target);
  const { input, output } = compiled;
  // An audio folder takes the PCM clip: its runner (or cwt.wasm) computes the model's input on the target.
  const x = audioClipFor(dir, compiled, options) ?? (await integerInputOf({ ...input, dtype: input.dtype ?? 'int8' }, { scale: [input.scale], zeroPoint: [input.zeroPoint] }, compiled.preprocessing, options));
  const outType = output.dtype ?? 'int8';
  const { latencies, y } = target.backend === 'wasm' ? await runWasm(dir, x, runs, !!compiled.audio) : runC(dir, target, x, outType, runs);
  return {
    output: { name: output.name, shape: output.shape, dtype: outType, scale: output.scale, zeroPoint: output.zeroPoint, data: Array.from(y) },
    top: topK(dequantizeArray(y, { scale: [output.scale], zeroPoint: [output.zeroPoint] }), compiled.labels),
    latencyMs: latencies.length ? Number(median(latencies).toFixed(3)) : null,
    memory: { arenaBytes: compiled.memory.arenaBytes, weightBytes: compiled.memory.weightBytes, codeBytes: compiled.memory.codeBytes },
  };
}

/** Builds (if needed) and runs the C runner natively through files of raw little-endian elements. */
export function runC(dir: string, target: Target, x: Activations, outType: ActivationType, runs: number): { latencies: number[]; y: Activations } {
  buildProject(dir, target);
  const work = mkdtempSync(join(tmpdir(), 'tinyedge-run-'));
  try {
    const inFile = join(work, 'input.i8');
    const outFile = join(work, 'output.i8');
    writeFileSync(inFile, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
    const latencies = runBuild(dir, target, inFile, outFile, runs);
    const bytes = Uint8Array.from(readFileSync(outFile));
    return { latencies, y: outType === 'int8' ? new Int8Array(bytes.buffer) : new Int16Array(bytes.buffer) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Runs model.wasm in this Node process through the same loader browsers use; the input is rewritten before each run. An audio model's x is the PCM clip: cwt.wasm makes the input, timed with the model. */
async function runWasm(dir: string, x: Activations, runs: number, audio: boolean): Promise<{ latencies: number[]; y: Activations }> {
  const info = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as ModelInfo;
  const model = await TinyedgeModel.load(readFileSync(join(dir, 'model.wasm')), info);
  const cwt = audio ? await loadWasmCwt(dir) : undefined;
  const latencies: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (!cwt) model.setInput(x as Int8Array);
    const t0 = performance.now();
    if (cwt) model.setInput(cwt.run(x as Int16Array));
    model.run();
    latencies.push(performance.now() - t0);
  }
  return { latencies, y: model.output() };
}

/** Prints the result of running a compiled folder. */
export async function runCommand(dir: string, options: RunOptions): Promise<void> {
  const compiled = readCompiled(dir);
  if (compiled.split) throw new TinyedgeError(`is the device's side of a split model (cut ${compiled.split.cut}): run it against \`tinyedge offload serve ${compiled.model} --cut ${compiled.split.cut}\` with ${compiled.target === 'wasm32' ? 'its head/ and tail/ modules' : `${dir}/runner`}, or compile without --cut`, { file: dir });
  if (isDetectorFolder(dir, compiled)) return runDetectorCommand(dir, options, compiled);
  if (options.draw) throw new TinyedgeError('--draw draws the boxes of a detector; this model is not one', { file: dir });
  const result = await runCompiled(dir, options, compiled);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const rows = result.top.map((t, i) => [i + 1, t.label, t.index, t.score.toFixed(6)]);
  process.stdout.write(
    [
      `model    ${compiled.model} (${compiled.output.dtype === 'int16' ? '16×8' : 'int8'}, ${compiled.target === 'wasm32' ? 'WebAssembly SIMD128 in Node' : `C99 on ${compiled.target}`})`,
      `input    ${options.image ?? options.input ?? options.audio}`,
      table(['rank', 'label', 'class', 'score'], rows, [0, 2, 3]),
      ...footerLines(compiled, result.latencyMs, options.runs),
    ].join('\n') + '\n',
  );
}

/** The latency and memory lines of run's report. */
export function footerLines(compiled: CompiledModel, latencyMs: number | null, runs: string): string[] {
  const m = compiled.memory;
  return [
    latencyMs === null
      ? `latency  n/a: ${compiled.target} ran on an emulated board; count instructions with \`tinyedge bench --target ${compiled.target}\``
      : `latency  ${latencyMs.toFixed(2)} ms${Number(runs) > 1 ? ` (median of ${runs} runs)` : ''}${loadTarget(compiled.target).run.kind === 'qemu-user' ? ' under qemu (emulated: not the device’s time)' : ''}`,
    `memory   arena ${bytes(m.arenaBytes)}, weights ${bytes(m.weightBytes)}, code ${bytes(m.codeBytes ?? 0)}`,
  ];
}
