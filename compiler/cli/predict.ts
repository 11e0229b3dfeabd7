/**
 * @fileoverview `tinyedge predict [model|artifact] (--image F | --input F.f32|F.i8|F.u8|F.i16) [--precision f32|int8|int16]
 * [--json]`: one inference with a reference interpreter: f32 for float models, the integer one for artifacts (or a
 * float model quantized on the spot with the bundled photos, int8 or 16×8, when `--precision` asks for it).
 */
import { audioModelInput } from './run-audio.ts';
import { readUserFile } from '../frontends/tfjs-common/artifacts.ts';
import { runF32 } from '../reference/f32/interpreter.ts';
import { runInt8 } from '../reference/int8/interpreter.ts';
import { ActivationType, activationType, dequantizeArray, quantizeForTensor } from '../quantize/prepare/quant-params.ts';
import { Activations } from '../reference/int8/conv.ts';
import { quantizeWithSamples } from './quantize.ts';
import { peakActivationBytes, modelStats } from '../ir/stats.ts';
import { Graph, tensorOf } from '../ir/graph.ts';
import { Quantization, formatShape, sizeOf } from '../ir/tensor.ts';
import { TinyedgeError } from '../errors.ts';
import { imageToInput } from '../../models/image-input.ts';
import { ImagePreprocessing, LoadedModel } from '../../models/registry.ts';
import { prepareModel } from './prepare-model.ts';
import { startProgress } from './progress.ts';
import { predictDetectorCommand } from './predict-detector.ts';
import { bytes, table } from './format.ts';

/** Options of predict. */
export interface PredictOptions {
  /** --outputs: cut a TF.js graph model after these nodes (comma-separated). */
  outputs?: string;
  image?: string;
  input?: string;
  /** A WAV clip, for an audio model. */
  audio?: string;
  precision?: 'f32' | ActivationType;
  json?: boolean;
  /** A detector: write the photo with the boxes drawn to this PNG (replacing a file only with `force`). */
  draw?: string;
  /** A detector: show only detections scoring at least this (a number in [0, 1], as text). */
  minScore?: string;
  force?: boolean;
}

/** The design's result object for predict and run. */
export interface PredictionResult {
  output: { name: string; shape: number[]; dtype: string; scale: number | null; zeroPoint: number | null; data: number[] };
  top: { index: number; label: string; score: number }[];
  /** Median wall time; null on an emulated board, where time says nothing about the device. */
  latencyMs: number | null;
  memory: { arenaBytes: number; weightBytes: number; codeBytes: number | null };
}

/** The model input a tensor file must fill: its name and NHWC shape (and, for a quantized model, its type). */
export interface InputSlot {
  name: string;
  shape: number[];
  dtype?: ActivationType;
}

function readTensorFile(file: string, slot: InputSlot, bytesPer: number, kind: string): Buffer {
  const need = sizeOf(slot.shape);
  const raw = readUserFile(file, 'input tensor');
  if (raw.length !== need * bytesPer) {
    throw new TinyedgeError(`expects ${need} ${kind} values (${need * bytesPer} bytes, shape ${formatShape(slot.shape)}, NHWC${bytesPer > 1 ? ', little-endian' : ''}) but the file has ${raw.length} bytes`, {
      file,
      node: slot.name,
      op: 'input',
    });
  }
  return raw;
}

/** Reads a raw little-endian float32 tensor file and checks it fills the input exactly. */
export function readF32Input(file: string, slot: InputSlot): Float32Array {
  const raw = readTensorFile(file, slot, 4, 'float32');
  return Float32Array.from({ length: raw.length / 4 }, (_, i) => raw.readFloatLE(i * 4));
}

/** Whether --input names a raw integer tensor (`.i8`, `.u8` or `.i16`) rather than float32. */
const RAW_INTEGERS = /\.([iu]8|i16)$/i;

/**
 * Reads a raw integer tensor file: `.i8` or `.u8` bytes fed to an int8 model's input as they are (a uint8 pixel 200
 * enters as −56, which is how TFLM's examples feed their images), `.i16` little-endian values to a 16×8 model's.
 */
export function readRawInput(file: string, slot: InputSlot): Activations {
  const wide = /i16$/i.test(file);
  const type = slot.dtype ?? 'int8';
  if (wide !== (type === 'int16')) throw new TinyedgeError(`the model's input is ${type}: give ${type === 'int16' ? 'FILE.i16' : 'FILE.i8 or FILE.u8'} (or FILE.f32, quantized here)`, { file, node: slot.name, op: 'input' });
  const raw = readTensorFile(file, slot, wide ? 2 : 1, wide ? 'int16' : /u8$/i.test(file) ? 'uint8' : 'int8');
  const copy = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length);
  return wide ? new Int16Array(copy) : new Int8Array(copy);
}

/** A quantized model's input: raw from an integer file, else --image or --input FILE.f32 quantized with the input's type and parameters. */
export async function integerInputOf(slot: InputSlot, quant: Quantization, pre: ImagePreprocessing, options: { image?: string; input?: string }): Promise<Activations> {
  if (!!options.image === !!options.input) throw new TinyedgeError('give exactly one of --image FILE or --input FILE.f32|FILE.i8|FILE.u8|FILE.i16');
  if (options.input && RAW_INTEGERS.test(options.input)) return readRawInput(options.input, slot);
  const x = options.input ? readF32Input(options.input, slot) : await imageToInput(options.image as string, slot.shape, pre);
  return quantizeForTensor(x, { dtype: slot.dtype ?? 'int8', quant });
}

/** The model's one input as a tensor file must fill it. */
export function slotOf(g: Graph): InputSlot {
  if (g.inputs.length !== 1) throw new TinyedgeError(`the model has ${g.inputs.length} inputs; predict feeds models with one`, { file: g.source });
  const t = tensorOf(g, g.inputs[0]);
  return { name: t.name, shape: t.shape, ...(t.dtype === 'int8' || t.dtype === 'int16' ? { dtype: t.dtype } : {}) };
}

/** Builds the model's f32 input from --image or --input FILE.f32. */
export async function modelInput(model: LoadedModel, options: { image?: string; input?: string }): Promise<Float32Array> {
  if (!!options.image === !!options.input) throw new TinyedgeError('give exactly one of --image FILE or --input FILE.f32');
  const slot = slotOf(model.graph);
  if (options.input && RAW_INTEGERS.test(options.input)) {
    throw new TinyedgeError('raw integers feed a quantized model; this one runs in f32: give --input FILE.f32, or --precision int8', { file: options.input });
  }
  if (options.input) return readF32Input(options.input, slot);
  return imageToInput(options.image as string, slot.shape, model.preprocessing);
}

/** The k best classes of a score vector. */
export function topK(scores: ArrayLike<number>, labels: string[] | undefined, k = 5): PredictionResult['top'] {
  return Array.from(scores, (score, index) => ({ index, label: labels?.[index] ?? String(index), score }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

/** Which interpreter a model runs on: an artifact runs as quantized; a float model is f32 unless int8 or int16 is asked for. */
function precisionOf(model: LoadedModel, asked: PredictOptions['precision']): PredictOptions['precision'] {
  if (!model.quantized) return asked ?? 'f32';
  const type = activationType(tensorOf(model.graph, model.graph.inputs[0]).dtype);
  if (asked !== undefined && asked !== type) throw new TinyedgeError(`is quantized to ${type === 'int16' ? '16×8' : 'int8'}; it runs with --precision ${type} only`, { file: model.spec });
  return type;
}

/** Runs one inference and prints top-5, latency and memory. */
export async function predictCommand(spec: string | undefined, options: PredictOptions): Promise<void> {
  const model = prepareModel(spec, { quiet: options.json, outputs: options.outputs });
  const precision = precisionOf(model, options.precision);
  if (precision !== 'f32') await quantizeWithSamples(model, options.json, precision);
  const g = model.graph;
  if (g.detection) return predictDetectorCommand(model, precision, options);
  if (options.draw) throw new TinyedgeError('--draw draws the boxes of a detector; this model is not one', { file: model.spec });
  const progress = startProgress('running', g.nodes.length, !options.json);
  let done = 0;
  const onNode = () => progress.update(++done);
  const outName = g.outputs[0];
  const out = tensorOf(g, outName);
  let latencyMs: number;
  let output: PredictionResult['output'];
  let scores: ArrayLike<number>;
  if (precision !== 'f32') {
    const x = (audioModelInput(model, options, false) as Int8Array | undefined) ?? (await integerInputOf(slotOf(g), tensorOf(g, g.inputs[0]).quant as Quantization, model.preprocessing, options));
    const started = performance.now();
    const y = runInt8(g, { [g.inputs[0]]: x }, { onNode }).get(outName) as Activations;
    latencyMs = performance.now() - started;
    const q = out.quant as Quantization;
    output = { name: outName, shape: out.shape, dtype: out.dtype, scale: q.scale[0], zeroPoint: q.zeroPoint[0], data: Array.from(y) };
    scores = dequantizeArray(y, q);
  } else {
    const x = (audioModelInput(model, options, true) as Float32Array | undefined) ?? (await modelInput(model, options));
    const started = performance.now();
    const y = runF32(g, { [g.inputs[0]]: x }, { onNode }).get(outName) as Float32Array;
    latencyMs = performance.now() - started;
    output = { name: outName, shape: out.shape, dtype: 'f32', scale: null, zeroPoint: null, data: Array.from(y) };
    scores = y;
  }
  progress.stop();
  const result: PredictionResult = {
    output,
    top: topK(scores, model.labels),
    latencyMs: Number(latencyMs.toFixed(3)),
    memory: { arenaBytes: peakActivationBytes(g), weightBytes: modelStats(g).totals.weightBytes, codeBytes: null },
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const rows = result.top.map((t, i) => [i + 1, t.label, t.index, t.score.toFixed(6)]);
  process.stdout.write(
    [
      `model    ${model.spec} (${precision} reference interpreter)`,
      `input    ${options.image ?? options.input}`,
      table(['rank', 'label', 'class', 'score'], rows, [0, 2, 3]),
      `latency  ${latencyMs.toFixed(1)} ms`,
      `memory   activations ${bytes(result.memory.arenaBytes)} peak, weights ${bytes(result.memory.weightBytes)}`,
    ].join('\n') + '\n',
  );
}
