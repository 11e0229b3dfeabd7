/**
 * @fileoverview A .tflite tensor's stored values as the IR's: its type codes, its quantization, and its constant bytes
 * as typed arrays (copied, as the file's bytes need not be aligned). Both importers read constants through here.
 */

import { TinyedgeError } from '../../errors.ts';
import { TENSOR_TYPE } from '../../formats/tflite/schema.ts';
import { type DType, formatShape, type Quantization, type TensorData } from '../../ir/tensor.ts';
import type { TfliteTensor } from './read-model.ts';

/** TFLite's TensorType codes the importers read. */
export const TFLITE_TYPE = { FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3, INT64: 4, INT16: 7, INT8: 9 } as const;

/** The name of a TFLite tensor type, for errors. */
export function typeName(type: number): string {
  return TENSOR_TYPE[type] ?? `type ${type}`;
}

const { INT8, INT16, INT32, INT64 } = TFLITE_TYPE;

/** The IR dtype of each TFLite type a constant may have, and its bytes per element. */
const CONSTANT_TYPES: Record<number, [DType, number]> = {
  [INT8]: ['int8', 1],
  [INT16]: ['int16', 2],
  [INT32]: ['int32', 4],
  [INT64]: ['int64', 8],
};
const TYPED_ARRAY: Partial<Record<DType, (b: ArrayBuffer) => TensorData>> = {
  int8: (b) => new Int8Array(b),
  int16: (b) => new Int16Array(b),
  int32: (b) => new Int32Array(b),
  int64: (b) => new BigInt64Array(b),
};

/** The IR quantization of a tensor: per tensor, or per channel along the file's quantized dimension. */
export function quantOf(t: TfliteTensor): Quantization | undefined {
  if (!t.quant) return undefined;
  const { scale, zeroPoint, quantizedDimension } = t.quant;
  if (zeroPoint.length !== scale.length)
    throw new TinyedgeError(
      'TE202',
      `tensor '${t.name}' has ${scale.length} scales but ${zeroPoint.length} zero points`,
    );
  if (scale.some((s) => !(s > 0) || !Number.isFinite(s)))
    throw new TinyedgeError('TE202', `tensor '${t.name}' has a scale that is not a positive number`);
  return scale.length === 1 ? { scale, zeroPoint } : { scale, zeroPoint, axis: quantizedDimension };
}

/** The constant's elements as the IR's typed array (copied: the file's bytes need not be aligned). */
export function constantData(t: TfliteTensor): { data: TensorData; dtype: DType } {
  const known = CONSTANT_TYPES[t.type];
  if (!known)
    throw new TinyedgeError(
      'TE112',
      `constant '${t.name}' is ${typeName(t.type)}; int8 and int16 values, int32 and int64 biases are supported`,
    );
  const [dtype, width] = known;
  const bytes = Uint8Array.from(t.data as Uint8Array);
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== n * width)
    throw new TinyedgeError(
      'TE108',
      `constant '${t.name}' holds ${bytes.length} bytes, its shape ${formatShape(t.shape)} of ${typeName(t.type)} needs ${n * width}`,
    );
  return { data: (TYPED_ARRAY[dtype] as (b: ArrayBuffer) => TensorData)(bytes.buffer), dtype };
}

/** The int32 elements of a constant (axes, paddings, shapes); copied, as the file's bytes need not be aligned. */
export function int32Constant(t: TfliteTensor): Int32Array {
  if (!t.data || t.type !== TFLITE_TYPE.INT32)
    throw new TinyedgeError('TE110', `input '${t.name}' must be a constant int32 tensor`);
  return constantData(t).data as Int32Array;
}
