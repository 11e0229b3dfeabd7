/**
 * @fileoverview The SIMD128 int8 depthwise convolution: for each output pixel, channels go eight at a time as i16
 * lanes into two i32x4 accumulators, the window unrolled at compile time. Interior pixels multiply x·w in i16 (the
 * input offset is folded into their bias) and widen once per two taps; border pixels check each tap's bounds and
 * add the input offset, so padding taps contribute nothing. Channels past C read padded zero weights and are never
 * stored. A pixel's accumulators go to an int32 row in the scratch, requantized with one call per pixel. A depth
 * multiplier other than 1 takes a scalar loop.
 */

import { type Window2d, windowInterior } from '../../../ir/window.ts';
import type { Expr, FunctionBuilder } from '../emit/binaryen.ts';
import { requantizeRow, type SimdRequant, storeRequantized } from '../emit/requantize-int8.ts';

/** The constants of one depthwise layer. */
export interface SimdDepthwise {
  x: number;
  y: number;
  /** Scratch of depthwiseScratchBytes: one pixel's int32 accumulators. */
  acc: number;
  /** The scalar requantization table (channelRequant), used when `vector` is absent. */
  table: number;
  /** The SIMD requantization table's address and constants, when the layer's shifts allow it. */
  vector?: { at: number; rq: SimdRequant };
  w: Window2d;
  multiplier: number;
  p: { inputOffset: number; outputOffset: number; actMin: number; actMax: number };
}

/** Depthwise constants laid out for the SIMD kernel (addresses in linear memory once placed). */
export interface DepthwiseConstants<T> {
  /** Weights widened to int16 (a plain v128 load per tap and eight channels), eight channels a block (zeros past C). */
  weights: T;
  /** The bias, padded likewise. */
  bias: T;
  /** bias + input_offset·Σ_taps w, for pixels whose window lies inside the input (no padding taps). */
  folded: T;
}

/** Depthwise weights (int16) and biases padded to a multiple of eight channels per tap, zeros past C. */
export function simdDepthwiseConstants(
  weights: Int8Array,
  bias: Int32Array,
  taps: number,
  channels: number,
  inputOffset: number,
): DepthwiseConstants<Int16Array | Int32Array> {
  const padded = Math.ceil(channels / 8) * 8;
  const w = new Int16Array(taps * padded);
  for (let t = 0; t < taps; t++) w.set(weights.subarray(t * channels, (t + 1) * channels), t * padded);
  const b = new Int32Array(padded);
  b.set(bias);
  const folded = Int32Array.from(b, (v, c) => {
    let sum = 0;
    for (let t = 0; t < taps; t++) sum += w[t * padded + c]!;
    return v + inputOffset * sum;
  });
  return { weights: w, bias: b, folded };
}

/** Scratch bytes of a depthwise kernel with `channels` output channels: one pixel's accumulators, in blocks of eight. */
export function depthwiseScratchBytes(channels: number): number {
  return Math.ceil(channels / 8) * 32;
}

/** Whether two x·w products can share an i16 lane: |x·w| ≤ 128·127 unless a weight is −128 (the spec's weights never are). */
export function productsPairInInt16(weights: Int8Array): boolean {
  return !weights.includes(-128);
}

/**
 * Statements of the whole layer; `at` holds the addresses of simdDepthwiseConstants' arrays. Pixels whose window
 * lies inside the input take a fast body: no bounds checks, tap addresses as constant load offsets, the input
 * offset folded into the bias, and (when `pairTaps`) two taps' products summed in i16 before one widening.
 */
export function emitSimdDepthwise(
  f: FunctionBuilder,
  d: SimdDepthwise,
  at: DepthwiseConstants<number>,
  pairTaps: boolean,
): Expr {
  const { w } = d;
  const outC = w.c * d.multiplier;
  if (d.multiplier !== 1) return emitScalarDepthwise(f, d, at.weights, at.bias);
  const padded = Math.ceil(outC / 8) * 8;
  const { i16x8, i32x4 } = f.simd;
  const [oy, ox, c0, iy, ix, yp, xb] = [f.i32(), f.i32(), f.i32(), f.i32(), f.i32(), f.i32(), f.i32()];
  const [lo, hi, xv, wv, off, prod] = [f.v128(), f.v128(), f.v128(), f.v128(), f.v128(), f.v128()];
  const tapList = Array.from({ length: w.kh * w.kw }, (_, t) => ({
    ky: Math.floor(t / w.kw),
    kx: t % w.kw,
    wOffset: t * padded,
  }));
  /** Border pixels: each tap checks its bounds and adds the input offset (padding taps contribute nothing). */
  const borderTaps = (): Expr[] =>
    tapList.flatMap(({ ky, kx, wOffset }) => [
      iy.set(f.add(f.sub(f.mul(oy.get(), f.c(w.strides[0])), f.c(w.pads[0])), f.c(ky * w.dilations[0]))),
      ix.set(f.add(f.sub(f.mul(ox.get(), f.c(w.strides[1])), f.c(w.pads[2])), f.c(kx * w.dilations[1]))),
      f.if(
        f.m.i32.and(
          f.m.i32.and(f.geS(iy.get(), f.c(0)), f.ltS(iy.get(), f.c(w.h))),
          f.m.i32.and(f.geS(ix.get(), f.c(0)), f.ltS(ix.get(), f.c(w.w))),
        ),
        [
          xv.set(
            i16x8.add(
              f.load8x8(f.add(f.c(d.x), f.add(f.mul(f.add(f.mul(iy.get(), f.c(w.w)), ix.get()), f.c(w.c)), c0.get()))),
              off.get(),
            ),
          ),
          wv.set(f.loadV128(f.add(f.c(at.weights + 2 * wOffset), f.shl(c0.get(), f.c(1))))),
          lo.set(i32x4.add(lo.get(), i32x4.extmul_low_i16x8_s(xv.get(), wv.get()))),
          hi.set(i32x4.add(hi.get(), i32x4.extmul_high_i16x8_s(xv.get(), wv.get()))),
        ],
      ),
    ]);
  /** Interior pixels: xb is the window's top-left input address; products of up to two taps summed in i16, then widened. */
  const interiorTaps = (): Expr[] => {
    const product = (t: (typeof tapList)[number]) =>
      i16x8.mul(
        f.load8x8(f.add(xb.get(), c0.get()), (t.ky * w.dilations[0] * w.w + t.kx * w.dilations[1]) * w.c),
        f.loadV128(f.add(f.c(at.weights), f.shl(c0.get(), f.c(1))), 2 * t.wOffset),
      );
    const chunk = pairTaps ? 2 : 1;
    const out: Expr[] = [];
    for (let i = 0; i < tapList.length; i += chunk) {
      const taps = tapList.slice(i, i + chunk);
      out.push(
        prod.set(taps.map(product).reduce((a, b) => i16x8.add(a, b))),
        lo.set(i32x4.add(lo.get(), i32x4.extend_low_i16x8_s(prod.get()))),
        hi.set(i32x4.add(hi.get(), i32x4.extend_high_i16x8_s(prod.get()))),
      );
    }
    return out;
  };
  const full = Math.floor(outC / 8);
  const rest = outC % 8;
  /** All channels of one pixel into the accumulator row: full blocks of eight in a loop, then the tail block. */
  const channels = (biasAt: number, taps: () => Expr[]): Expr[] => {
    const at = () => f.shl(c0.get(), f.c(2));
    const block = (): Expr[] => [
      lo.set(f.loadV128(f.add(f.c(biasAt), at()))),
      hi.set(f.loadV128(f.add(f.c(biasAt), at()), 16)),
      ...taps(),
      f.storeV128(f.add(f.c(d.acc), at()), lo.get()),
      f.storeV128(f.add(f.c(d.acc), at()), hi.get(), 16),
    ];
    return [
      ...(full > 0 ? [f.for(c0, f.c(0), f.c(full * 8), block(), 8)] : []),
      ...(rest > 0 ? [c0.set(f.c(full * 8)), ...block()] : []),
    ];
  };
  const {
    y: [y0, y1],
    x: [x0, x1],
  } = windowInterior(w);
  const inside = f.m.i32.and(
    f.m.i32.and(f.geS(oy.get(), f.c(y0)), f.ltS(oy.get(), f.c(y1 + 1))),
    f.m.i32.and(f.geS(ox.get(), f.c(x0)), f.ltS(ox.get(), f.c(x1 + 1))),
  );
  return f.block([
    off.set(i16x8.splat(f.c(d.p.inputOffset))),
    f.for(oy, f.c(0), f.c(w.oh), [
      f.for(ox, f.c(0), f.c(w.ow), [
        yp.set(f.add(f.c(d.y), f.mul(f.add(f.mul(oy.get(), f.c(w.ow)), ox.get()), f.c(outC)))),
        f.if(
          inside,
          [
            xb.set(
              f.add(
                f.c(d.x),
                f.mul(
                  f.add(
                    f.mul(f.sub(f.mul(oy.get(), f.c(w.strides[0])), f.c(w.pads[0])), f.c(w.w)),
                    f.sub(f.mul(ox.get(), f.c(w.strides[1])), f.c(w.pads[2])),
                  ),
                  f.c(w.c),
                ),
              ),
            ),
            ...channels(at.folded, interiorTaps),
          ],
          channels(at.bias, borderTaps),
        ),
        requantizeRow(f, f.c(d.acc), yp.get(), outC, d, d.p),
      ]),
    ]),
  ]);
}

/** The plain loop for depth multipliers above one: output channel oc reads input channel ⌊oc / M⌋. */
function emitScalarDepthwise(f: FunctionBuilder, d: SimdDepthwise, weights: number, bias: number): Expr {
  const { w } = d;
  const outC = w.c * d.multiplier;
  const padded = Math.ceil(outC / 8) * 8;
  const [oy, ox, oc, ky, kx, iy, ix, acc, tmp] = [
    f.i32(),
    f.i32(),
    f.i32(),
    f.i32(),
    f.i32(),
    f.i32(),
    f.i32(),
    f.i32(),
    f.i32(),
  ];
  const inside = f.m.i32.and(
    f.m.i32.and(f.geS(iy.get(), f.c(0)), f.ltS(iy.get(), f.c(w.h))),
    f.m.i32.and(f.geS(ix.get(), f.c(0)), f.ltS(ix.get(), f.c(w.w))),
  );
  const xAt = f.add(
    f.c(d.x),
    f.add(f.mul(f.add(f.mul(iy.get(), f.c(w.w)), ix.get()), f.c(w.c)), f.divS(oc.get(), f.c(d.multiplier))),
  );
  const wAt = f.add(
    f.c(weights),
    f.shl(f.add(f.mul(f.add(f.mul(ky.get(), f.c(w.kw)), kx.get()), f.c(padded)), oc.get()), f.c(1)),
  );
  return f.for(oy, f.c(0), f.c(w.oh), [
    f.for(ox, f.c(0), f.c(w.ow), [
      f.for(oc, f.c(0), f.c(outC), [
        acc.set(f.load32(f.add(f.c(bias), f.shl(oc.get(), f.c(2))))),
        f.for(ky, f.c(0), f.c(w.kh), [
          iy.set(
            f.add(f.sub(f.mul(oy.get(), f.c(w.strides[0])), f.c(w.pads[0])), f.mul(ky.get(), f.c(w.dilations[0]))),
          ),
          f.for(kx, f.c(0), f.c(w.kw), [
            ix.set(
              f.add(f.sub(f.mul(ox.get(), f.c(w.strides[1])), f.c(w.pads[2])), f.mul(kx.get(), f.c(w.dilations[1]))),
            ),
            f.if(inside, [acc.set(f.add(acc.get(), f.mul(f.add(f.load8(xAt), f.c(d.p.inputOffset)), f.load16(wAt))))]),
          ]),
        ]),
        storeRequantized(
          f,
          f.add(f.c(d.y), f.add(f.mul(f.add(f.mul(oy.get(), f.c(w.ow)), ox.get()), f.c(outC)), oc.get())),
          acc.get(),
          d.table,
          oc.get(),
          d.p,
          tmp,
        ),
      ]),
    ]),
  ]);
}
