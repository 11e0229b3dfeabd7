/** @fileoverview f32 reference kernels of pooling and reductions: avg/max pool (TF semantics: padding not counted), mean, arg max and top-k. */
import type { Clamp } from '../../ir/attrs.ts';
import { sizeOf } from '../../ir/tensor.ts';
import type { Window2d } from '../../ir/window.ts';
import { poolWindows } from '../pool-windows.ts';
import { reducedSize, reductionTargets } from '../reduce-axes.ts';
import { argMaxInto, topKInto } from '../selection.ts';

/** Average or max over each window; average divides by the number of in-bounds elements, as TF and TFLite do. */
export function poolF32(x: Float32Array, g: Window2d, kind: 'avg' | 'max', clamp: Clamp): Float32Array {
  const lo = clamp.min ?? -Infinity;
  const hi = clamp.max ?? Infinity;
  const y = new Float32Array(g.n * g.oh * g.ow * g.c);
  poolWindows(x, g, kind, new Float64Array(g.c), -Infinity, (yb, acc, count) => {
    for (let c = 0; c < g.c; c++) {
      const v = kind === 'avg' ? acc[c]! / count : acc[c]!;
      y[yb + c] = v < lo ? lo : Math.min(v, hi);
    }
  });
  return y;
}

/** Index of the largest value along `axis` (the first on ties, as TF's ArgMax), as f32 values. */
export function argMaxF32(x: Float32Array, shape: readonly number[], axis: number): Float32Array {
  const a = axis < 0 ? axis + shape.length : axis;
  const n = shape[a]!;
  const inner = sizeOf(shape.slice(a + 1));
  const outer = x.length / (n * inner);
  return argMaxInto(x, outer, n, inner, new Float32Array(outer * inner));
}

/** Mean over the given (normalized) axes. */
export function meanF32(x: Float32Array, shape: readonly number[], axes: readonly number[]): Float32Array {
  const sums = new Float64Array(reducedSize(shape, axes));
  const targets = reductionTargets(shape, axes);
  for (let i = 0; i < x.length; i++) sums[targets[i]!]! += x[i]!;
  const count = x.length / sums.length;
  return Float32Array.from(sums, (v) => v / count);
}

/** The k largest values of each row along the last axis, best first (the lower index first among equals, as TF's TopKV2), and their indices as f32. */
export function topKF32(
  x: Float32Array,
  shape: readonly number[],
  k: number,
): { values: Float32Array; indices: Float32Array } {
  const depth = shape[shape.length - 1]!;
  const rows = x.length / depth;
  return topKInto(x, rows, depth, k, new Float32Array(rows * k), new Float32Array(rows * k));
}
