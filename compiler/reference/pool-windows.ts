/** @fileoverview The window walk both interpreters' avg and max pooling share (TF semantics: padding not counted). */
import type { Window2d } from '../ir/window.ts';

/**
 * For each output pixel, sums (avg) or maxes (max) x's in-bounds window elements per channel into `acc`, which
 * starts at 0 or at `lowest`, then hands `done` the pixel's first output index, the accumulators and the number of
 * in-bounds elements. `acc` is the caller's (Float64Array or Int32Array: the interpreters' arithmetic).
 */
export function poolWindows(
  x: ArrayLike<number>,
  g: Window2d,
  kind: 'avg' | 'max',
  acc: Float64Array | Int32Array,
  lowest: number,
  done: (yb: number, acc: Float64Array | Int32Array, count: number) => void,
): void {
  for (let n = 0; n < g.n; n++) {
    for (let oy = 0; oy < g.oh; oy++) {
      for (let ox = 0; ox < g.ow; ox++) {
        acc.fill(kind === 'avg' ? 0 : lowest);
        let count = 0;
        for (let ky = 0; ky < g.kh; ky++) {
          const iy = oy * g.strides[0] - g.pads[0] + ky;
          if (iy < 0 || iy >= g.h) continue;
          for (let kx = 0; kx < g.kw; kx++) {
            const ix = ox * g.strides[1] - g.pads[2] + kx;
            if (ix < 0 || ix >= g.w) continue;
            count++;
            const xb = ((n * g.h + iy) * g.w + ix) * g.c;
            if (kind === 'avg') for (let c = 0; c < g.c; c++) acc[c]! += x[xb + c]!;
            else for (let c = 0; c < g.c; c++) acc[c] = Math.max(acc[c]!, x[xb + c]!);
          }
        }
        done(((n * g.oh + oy) * g.ow + ox) * g.c, acc, count);
      }
    }
  }
}
