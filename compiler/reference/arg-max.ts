/** @fileoverview ArgMax for any element type: the f32 reference's (indices as floats) and the integer one's (int32). */
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
