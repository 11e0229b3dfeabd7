/** @fileoverview f32 reference kernels of binary elementwise ops (numpy broadcasting) and activations. */
import type { Clamp } from '../../ir/attrs.ts';
import { sizeOf } from '../../ir/tensor.ts';
import { broadcastBinary } from '../broadcast.ts';

/** y = clamp(f(a, b)) with broadcasting. */
export function binaryF32(
  a: Float32Array,
  aShape: readonly number[],
  b: Float32Array,
  bShape: readonly number[],
  outShape: readonly number[],
  f: (x: number, y: number) => number,
  clamp: Clamp,
): Float32Array {
  const lo = clamp.min ?? -Infinity;
  const hi = clamp.max ?? Infinity;
  const y = new Float32Array(sizeOf(outShape));
  broadcastBinary(a, aShape, b, bShape, outShape, y, (p, q) => Math.min(hi, Math.max(lo, f(p, q))));
  return y;
}

/** Clamp every element. */
export function clampF32(x: Float32Array, clamp: Clamp): Float32Array {
  const lo = clamp.min ?? -Infinity;
  const hi = clamp.max ?? Infinity;
  return x.map((v) => (v < lo ? lo : Math.min(v, hi)));
}

/** Softmax over the last axis: exp(β(x − max)) / Σ exp(β(x − max)). */
export function softmaxF32(x: Float32Array, depth: number, beta: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let r = 0; r < x.length; r += depth) {
    let max = -Infinity;
    for (let i = 0; i < depth; i++) max = Math.max(max, x[r + i]!);
    let sum = 0;
    for (let i = 0; i < depth; i++) {
      const e = Math.exp(beta * (x[r + i]! - max));
      y[r + i] = e;
      sum += e;
    }
    for (let i = 0; i < depth; i++) y[r + i]! /= sum;
  }
  return y;
}

/** Logistic sigmoid 1 / (1 + e^−x). */
export function logisticF32(x: Float32Array): Float32Array {
  return x.map((v) => 1 / (1 + Math.exp(-v)));
}

/** Batch normalization over the last axis: (x − mean) / √(var + ε) · scale + offset. */
export function batchNormF32(
  x: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
  offset: Float32Array | undefined,
  scale: Float32Array | undefined,
  epsilon: number,
): Float32Array {
  const c = mean.length;
  const mul = new Float64Array(c);
  const add = new Float64Array(c);
  for (let i = 0; i < c; i++) {
    mul[i] = (scale ? scale[i]! : 1) / Math.sqrt(variance[i]! + epsilon);
    add[i] = (offset ? offset[i]! : 0) - mean[i]! * mul[i]!;
  }
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const ch = i % c;
    y[i] = x[i]! * mul[ch]! + add[ch]!;
  }
  return y;
}
