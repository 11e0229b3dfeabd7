/**
 * @fileoverview The 16×8 depthwise conv with depth multiplier 1 on SIMD128: per output pixel and block of eight
 * channels, the in-bounds taps' int16 inputs times the tap's int8 weights (widened to int16, each tap's row padded
 * with zeros to a multiple of 8) in two i32x4 accumulators through i32x4.extmul_{low,high}_i16x8_s; the block's
 * sums go to an int32 row in scratch, from which each channel adds its bias in i64 and requantizes as the scalar
 * kernel (depthwise-scalar-int16.ts). Exact: a product is |·| ≤ 2^22, so up to MAX_SIMD_TAPS taps cannot leave int32.
 */
import type { Window2d } from '../../../ir/window.ts';
import type { Expr, FunctionBuilder } from '../emit/binaryen.ts';
import { accumulator, type MacParams, REQUANT_ROW, requantized } from '../emit/requantize-int16.ts';
import { forInBoundsTaps } from '../emit/window-taps.ts';

/** Most taps (kh·kw) whose int32 sums of products |·| ≤ 2^22 stay exact. */
const MAX_SIMD_TAPS = 511;

const roundUp8 = (c: number) => Math.ceil(c / 8) * 8;

/** Whether this kernel computes a depthwise conv: depth multiplier 1 and at most MAX_SIMD_TAPS taps. */
export function simdDepthwiseFits(w: { kh: number; kw: number }, multiplier: number): boolean {
  return multiplier === 1 && w.kh * w.kw <= MAX_SIMD_TAPS;
}

/** Bytes of the int32 row of one pixel's channel sums. */
export function depthwiseRowBytes(channels: number): number {
  return 4 * roundUp8(channels);
}

/** Weights [1][kh][kw][C] as int16 taps of roundUp8(C), zero-padded (lanes past C then add 0). */
export function widenedDepthwiseWeights(w: Int8Array, taps: number, channels: number): Int16Array {
  const c8 = roundUp8(channels);
  const t = new Int16Array(taps * c8);
  for (let i = 0; i < taps; i++) t.set(w.subarray(i * channels, (i + 1) * channels), i * c8);
  return t;
}

/** Where one SIMD depthwise layer reads and writes. */
export interface SimdDepthwiseLayout {
  x: number;
  y: number;
  /** widenedDepthwiseWeights of the filter. */
  weights: number;
  bias?: { at: number; int64: boolean };
  table: number;
  /** The int32 row of depthwiseRowBytes in scratch. */
  sums: number;
  w: Window2d;
  p: MacParams;
}

/** The kernel's statements. */
export function emitSimdDepthwise16(f: FunctionBuilder, l: SimdDepthwiseLayout): Expr[] {
  const { w, p } = l;
  const { i32x4 } = f.simd;
  const { acc, zero, fromBias, plus } = accumulator(f, p.wide);
  const [b, oy, ox, block, ky, kx, iy, ix, c, yp, row, tmp] = f.i32s(12);
  const [low, high, xv, wv] = [f.v128(), f.v128(), f.v128(), f.v128()];
  const blockBytes = 16;
  const tapBytes = 2 * roundUp8(w.c);
  const tap = [
    xv.set(
      f.loadV128(
        f.add(
          f.add(
            f.c(l.x),
            f.mul(f.add(f.mul(f.add(f.mul(b.get(), f.c(w.h)), iy.get()), f.c(w.w)), ix.get()), f.c(2 * w.c)),
          ),
          block.get(),
        ),
      ),
    ),
    wv.set(
      f.loadV128(
        f.add(f.add(f.c(l.weights), f.mul(f.add(f.mul(ky.get(), f.c(w.kw)), kx.get()), f.c(tapBytes))), block.get()),
      ),
    ),
    low.set(i32x4.add(low.get(), i32x4.extmul_low_i16x8_s(xv.get(), wv.get()))),
    high.set(i32x4.add(high.get(), i32x4.extmul_high_i16x8_s(xv.get(), wv.get()))),
  ];
  // block: the byte offset of eight channels in a pixel's int16; their sums go to 2·block in the int32 row.
  const sumBlocks = f.for(
    block,
    f.c(0),
    f.c(tapBytes),
    [
      low.set(f.i32x4Const(0)),
      high.set(f.i32x4Const(0)),
      forInBoundsTaps(f, w, { oy, ox, ky, kx, iy, ix }, tap),
      f.storeV128(f.add(f.c(l.sums), f.shl(block.get(), f.c(1))), low.get()),
      f.storeV128(f.add(f.c(l.sums), f.shl(block.get(), f.c(1))), high.get(), 16),
    ],
    blockBytes,
  );
  const requantizeRow = f.for(c, f.c(0), f.c(w.c), [
    acc.set(l.bias ? fromBias(f.add(f.c(l.bias.at), f.shl(c.get(), f.c(l.bias.int64 ? 3 : 2))), l.bias.int64) : zero()),
    acc.set(plus(f.load32(f.add(f.c(l.sums), f.shl(c.get(), f.c(2)))))),
    row.set(f.add(f.c(l.table), f.mul(c.get(), f.c(REQUANT_ROW)))),
    f.store16(yp.get(), requantized(f, acc, row, p, tmp)),
    yp.set(f.add(yp.get(), f.c(2))),
  ]);
  return [
    yp.set(f.c(l.y)),
    f.for(b, f.c(0), f.c(w.n), [
      f.for(oy, f.c(0), f.c(w.oh), [f.for(ox, f.c(0), f.c(w.ow), [sumBlocks, requantizeRow])]),
    ]),
  ];
}
