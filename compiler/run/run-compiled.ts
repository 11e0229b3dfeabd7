/**
 * @fileoverview Runs a folder written by compile on its target: builds it if needed, feeds one input, and returns the
 * outputs with the top classes, latency (median of the runs) and the folder's memory figures. C runs through the
 * target's recipe (natively or under qemu); WebAssembly runs in this Node process through the loader browsers use.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ModelInfo, TinyedgeModel } from '../../runtime/wasm/tinyedge-loader.js';
import { loadTarget, type Target } from '../../targets/target.ts';
import { buildProject, runBuild } from '../../targets/toolchain.ts';
import { type CompiledModel, type CompiledTensor, readCompiledModel } from '../compile/compiled-model.ts';
import { TinyedgeError } from '../errors.ts';
import { loadWasmCwt } from '../input/audio-input.ts';
import { DTYPE_BYTES } from '../ir/tensor.ts';
import { type ActivationType, dequantizeArray } from '../quantize/prepare/quant-params.ts';
import type { Activations } from '../reference/integer/conv.ts';
import type { IntegerOutput } from '../reference/integer/interpreter.ts';
import { median, outputsOf, type PredictionResult, topK } from './prediction.ts';

/** How often to run (the latency is the median), and on how many threads (a model compiled with --threads). */
export interface RunOptions {
  runs?: number;
  threads?: number;
}

/** The threads a run uses, checked against what the folder was compiled for (undefined: the runner's default, all). */
function threadsOf(options: RunOptions, compiled: CompiledModel): number | undefined {
  const t = options.threads;
  if (t === undefined) return undefined;
  const most = compiled.threads ?? 1;
  if (!Number.isInteger(t) || t < 1 || t > most)
    throw new TinyedgeError(
      'TE601',
      `threads must be a whole number from 1 to ${most} (what the folder was compiled for with --threads), got ${t}`,
    );
  return most > 1 ? t : undefined;
}

/** The number of runs, checked. */
export function runsOf(options: RunOptions): number {
  const runs = options.runs ?? 1;
  if (!Number.isInteger(runs) || runs < 1)
    throw new TinyedgeError('TE601', `runs must be a whole number ≥ 1, got ${runs}`);
  return runs;
}

/**
 * Runs a compiled model `runs` times on one input and returns the design's result object. `x` is the model's
 * quantized input (compiledInputOf), or for an audio folder the PCM clip: its runner (or cwt.wasm) computes the
 * model's input on the target.
 */
export async function runCompiled(
  dir: string,
  x: Activations,
  options: RunOptions = {},
  compiled: CompiledModel = readCompiledModel(dir),
): Promise<PredictionResult> {
  const runs = runsOf(options);
  const threads = threadsOf(options, compiled);
  const target = loadTarget(compiled.target);
  const tensors = compiled.outputs ?? [compiled.output];
  const { latencies, ys } =
    target.backend === 'wasm'
      ? await runWasm(dir, x, runs, !!compiled.audio)
      : runCOutputs(dir, target, x, tensors, runs, threads);
  const outputs = tensors.map((t, i) => ({
    name: t.name,
    shape: t.shape,
    dtype: t.dtype ?? 'int8',
    scale: t.scale,
    zeroPoint: t.zeroPoint,
    data: Array.from(ys[i]!),
  }));
  const first = tensors[0]!;
  return {
    ...outputsOf(outputs),
    // Indices (an ArgMax output) are classes already: nothing to rank.
    top:
      first.dtype === 'int32'
        ? []
        : topK(dequantizeArray(ys[0]!, { scale: [first.scale], zeroPoint: [first.zeroPoint] }), compiled.labels),
    latencyMs: latencies.length ? Number(median(latencies).toFixed(3)) : null,
    memory: {
      arenaBytes: compiled.memory.arenaBytes,
      weightBytes: compiled.memory.weightBytes,
      codeBytes: compiled.memory.codeBytes,
    },
  };
}

/** runC for a model's runner, which writes every output one after another: the file cut into each output's values. */
function runCOutputs(
  dir: string,
  target: Target,
  x: Activations,
  tensors: readonly CompiledTensor[],
  runs: number,
  threads?: number,
): { latencies: number[]; ys: IntegerOutput[] } {
  const { latencies, y } = runC(dir, target, x, 'int8', runs, threads);
  let at = 0;
  const ys = tensors.map((t) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const bytes = y.slice(at, at + n * DTYPE_BYTES[t.dtype ?? 'int8']);
    at += bytes.length;
    return t.dtype === 'int16'
      ? new Int16Array(bytes.buffer)
      : t.dtype === 'int32'
        ? new Int32Array(bytes.buffer)
        : bytes;
  });
  return { latencies, ys };
}

/** Builds (if needed) and runs the C runner natively through files of raw little-endian elements (on `threads` if given). */
export function runC(
  dir: string,
  target: Target,
  x: Activations,
  outType: ActivationType,
  runs: number,
  threads?: number,
): { latencies: number[]; y: Activations } {
  buildProject(dir, target);
  const work = mkdtempSync(join(tmpdir(), 'tinyedge-run-'));
  try {
    const inFile = join(work, 'input.i8');
    const outFile = join(work, 'output.i8');
    writeFileSync(inFile, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
    const latencies = runBuild(dir, target, inFile, outFile, runs, undefined, threads);
    const bytes = Uint8Array.from(readFileSync(outFile));
    return { latencies, y: outType === 'int8' ? new Int8Array(bytes.buffer) : new Int16Array(bytes.buffer) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Runs model.wasm in this Node process through the same loader browsers use; the input is rewritten before each run. An audio model's x is the PCM clip: cwt.wasm makes the input, timed with the model. */
async function runWasm(
  dir: string,
  x: Activations,
  runs: number,
  audio: boolean,
): Promise<{ latencies: number[]; ys: IntegerOutput[] }> {
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
  const all = model.outputs();
  return { latencies, ys: info.outputs ? info.outputs.map((o) => all[o.name]!) : [model.output()] };
}
