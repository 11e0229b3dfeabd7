/**
 * @fileoverview ArgMax and TopK for any element type: the f32 reference's (indices as floats) and the integer one's
 * (int32 indices; TopK's values in the input's type). Ties go to the lower index, as TF and TFLite.
 */
import type { Elements } from './layout.ts';

/** The index of the largest x along `depth` of [outer][depth][inner] (the first on ties, as TF and TFLite), into y. */
export function argMaxInto<T extends Float32Array | Int32Array>(
  x: Elements,
  outer: number,
  depth: number,
  inner: number,
  y: T,
): T {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * depth * inner + i;
      let best = 0;
      for (let k = 1; k < depth; k++) if (x[base + k * inner]! > x[base + best * inner]!) best = k;
      y[o * inner + i] = best;
    }
  }
  return y;
}

/**
 * The k largest x of each row of `depth` (the last axis), best first, into `values` and their indices into
 * `indices`: k passes, each taking the best element after the previous pick in (value descending, index ascending)
 * order, as the C and WebAssembly kernels do without scratch.
 */
export function topKInto<V extends Elements, I extends Float32Array | Int32Array>(
  x: Elements,
  rows: number,
  depth: number,
  k: number,
  values: V,
  indices: I,
): { values: V; indices: I } {
  for (let r = 0; r < rows; r++) {
    const row = r * depth;
    let lastValue = Infinity;
    let lastIndex = -1;
    for (let j = 0; j < k; j++) {
      let best = -1;
      for (let i = 0; i < depth; i++) {
        const v = x[row + i]!;
        const after = v < lastValue || (v === lastValue && i > lastIndex);
        if (after && (best < 0 || v > x[row + best]!)) best = i;
      }
      lastValue = x[row + best]!;
      lastIndex = best;
      values[r * k + j] = lastValue;
      indices[r * k + j] = best;
    }
  }
  return { values, indices };
}
