/** @fileoverview Reductions over any set of axes, for any element type: where each element lands, and the max. */
import { sizeOf } from '../ir/tensor.ts';
import { alike, type Elements } from './layout.ts';

/** Axes counted from the end (−1 the last) made non-negative. */
export function normalizedAxes(axes: readonly number[], shape: readonly number[]): number[] {
  return axes.map((a) => (a < 0 ? a + shape.length : a));
}

/** For each element of a row-major `shape`, the index of its output in the reduction over `axes` (normalized). */
export function reductionTargets(shape: readonly number[], axes: readonly number[]): Int32Array {
  const reduced = new Set(axes);
  const outShape = shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const outStrides: number[] = [];
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    outStrides[i] = reduced.has(i) ? 0 : s;
    s *= outShape[i]!;
  }
  const targets = new Int32Array(sizeOf(shape));
  const idx = new Array<number>(shape.length).fill(0);
  let o = 0;
  for (let i = 0; i < targets.length; i++) {
    targets[i] = o;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d]!++;
      o += outStrides[d]!;
      if (idx[d]! < shape[d]!) break;
      o -= outStrides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return targets;
}

/** The number of outputs of a reduction of `shape` over `axes` (normalized). */
export function reducedSize(shape: readonly number[], axes: readonly number[]): number {
  return sizeOf(shape.filter((_, i) => !axes.includes(i)));
}

/**
 * The largest x over `axes` (normalized), in x's type: f32 values, or int8/int16 ones in the input's quantization
 * (monotonic, so the largest integer is the largest real value, as TFLite's REDUCE_MAX).
 */
export function maxOverAxes<T extends Elements>(x: T, shape: readonly number[], axes: readonly number[]): T {
  const best = new Float64Array(reducedSize(shape, axes)).fill(-Infinity);
  const targets = reductionTargets(shape, axes);
  for (let i = 0; i < x.length; i++) best[targets[i]!] = Math.max(best[targets[i]!]!, x[i]!);
  const y = alike(x, best.length);
  y.set(best);
  return y;
}
