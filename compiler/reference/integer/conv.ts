/**
 * @fileoverview Integer reference kernels of the MAC ops (TFLite's reference_integer_ops): conv2d (OHWI),
 * depthwise_conv2d ([1,KH,KW,C×M]) and fully_connected ([O,K]), per-channel requantization; int8 activations, or
 * int16 ones (16×8) with the same int8 weights.
 * Sums are exact in float64 (|x·w| ≤ 2^22, so 2^31 products fit in 2^53); an int32 accumulator is then taken
 * modulo 2^32 as C's is, a `wide` (int64) one as it is. int8: |x + in_offset| ≤ 255 and |w| ≤ 127, so int32 holds
 * 66,000 products, more than any window here.
 */

import {
  multiplyByQuantizedMultiplier as mbqm,
  multiplyByQuantizedMultiplier64 as mbqm64,
} from '../../arith/fixed-point.ts';
import { scatterTransposeConv, type Window2d } from '../../ir/window.ts';
import { alike } from '../layout.ts';

/** Activations of a quantized graph: int8, or int16 in 16×8 models. */
export type Activations = Int8Array | Int16Array;

/** The constants of a MAC kernel (see prepare-int8.ts). */
export interface MacParams {
  inputOffset: number;
  outputOffset: number;
  multipliers: Int32Array;
  shifts: Int32Array;
  actMin: number;
  actMax: number;
  wide: boolean;
}

function requantize(acc: number, o: number, p: MacParams): number {
  const v =
    (p.wide ? mbqm64(acc, p.multipliers[o]!, p.shifts[o]!) : mbqm(acc | 0, p.multipliers[o]!, p.shifts[o]!)) +
    p.outputOffset;
  return v < p.actMin ? p.actMin : Math.min(v, p.actMax);
}

/** Regular convolution; padded positions are skipped, i.e. read as the input zero point. */
export function conv2dInt8<T extends Activations>(
  x: T,
  w: Int8Array,
  bias: ArrayLike<number> | undefined,
  g: Window2d,
  outC: number,
  p: MacParams,
): T {
  const y = alike(x, g.n * g.oh * g.ow * outC);
  const { c, kh, kw } = g;
  const off = p.inputOffset;
  let yi = 0;
  for (let n = 0; n < g.n; n++) {
    for (let oy = 0; oy < g.oh; oy++) {
      for (let ox = 0; ox < g.ow; ox++) {
        for (let o = 0; o < outC; o++) {
          let acc = bias ? bias[o]! : 0;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * g.strides[0] - g.pads[0] + ky * g.dilations[0];
            if (iy < 0 || iy >= g.h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * g.strides[1] - g.pads[2] + kx * g.dilations[1];
              if (ix < 0 || ix >= g.w) continue;
              const xb = ((n * g.h + iy) * g.w + ix) * c;
              const wb = ((o * kh + ky) * kw + kx) * c;
              for (let ci = 0; ci < c; ci++) acc += (x[xb + ci]! + off) * w[wb + ci]!;
            }
          }
          y[yi++] = requantize(acc, o, p);
        }
      }
    }
  }
  return y;
}

/**
 * Matrix product over `rows` rows of length k: the pointwise conv and fully connected. Σ (x + off)·w is computed as
 * off·Σw + Σ x·w (equal in exact integer arithmetic), four output channels at a time, so each input byte is loaded
 * once per four MACs.
 */
export function matmulInt8<T extends Activations>(
  x: T,
  w: Int8Array,
  bias: ArrayLike<number> | undefined,
  rows: number,
  k: number,
  outC: number,
  p: MacParams,
): T {
  const y = alike(x, rows * outC);
  const base = new Float64Array(outC);
  for (let o = 0; o < outC; o++) {
    let sw = 0;
    for (let i = 0; i < k; i++) sw += w[o * k + i]!;
    base[o] = (bias ? bias[o]! : 0) + p.inputOffset * sw;
  }
  const o4 = outC - (outC % 4);
  for (let r = 0; r < rows; r++) {
    const xb = r * k;
    const yb = r * outC;
    let o = 0;
    for (; o < o4; o += 4) {
      let a0 = base[o]!;
      let a1 = base[o + 1]!;
      let a2 = base[o + 2]!;
      let a3 = base[o + 3]!;
      const w0 = o * k;
      const w1 = w0 + k;
      const w2 = w1 + k;
      const w3 = w2 + k;
      for (let i = 0; i < k; i++) {
        const xv = x[xb + i]!;
        a0 += xv * w[w0 + i]!;
        a1 += xv * w[w1 + i]!;
        a2 += xv * w[w2 + i]!;
        a3 += xv * w[w3 + i]!;
      }
      y[yb + o] = requantize(a0, o, p);
      y[yb + o + 1] = requantize(a1, o + 1, p);
      y[yb + o + 2] = requantize(a2, o + 2, p);
      y[yb + o + 3] = requantize(a3, o + 3, p);
    }
    for (; o < outC; o++) {
      let acc = base[o]!;
      const wb = o * k;
      for (let i = 0; i < k; i++) acc += x[xb + i]! * w[wb + i]!;
      y[yb + o] = requantize(acc, o, p);
    }
  }
  return y;
}

/** Depthwise convolution: output channel c·M+m reads input channel c. */
export function depthwiseConv2dInt8<T extends Activations>(
  x: T,
  w: Int8Array,
  bias: ArrayLike<number> | undefined,
  g: Window2d,
  multiplier: number,
  p: MacParams,
): T {
  const outC = g.c * multiplier;
  const y = alike(x, g.n * g.oh * g.ow * outC);
  const acc = new Float64Array(outC);
  const off = p.inputOffset;
  for (let n = 0; n < g.n; n++) {
    for (let oy = 0; oy < g.oh; oy++) {
      for (let ox = 0; ox < g.ow; ox++) {
        if (bias) acc.set(bias as ArrayLike<number>);
        else acc.fill(0);
        for (let ky = 0; ky < g.kh; ky++) {
          const iy = oy * g.strides[0] - g.pads[0] + ky * g.dilations[0];
          if (iy < 0 || iy >= g.h) continue;
          for (let kx = 0; kx < g.kw; kx++) {
            const ix = ox * g.strides[1] - g.pads[2] + kx * g.dilations[1];
            if (ix < 0 || ix >= g.w) continue;
            const xb = ((n * g.h + iy) * g.w + ix) * g.c;
            const wb = (ky * g.kw + kx) * outC;
            for (let oc = 0; oc < outC; oc++)
              acc[oc]! += (x[xb + (multiplier === 1 ? oc : Math.floor(oc / multiplier))]! + off) * w[wb + oc]!;
          }
        }
        const yb = ((n * g.oh + oy) * g.ow + ox) * outC;
        for (let oc = 0; oc < outC; oc++) y[yb + oc] = requantize(acc[oc]!, oc, p);
      }
    }
  }
  return y;
}

/**
 * TFLite's reference_integer_ops::TransposeConv: Σ (x + in_offset)·w scattered into an int32 scratch of the whole
 * output (TFLite's loop order differs; integer sums do not care), then bias and per-channel requantization.
 */
export function transposeConv2dInt8(
  x: Int8Array,
  w: Int8Array,
  bias: Int32Array | undefined,
  g: Window2d,
  outC: number,
  p: MacParams,
): Int8Array {
  const acc = new Int32Array(g.n * g.oh * g.ow * outC);
  const off = p.inputOffset;
  scatterTransposeConv(g, outC, (xi, wi, yi) => (acc[yi]! += (x[xi]! + off) * w[wi]!));
  return Int8Array.from(acc, (a, i) => requantize(a + (bias ? bias[i % outC]! : 0), i % outC, p));
}
