/**
 * @fileoverview A model's input from files: raw tensor files (`.f32` little-endian float32, `.i8`/`.u8` bytes, `.i16`)
 * checked against the input's shape and type, or a photo decoded, resized and normalized as the model expects.
 */

import { imageToInput } from '../../models/image-input.ts';
import type { ImagePreprocessing, LoadedModel } from '../../models/registry.ts';
import type { CompiledModel } from '../compile/compiled-model.ts';
import { TinyedgeError } from '../errors.ts';
import { readUserFile, userFileSize } from '../frontends/tfjs-common/artifacts.ts';
import { type Graph, tensorOf } from '../ir/graph.ts';
import { formatShape, type Quantization, sizeOf } from '../ir/tensor.ts';
import { type ActivationType, quantizeForTensor } from '../quantize/prepare/quant-params.ts';
import type { Activations } from '../reference/integer/conv.ts';
import { audioClipFor, audioModelInput } from './audio-input.ts';

/** The model input a tensor file must fill: its name and NHWC shape (and, for a quantized model, its type). */
export interface InputSlot {
  name: string;
  shape: number[];
  dtype?: ActivationType;
}

/** Reads a tensor file of exactly the input's size, checking the size before reading (so `/dev/zero` or a huge file costs nothing). */
function readTensorFile(file: string, slot: InputSlot, bytesPer: number, kind: string): Buffer {
  const need = sizeOf(slot.shape);
  const size = userFileSize(file, 'input tensor');
  if (size !== need * bytesPer) {
    throw new TinyedgeError(
      'TE603',
      `expects ${need} ${kind} values (${need * bytesPer} bytes, shape ${formatShape(slot.shape)}, NHWC${bytesPer > 1 ? ', little-endian' : ''}) but the file has ${size} bytes`,
      {
        file,
        node: slot.name,
        op: 'input',
      },
    );
  }
  const raw = readUserFile(file, 'input tensor');
  if (raw.length !== size)
    throw new TinyedgeError('TE603', `changed size while being read (${size} then ${raw.length} bytes)`, {
      file,
      node: slot.name,
      op: 'input',
    });
  return raw;
}

/** Reads a raw little-endian float32 tensor file, checking it fills the input exactly with finite values. */
export function readF32Input(file: string, slot: InputSlot): Float32Array {
  const raw = readTensorFile(file, slot, 4, 'float32');
  const x = Float32Array.from({ length: raw.length / 4 }, (_, i) => raw.readFloatLE(i * 4));
  const bad = x.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0)
    throw new TinyedgeError('TE603', `value ${bad} is ${x[bad]}; an input holds finite numbers`, {
      file,
      node: slot.name,
      op: 'input',
    });
  return x;
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
  if (wide !== (type === 'int16'))
    throw new TinyedgeError(
      'TE603',
      `the model's input is ${type}: give ${type === 'int16' ? 'FILE.i16' : 'FILE.i8 or FILE.u8'} (or FILE.f32, quantized here)`,
      { file, node: slot.name, op: 'input' },
    );
  const raw = readTensorFile(file, slot, wide ? 2 : 1, wide ? 'int16' : /u8$/i.test(file) ? 'uint8' : 'int8');
  const copy = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length);
  return wide ? new Int16Array(copy) : new Int8Array(copy);
}

/** A quantized model's input: raw from an integer file, else --image or --input FILE.f32 quantized with the input's type and parameters. */
export async function integerInputOf(
  slot: InputSlot,
  quant: Quantization,
  pre: ImagePreprocessing,
  options: { image?: string; input?: string },
): Promise<Activations> {
  if (!!options.image === !!options.input)
    throw new TinyedgeError('TE602', 'give exactly one of --image FILE or --input FILE.f32|FILE.i8|FILE.u8|FILE.i16');
  if (options.input && RAW_INTEGERS.test(options.input)) return readRawInput(options.input, slot);
  const x = options.input
    ? readF32Input(options.input, slot)
    : await imageToInput(options.image as string, slot.shape, pre);
  return quantizeForTensor(x, { dtype: slot.dtype ?? 'int8', quant });
}

/** The model's one input as a tensor file must fill it. */
export function slotOf(g: Graph): InputSlot {
  if (g.inputs.length !== 1)
    throw new TinyedgeError('TE606', `the model has ${g.inputs.length} inputs; predict feeds models with one`, {
      file: g.source,
    });
  const t = tensorOf(g, g.inputs[0]!);
  return { name: t.name, shape: t.shape, ...(t.dtype === 'int8' || t.dtype === 'int16' ? { dtype: t.dtype } : {}) };
}

/** Builds the model's f32 input from --image or --input FILE.f32. */
export async function modelInput(
  model: LoadedModel,
  options: { image?: string; input?: string },
): Promise<Float32Array> {
  if (!!options.image === !!options.input)
    throw new TinyedgeError('TE602', 'give exactly one of --image FILE or --input FILE.f32');
  const slot = slotOf(model.graph);
  if (options.input && RAW_INTEGERS.test(options.input)) {
    throw new TinyedgeError(
      'TE603',
      'raw integers feed a quantized model; this one runs in f32: give --input FILE.f32, or --precision int8',
      { file: options.input },
    );
  }
  if (options.input) return readF32Input(options.input, slot);
  return imageToInput(options.image as string, slot.shape, model.preprocessing);
}

/** A compiled folder's input: the WAV clip of an audio folder, else the image or tensor file quantized as its input is. */
export async function compiledInputOf(
  dir: string,
  compiled: CompiledModel,
  options: { image?: string; input?: string; audio?: string },
): Promise<Activations> {
  const { input } = compiled;
  return (
    audioClipFor(dir, compiled, options) ??
    (await integerInputOf(
      { ...input, dtype: input.dtype ?? 'int8' },
      { scale: [input.scale], zeroPoint: [input.zeroPoint] },
      compiled.preprocessing,
      options,
    ))
  );
}

/** A loaded model's input from a photo, a tensor file or (audio models) a WAV clip: f32 for a float model, quantized as its input is for an int8 or 16×8 one. */
export async function readModelInput(
  model: LoadedModel,
  options: { image?: string; input?: string; audio?: string },
): Promise<Float32Array | Activations> {
  const g = model.graph;
  if (!model.quantized)
    return (audioModelInput(model, options, true) as Float32Array | undefined) ?? (await modelInput(model, options));
  return (
    (audioModelInput(model, options, false) as Int8Array | undefined) ??
    (await integerInputOf(slotOf(g), tensorOf(g, g.inputs[0]!).quant as Quantization, model.preprocessing, options))
  );
}
