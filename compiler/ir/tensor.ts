/** @fileoverview IR tensors: shape, dtype, optional constant data and optional quantization. NHWC everywhere. */

/** Element types the IR knows. */
export type DType = 'f32' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8';

/** Typed array holding a tensor's elements, one per dtype. */
/** int64 holds the biases of 16×8 models (TFLite's int64 bias); everything else fits the smaller types. */
export type TensorData = Float32Array | Int8Array | Int16Array | Int32Array | BigInt64Array | Uint8Array;

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = { f32: 4, int8: 1, int16: 2, int32: 4, int64: 8, uint8: 1 };

/** Affine quantization: real = scale × (q − zeroPoint); one entry per tensor, or per channel along `axis`. */
export interface Quantization {
  scale: number[];
  zeroPoint: number[];
  axis?: number;
  /** The values fit in 4 bits (int4 weights, [-7, 7], stored as int8): backends may store two per byte. */
  bits?: 4;
}

/** A value in the graph: an activation (no data) or a constant (data present, immutable once set). */
export interface Tensor {
  name: string;
  shape: number[];
  dtype: DType;
  data?: TensorData;
  quant?: Quantization;
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** `1×224×224×3`, the way shapes are shown to users. */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 0 ? 'scalar' : shape.join('×');
}

/** True when two shapes are the same. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Row-major strides of `shape` aligned to a broadcast output's rank, 0 on broadcast dimensions. */
export function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const strides = new Array<number>(out.length).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const oi = out.length - shape.length + i;
    strides[oi] = shape[i] === 1 ? 0 : s;
    s *= shape[i]!;
  }
  return strides;
}
