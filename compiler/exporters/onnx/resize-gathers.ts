/**
 * @fileoverview TFLite's resizes said in ONNX with Prepare's source tables (prepare-int8.ts) instead of ONNX Resize,
 * whose coordinate modes need not reproduce TFLite's float32 coordinates: nearest as two int8 Gathers (exact), and
 * bilinear as Gathers of the four taps of the dequantized input weighted with TFLite's Q10 fractions.
 */

import type { OnnxGraphBuilder } from './onnx-builder.ts';

/** A resize's source tables: indices per output row and column (nearest), or (lo, hi, frac) triples (bilinear). */
interface ResizeTables {
  rows: Int32Array;
  cols: Int32Array;
}

/** Gathers along NHWC axis 1 (rows) or 2 (columns) with constant source indices. */
function gather(b: OnnxGraphBuilder, x: string, indices: ArrayLike<number>, axis: 1 | 2, base: string): string {
  return b.node('Gather', [x, b.constant(`${base}_indices`, 'int64', [indices.length], indices)], base, { axis });
}

/** Nearest resize of the plain (NHWC) int8 `x`: rows, then columns, gathered at TFLite's source indices. */
export function resizeNearestGathers(b: OnnxGraphBuilder, x: string, p: ResizeTables, name: string): string {
  return gather(b, gather(b, x, p.rows, 1, `${name}_rows`), p.cols, 2, name);
}

/**
 * Bilinear resize of the plain (NHWC) float `x`: the four gathered tap tensors weighted by (1024 − frac)/1024 and
 * frac/1024 per row and column; the float result, which the caller quantizes.
 */
export function resizeBilinearGathers(b: OnnxGraphBuilder, x: string, p: ResizeTables, name: string): string {
  const pick = (t: Int32Array, k: number) => Array.from({ length: t.length / 3 }, (_, i) => t[3 * i + k]!);
  const weight = (t: Int32Array, hi: boolean, dims: number[], base: string) =>
    b.constant(
      base,
      'float',
      dims,
      pick(t, 2).map((f) => (hi ? f : 1024 - f) / 1024),
    );
  const [oh, ow] = [p.rows.length / 3, p.cols.length / 3];
  const rows = [0, 1].map((k) => gather(b, x, pick(p.rows, k), 1, `${name}_r${k}`));
  const mix = (lo: string, hi: string, t: Int32Array, dims: number[], base: string) =>
    b.node(
      'Add',
      [
        b.node('Mul', [lo, weight(t, false, dims, `${base}_w0`)], `${base}_a`),
        b.node('Mul', [hi, weight(t, true, dims, `${base}_w1`)], `${base}_b`),
      ],
      base,
    );
  const across = rows.map((r, k) =>
    mix(
      gather(b, r, pick(p.cols, 0), 2, `${name}_r${k}c0`),
      gather(b, r, pick(p.cols, 1), 2, `${name}_r${k}c1`),
      p.cols,
      [1, 1, ow, 1],
      `${name}_row${k}`,
    ),
  );
  return mix(across[0]!, across[1]!, p.rows, [1, oh, 1, 1], `${name}_f32`);
}
