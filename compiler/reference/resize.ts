/**
 * @fileoverview Resize kernels, as TFLite computes them (reference_ops::ResizeNearestNeighbor, ResizeBilinear and
 * ResizeBilinearInteger), reading the source tables of ir/resize-geometry.ts.
 */
import { RESIZE_FRACTION_BITS } from '../ir/resize-geometry.ts';
import { tupleOf } from '../ir/tuple.ts';
import { alike, type Elements } from './layout.ts';

const ONE = 1 << RESIZE_FRACTION_BITS;

/** Nearest-neighbour resize of [n][h][w][c] through per-axis source tables (output h = rows.length, w = cols.length). */
export function gatherNearest<T extends Elements>(
  x: T,
  shape: readonly number[],
  rows: Int32Array,
  cols: Int32Array,
): T {
  const [n, h, w, c] = tupleOf(shape, 4);
  const y = alike(x, n * rows.length * cols.length * c);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (const sy of rows) {
      for (const sx of cols) {
        const at = ((b * h + sy) * w + sx) * c;
        y.set(x.subarray(at, at + c) as never, o);
        o += c;
      }
    }
  }
  return y;
}

/**
 * TFLite's ResizeBilinearInteger through the tables of bilinearTaps: with a = frac_y, b = frac_x,
 * s = x[lo_y][lo_x]·(2^10 − a)(2^10 − b) + x[hi_y][lo_x]·a(2^10 − b) + x[lo_y][hi_x]·(2^10 − a)b + x[hi_y][hi_x]·ab
 * (Q20) and y = trunc((s ± 2^19) / 2^20), the sign of the rounding term the sign of s (TFLite's double rounding).
 * |s| < 2^31: a, b ∈ [−512, 1024) so the absolute weights sum to at most 2048², times 128.
 */
export function resizeBilinearInt8(
  x: Int8Array,
  shape: readonly number[],
  rows: Int32Array,
  cols: Int32Array,
): Int8Array {
  const [n, h, w, c] = tupleOf(shape, 4);
  const oh = rows.length / 3;
  const ow = cols.length / 3;
  const y = new Int8Array(n * oh * ow * c);
  const half = 1 << (2 * RESIZE_FRACTION_BITS - 1);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < oh; r++) {
      const [y0, y1, fy] = [rows[3 * r]!, rows[3 * r + 1]!, rows[3 * r + 2]!];
      for (let q = 0; q < ow; q++) {
        const [x0, x1, fx] = [cols[3 * q]!, cols[3 * q + 1]!, cols[3 * q + 2]!];
        const w00 = (ONE - fy) * (ONE - fx);
        const w10 = fy * (ONE - fx);
        const w01 = (ONE - fy) * fx;
        const w11 = fy * fx;
        const a00 = ((b * h + y0) * w + x0) * c;
        const a10 = ((b * h + y1) * w + x0) * c;
        const a01 = ((b * h + y0) * w + x1) * c;
        const a11 = ((b * h + y1) * w + x1) * c;
        for (let ch = 0; ch < c; ch++) {
          const s = x[a00 + ch]! * w00 + x[a10 + ch]! * w10 + x[a01 + ch]! * w01 + x[a11 + ch]! * w11;
          y[o++] = Math.trunc((s + (s > 0 ? half : -half)) / (1 << (2 * RESIZE_FRACTION_BITS)));
        }
      }
    }
  }
  return y;
}

/** TFLite's float ResizeBilinear: source p = v·scale (half-pixel: (v + ½)·scale − ½), lo = max(⌊p⌋, 0), hi = min(⌈p⌉, in − 1). */
export function resizeBilinearF32(
  x: Float32Array,
  shape: readonly number[],
  size: readonly [number, number],
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Float32Array {
  const [n, h, w, c] = tupleOf(shape, 4);
  const [oh, ow] = size;
  const axis = (inSize: number, outSize: number) =>
    Array.from({ length: outSize }, (_, v) => {
      const scale = alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
      const p = halfPixelCenters ? (v + 0.5) * scale - 0.5 : v * scale;
      const lo = Math.max(Math.floor(p), 0);
      return { lo, hi: Math.min(Math.ceil(p), inSize - 1), frac: p - lo };
    });
  const ys = axis(h, oh);
  const xs = axis(w, ow);
  const y = new Float32Array(n * oh * ow * c);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (const ty of ys) {
      for (const tx of xs) {
        const at = (yy: number, xx: number) => ((b * h + yy) * w + xx) * c;
        const [a00, a10, a01, a11] = [at(ty.lo, tx.lo), at(ty.hi, tx.lo), at(ty.lo, tx.hi), at(ty.hi, tx.hi)];
        for (let ch = 0; ch < c; ch++) {
          const top = x[a00 + ch]! + (x[a01 + ch]! - x[a00 + ch]!) * tx.frac;
          const bottom = x[a10 + ch]! + (x[a11 + ch]! - x[a10 + ch]!) * tx.frac;
          y[o++] = top + (bottom - top) * ty.frac;
        }
      }
    }
  }
  return y;
}
