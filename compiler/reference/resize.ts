/**
 * @fileoverview Resize geometry and kernels, as TFLite computes them (reference_ops::ResizeNearestNeighbor,
 * ResizeBilinear and ResizeBilinearInteger): which source rows and columns each output row and column reads. The
 * source tables are what prepare-int8.ts hands every int8 kernel, so no backend computes a coordinate itself.
 */
import { Elements, alike } from './layout.ts';

/** Fixed-point bits of ResizeBilinearInteger's source coordinates (Q10). */
export const RESIZE_FRACTION_BITS = 10;
const ONE = 1 << RESIZE_FRACTION_BITS;

/**
 * TFLite's GetNearestNeighbor, in float32 as TFLite evaluates it: scale = in/out (align corners: (in − 1)/(out − 1)),
 * p = (v + ½ if half-pixel centers) · scale; index ⌊p⌋ (align corners: p rounded half away from zero), at most in − 1
 * (and at least 0 with half-pixel centers).
 */
export function nearestSource(v: number, inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): number {
  const f = Math.fround;
  const scale = alignCorners && outSize > 1 ? f((inSize - 1) / (outSize - 1)) : f(inSize / outSize);
  const p = f(f(v + (halfPixelCenters ? 0.5 : 0)) * scale);
  // p ≥ 0, so Math.round (half up) is TfLiteRound (half away from zero) here.
  const i = Math.min(alignCorners ? Math.round(p) : Math.floor(p), inSize - 1);
  return halfPixelCenters ? Math.max(0, i) : i;
}

/** The source index of every output index along one axis. */
export function nearestSources(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): Int32Array {
  return Int32Array.from({ length: outSize }, (_, v) => nearestSource(v, inSize, outSize, alignCorners, halfPixelCenters));
}

/**
 * TFLite's ComputeInterpolationValuesInteger for every output index along one axis, as triples (lo, hi, frac):
 * scale = ⌊(2^10·in + ⌊out/2⌋) / out⌋ (align corners: ⌊(2^10·(in − 1) + ⌊(out − 1)/2⌋) / (out − 1)⌋),
 * p = v·scale (half-pixel centers: v·scale + ⌊scale/2⌋ − 2^9), lo = max(trunc(p / 2^10), 0),
 * hi = min(trunc((p + 2^10 − 1) / 2^10), in − 1), frac = p − 2^10·lo (C's truncating division throughout).
 */
export function bilinearTaps(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): Int32Array {
  const scale = alignCorners && outSize > 1 ? Math.trunc((ONE * (inSize - 1) + Math.trunc((outSize - 1) / 2)) / (outSize - 1)) : Math.trunc((ONE * inSize + Math.trunc(outSize / 2)) / outSize);
  const taps = new Int32Array(3 * outSize);
  for (let v = 0; v < outSize; v++) {
    const p = halfPixelCenters ? v * scale + Math.trunc(scale / 2) - ONE / 2 : v * scale;
    const lo = Math.max(Math.trunc(p / ONE), 0);
    // TFLite would read past the input here; no ratio a model uses comes near it.
    if (lo > inSize - 1) throw new Error(`internal: bilinear source ${lo} outside ${inSize}`);
    taps[3 * v] = lo;
    taps[3 * v + 1] = Math.min(Math.trunc((p + ONE - 1) / ONE), inSize - 1);
    taps[3 * v + 2] = p - ONE * lo;
  }
  return taps;
}

/** Nearest-neighbour resize of [n][h][w][c] through per-axis source tables (output h = rows.length, w = cols.length). */
export function gatherNearest<T extends Elements>(x: T, shape: readonly number[], rows: Int32Array, cols: Int32Array): T {
  const [n, h, w, c] = shape;
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
export function resizeBilinearInt8(x: Int8Array, shape: readonly number[], rows: Int32Array, cols: Int32Array): Int8Array {
  const [n, h, w, c] = shape;
  const oh = rows.length / 3;
  const ow = cols.length / 3;
  const y = new Int8Array(n * oh * ow * c);
  const half = 1 << (2 * RESIZE_FRACTION_BITS - 1);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < oh; r++) {
      const [y0, y1, fy] = [rows[3 * r], rows[3 * r + 1], rows[3 * r + 2]];
      for (let q = 0; q < ow; q++) {
        const [x0, x1, fx] = [cols[3 * q], cols[3 * q + 1], cols[3 * q + 2]];
        const w00 = (ONE - fy) * (ONE - fx);
        const w10 = fy * (ONE - fx);
        const w01 = (ONE - fy) * fx;
        const w11 = fy * fx;
        const a00 = ((b * h + y0) * w + x0) * c;
        const a10 = ((b * h + y1) * w + x0) * c;
        const a01 = ((b * h + y0) * w + x1) * c;
        const a11 = ((b * h + y1) * w + x1) * c;
        for (let ch = 0; ch < c; ch++) {
          const s = x[a00 + ch] * w00 + x[a10 + ch] * w10 + x[a01 + ch] * w01 + x[a11 + ch] * w11;
          y[o++] = Math.trunc((s + (s > 0 ? half : -half)) / (1 << (2 * RESIZE_FRACTION_BITS)));
        }
      }
    }
  }
  return y;
}

/** TFLite's float ResizeBilinear: source p = v·scale (half-pixel: (v + ½)·scale − ½), lo = max(⌊p⌋, 0), hi = min(⌈p⌉, in − 1). */
export function resizeBilinearF32(x: Float32Array, shape: readonly number[], size: readonly [number, number], alignCorners: boolean, halfPixelCenters: boolean): Float32Array {
  const [n, h, w, c] = shape;
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
          const top = x[a00 + ch] + (x[a01 + ch] - x[a00 + ch]) * tx.frac;
          const bottom = x[a10 + ch] + (x[a11 + ch] - x[a10 + ch]) * tx.frac;
          y[o++] = top + (bottom - top) * ty.frac;
        }
      }
    }
  }
  return y;
}
