/**
 * @fileoverview The SIMD128 int8 depthwise convolution: for each output pixel, channels go eight at a time as i16
 * lanes, (x + input_offset) · w widened with i32x4.extmul into two i32x4 accumulators per tap. The window is
 * unrolled at compile time (its size is a constant) with run-time bounds checks for padding; channels past C
 * read padded zero weights and are never stored. A depth multiplier other than 1 takes a scalar loop.
 */
import { Expr, FunctionBuilder } from './binaryen.ts';
import { SimdRequant, narrowToInt8, requantizeV128, storeInt8Lanes, storeRequantized } from './requantize.ts';
import { SPILL } from './simd-matmul.ts';
import { Window2d } from '../../reference/window.ts';

/** The constants of one depthwise layer. */
export interface SimdDepthwise {
  x: number;
  y: number;
  /** The scalar requantization table (channelRequant), used when `vector` is absent. */
  table: number;
  /** The SIMD requantization table's address and constants, when the layer's shifts allow it. */
  vector?: { at: number; rq: SimdRequant };
  w: Window2d;
  multiplier: number;
  p: { inputOffset: number; outputOffset: number; actMin: number; actMax: number };
}

/** Depthwise weights padded to a multiple of eight channels per tap, and the bias likewise (zeros past C). */
export function simdDepthwiseConstants(weights: Int8Array, bias: Int32Array, taps: number, channels: number): { weights: Int8Array; bias: Int32Array } {
  const padded = Math.ceil(channels / 8) * 8;
  const w = new Int8Array(taps * padded);
  for (let t = 0; t < taps; t++) w.set(weights.subarray(t * channels, (t + 1) * channels), t * padded);
  const b = new Int32Array(padded);
  b.set(bias);
  return { weights: w, bias: b };
}

/** Statements of the whole layer; `weights` and `bias` addresses hold simdDepthwiseConstants' arrays. */
export function emitSimdDepthwise(f: FunctionBuilder, d: SimdDepthwise, weights: number, bias: number): Expr {
  const { w } = d;
  const outC = w.c * d.multiplier;
  if (d.multiplier !== 1) return emitScalarDepthwise(f, d, weights, bias);
  const padded = Math.ceil(outC / 8) * 8;
  const { i16x8, i32x4 } = f.simd;
  const [oy, ox, c0, iy, ix, yp, tmp] = [f.i32(), f.i32(), f.i32(), f.i32(), f.i32(), f.i32(), f.i32()];
  const [lo, hi, xv, wv, off] = [f.v128(), f.v128(), f.v128(), f.v128(), f.v128()];
  const taps = (): Expr[] => {
  const out: Expr[] = [];
  for (let ky = 0; ky < w.kh; ky++) {
    for (let kx = 0; kx < w.kw; kx++) {
      const tapOffset = (ky * w.kw + kx) * padded;
      out.push(
        iy.set(f.add(f.sub(f.mul(oy.get(), f.c(w.strides[0])), f.c(w.pads[0])), f.c(ky * w.dilations[0]))),
        ix.set(f.add(f.sub(f.mul(ox.get(), f.c(w.strides[1])), f.c(w.pads[2])), f.c(kx * w.dilations[1]))),
        f.if(f.m.i32.and(f.m.i32.and(f.geS(iy.get(), f.c(0)), f.ltS(iy.get(), f.c(w.h))), f.m.i32.and(f.geS(ix.get(), f.c(0)), f.ltS(ix.get(), f.c(w.w)))), [
          xv.set(i16x8.add(f.load8x8(f.add(f.c(d.x), f.add(f.mul(f.add(f.mul(iy.get(), f.c(w.w)), ix.get()), f.c(w.c)), c0.get()))), off.get())),
          wv.set(f.load8x8(f.add(f.c(weights + tapOffset), c0.get()))),
          lo.set(i32x4.add(lo.get(), i32x4.extmul_low_i16x8_s(xv.get(), wv.get()))),
          hi.set(i32x4.add(hi.get(), i32x4.extmul_high_i16x8_s(xv.get(), wv.get()))),
        ]),
      );
    }
  }
  return out;
  };
  const [lane, count, tp] = [f.i32(), f.i32(), f.i32()];
  const packed = f.v128();
  /** Requantizes and stores `lanes` channels from c0: as one SIMD vector, or one by one through the spill area. */
  const stores = (lanes: number): Expr[] => {
    const v = d.vector;
    if (v) {
      return [
        tp.set(f.add(f.c(v.at), f.shl(c0.get(), f.c(4)))),
        packed.set(narrowToInt8(f, [requantizeV128(f, lo.get(), () => tp.get(), 0, v.rq, d.p), requantizeV128(f, hi.get(), () => tp.get(), 64, v.rq, d.p)])),
        ...storeInt8Lanes(f, () => f.add(yp.get(), c0.get()), packed, lanes),
      ];
    }
    return [
      f.storeV128(f.c(SPILL), lo.get()),
      f.storeV128(f.c(SPILL), hi.get(), 16),
      count.set(f.c(lanes)),
      f.for(lane, f.c(0), count.get(), [storeRequantized(f, f.add(yp.get(), f.add(c0.get(), lane.get())), f.load32(f.add(f.c(SPILL), f.shl(lane.get(), f.c(2)))), d.table, f.add(c0.get(), lane.get()), d.p, tmp)]),
    ];
  };
  const block = (lanes: number): Expr[] => [lo.set(f.loadV128(f.add(f.c(bias), f.shl(c0.get(), f.c(2))))), hi.set(f.loadV128(f.add(f.c(bias), f.shl(c0.get(), f.c(2))), 16)), ...taps(), ...stores(lanes)];
  const full = Math.floor(outC / 8);
  const rest = outC % 8;
  return f.block([
    off.set(i16x8.splat(f.c(d.p.inputOffset))),
    f.for(oy, f.c(0), f.c(w.oh), [
      f.for(ox, f.c(0), f.c(w.ow), [
        yp.set(f.add(f.c(d.y), f.mul(f.add(f.mul(oy.get(), f.c(w.ow)), ox.get()), f.c(outC)))),
        ...(full > 0 ? [f.for(c0, f.c(0), f.c(full * 8), block(8), 8)] : []),
        ...(rest > 0 ? [c0.set(f.c(full * 8)), ...block(rest)] : []),
      ]),
    ]),
  ]);
}

/** The plain loop for depth multipliers above one: output channel oc reads input channel ⌊oc / M⌋. */
function emitScalarDepthwise(f: FunctionBuilder, d: SimdDepthwise, weights: number, bias: number): Expr {
  const { w } = d;
  const outC = w.c * d.multiplier;
  const padded = Math.ceil(outC / 8) * 8;
  const [oy, ox, oc, ky, kx, iy, ix, acc, tmp] = [f.i32(), f.i32(), f.i32(), f.i32(), f.i32(), f.i32(), f.i32(), f.i32(), f.i32()];
  const inside = f.m.i32.and(f.m.i32.and(f.geS(iy.get(), f.c(0)), f.ltS(iy.get(), f.c(w.h))), f.m.i32.and(f.geS(ix.get(), f.c(0)), f.ltS(ix.get(), f.c(w.w))));
  const xAt = f.add(f.c(d.x), f.add(f.mul(f.add(f.mul(iy.get(), f.c(w.w)), ix.get()), f.c(w.c)), f.divS(oc.get(), f.c(d.multiplier))));
  const wAt = f.add(f.c(weights), f.add(f.mul(f.add(f.mul(ky.get(), f.c(w.kw)), kx.get()), f.c(padded)), oc.get()));
  return f.for(oy, f.c(0), f.c(w.oh), [
    f.for(ox, f.c(0), f.c(w.ow), [
      f.for(oc, f.c(0), f.c(outC), [
        acc.set(f.load32(f.add(f.c(bias), f.shl(oc.get(), f.c(2))))),
        f.for(ky, f.c(0), f.c(w.kh), [
          iy.set(f.add(f.sub(f.mul(oy.get(), f.c(w.strides[0])), f.c(w.pads[0])), f.mul(ky.get(), f.c(w.dilations[0])))),
          f.for(kx, f.c(0), f.c(w.kw), [
            ix.set(f.add(f.sub(f.mul(ox.get(), f.c(w.strides[1])), f.c(w.pads[2])), f.mul(kx.get(), f.c(w.dilations[1])))),
            f.if(inside, [acc.set(f.add(acc.get(), f.mul(f.add(f.load8(xAt), f.c(d.p.inputOffset)), f.load8(wAt))))]),
          ]),
        ]),
        storeRequantized(f, f.add(f.c(d.y), f.add(f.mul(f.add(f.mul(oy.get(), f.c(w.ow)), ox.get()), f.c(outC)), oc.get())), acc.get(), d.table, oc.get(), d.p, tmp),
      ]),
    ]),
  ]);
}
