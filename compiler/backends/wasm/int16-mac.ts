/**
 * @fileoverview The 16×8 MAC kernels in WebAssembly (scalar): conv2d of any window, the pointwise conv and fully
 * connected layer as a 1×1 conv over rows, and the depthwise conv with any multiplier; int16 activations, int8
 * weights. As the reference (compiler/reference/int8/conv.ts): a `wide` node accumulates in i64 from its int64 bias
 * and requantizes with TFLite's int64 MultiplyByQuantizedMultiplier; otherwise the i32 accumulator wraps and the
 * shared int32 `mbqm` requantizes. A product |x·w| ≤ 2^22 is exact in i32 either way.
 */
import { NodeOf, tensorOf } from '../../ir/graph.ts';
import { sizeOf } from '../../ir/tensor.ts';
import { isPointwiseConv } from '../../quantize/prepare-int8.ts';
import { Window2d, windowOf } from '../../reference/window.ts';
import { Expr, FunctionBuilder, Local } from './binaryen.ts';
import type { LayerContext } from './render-layers.ts';
import { paramsOf, tensorAddress } from './scalar-layers.ts';

type MacParams = ReturnType<typeof paramsOf<'mac'>>;

/** Bytes of one channel's row in the requantization table (see requantTable). */
const REQUANT_ROW = 16;

/**
 * Per-channel requantization constants, REQUANT_ROW bytes a channel. Wide: (reduced, total, round as i64) such that
 * y = (acc·reduced + round) >> total is TFLite's int64 MBQM, with the Q15 multiplier reduced = M < 0x7FFF0000 ?
 * (M + 2^15) >> 16 : 0x7FFF, total = 15 − shift and round = 2^(total − 1). A shift of 15 or more (total ≤ 0, beyond
 * TFLite's DCHECK) is folded into the multiplier as the reference computes it: no rounding, a left shift by −total.
 * Narrow: (M, left shift, right shift, 0) for the int32 `mbqm`.
 */
function requantTable(p: MacParams): Int32Array {
  const t = new Int32Array((p.multipliers.length * REQUANT_ROW) / 4);
  p.multipliers.forEach((m, c) => {
    const row = (c * REQUANT_ROW) / 4;
    const shift = p.shifts[c];
    if (!p.wide) {
      t.set([m, Math.max(shift, 0), Math.max(-shift, 0)], row);
      return;
    }
    const reduced = m < 0x7fff0000 ? (m + (1 << 15)) >> 16 : 0x7fff;
    const total = 15 - shift;
    const round = total > 0 ? 2n ** BigInt(total - 1) : 0n;
    t.set([total > 0 ? reduced : reduced * 2 ** -total, Math.max(total, 0)], row);
    t.set(new Int32Array(BigInt64Array.of(round).buffer), row + 2);
  });
  return t;
}

/** Where one MAC layer reads and writes, and what it computes. */
interface MacLayout {
  x: number;
  y: number;
  weights: number;
  /** The bias array's address and element width, if the node has a bias. */
  bias?: { at: number; int64: boolean };
  table: number;
  w: Window2d;
  outC: number;
  /** The depth multiplier of a depthwise conv; undefined for a regular conv (weights OHWI). */
  depthMultiplier?: number;
  p: MacParams;
}

/** The accumulator, i64 or i32, and the few operations the kernel needs on it. */
function accumulator(f: FunctionBuilder, wide: boolean) {
  const i64 = f.i64ops;
  const acc = wide ? f.i64() : f.i32();
  return {
    acc,
    zero: (): Expr => (wide ? i64.const(0n) : f.c(0)),
    fromBias: (at: Expr, int64: boolean): Expr => (int64 ? f.load64(at) : wide ? i64.extend_s(f.load32(at)) : f.load32(at)),
    plus: (product: Expr): Expr => (wide ? i64.add(acc.get(), i64.extend_s(product)) : f.add(acc.get(), product)),
  };
}

/** The requantized, clamped output of channel `o` from the accumulator (`row` holds the channel's table address). */
function requantized(f: FunctionBuilder, acc: Local, row: Local, p: MacParams, tmp: Local): Expr {
  if (!p.wide) return f.clamp(f.add(f.callI32('mbqm', [acc.get(), f.load32(row.get()), f.load32(row.get(), 4), f.load32(row.get(), 8)]), f.c(p.outputOffset)), p.actMin, p.actMax, tmp);
  const i64 = f.i64ops;
  const scaled = i64.shr_s(i64.add(i64.mul(acc.get(), i64.extend_s(f.load32(row.get()))), f.load64(row.get(), 8)), i64.extend_u(f.load32(row.get(), 4)));
  // Clamped while still int64: the reference clamps the exact value, which may exceed int32.
  const lo = BigInt(p.actMin - p.outputOffset);
  const hi = BigInt(p.actMax - p.outputOffset);
  return f.then(
    [acc.set(scaled), acc.set(f.select(i64.lt_s(acc.get(), i64.const(lo)), i64.const(lo), acc.get())), acc.set(f.select(i64.gt_s(acc.get(), i64.const(hi)), i64.const(hi), acc.get()))],
    f.add(f.m.i32.wrap(acc.get()), f.c(p.outputOffset)),
  );
}

/** The kernel: for each output pixel and channel, bias plus the window's products, requantized. */
function emitMac(f: FunctionBuilder, l: MacLayout): Expr[] {
  const { w, outC, p } = l;
  const depthwise = l.depthMultiplier !== undefined;
  const { acc, zero, fromBias, plus } = accumulator(f, p.wide);
  const [b, oy, ox, o, ky, kx, iy, ix, ci, xp, wp, yp, row, tmp] = Array.from({ length: 14 }, () => f.i32());
  // Per in-bounds tap (xp: the input pixel, wp: the tap's weights): a regular conv sums the input channels ci
  // against w[o][ky][kx][ci]; a depthwise conv reads one input channel, o / multiplier, against w[0][ky][kx][o].
  const channels = depthwise ? 1 : w.c;
  const inputChannel = depthwise ? f.divS(o.get(), f.c(l.depthMultiplier as number)) : ci.get();
  const tapWeights = depthwise ? f.add(f.mul(f.add(f.mul(ky.get(), f.c(w.kw)), kx.get()), f.c(outC)), o.get()) : f.mul(f.add(f.mul(f.add(f.mul(o.get(), f.c(w.kh)), ky.get()), f.c(w.kw)), kx.get()), f.c(w.c));
  const x = f.load16(f.add(xp.get(), f.shl(inputChannel, f.c(1))));
  const inputValue = p.inputOffset === 0 ? x : f.add(x, f.c(p.inputOffset));
  const inside = (v: Local, size: number) => f.and(f.geS(v.get(), f.c(0)), f.ltS(v.get(), f.c(size)));
  return [
    yp.set(f.c(l.y)),
    f.for(b, f.c(0), f.c(w.n), [
      f.for(oy, f.c(0), f.c(w.oh), [
        f.for(ox, f.c(0), f.c(w.ow), [
          f.for(o, f.c(0), f.c(outC), [
            acc.set(l.bias ? fromBias(f.add(f.c(l.bias.at), f.shl(o.get(), f.c(l.bias.int64 ? 3 : 2))), l.bias.int64) : zero()),
            f.for(ky, f.c(0), f.c(w.kh), [
              iy.set(f.add(f.sub(f.mul(oy.get(), f.c(w.strides[0])), f.c(w.pads[0])), f.mul(ky.get(), f.c(w.dilations[0])))),
              f.if(inside(iy, w.h), [
                f.for(kx, f.c(0), f.c(w.kw), [
                  ix.set(f.add(f.sub(f.mul(ox.get(), f.c(w.strides[1])), f.c(w.pads[2])), f.mul(kx.get(), f.c(w.dilations[1])))),
                  f.if(inside(ix, w.w), [
                    xp.set(f.add(f.c(l.x), f.mul(f.add(f.mul(f.add(f.mul(b.get(), f.c(w.h)), iy.get()), f.c(w.w)), ix.get()), f.c(2 * w.c)))),
                    wp.set(f.add(f.c(l.weights), tapWeights)),
                    f.for(ci, f.c(0), f.c(channels), [acc.set(plus(f.mul(inputValue, f.load8(f.add(wp.get(), ci.get())))))]),
                  ]),
                ]),
              ]),
            ]),
            row.set(f.add(f.c(l.table), f.mul(o.get(), f.c(REQUANT_ROW)))),
            f.store16(yp.get(), requantized(f, acc, row, p, tmp)),
            yp.set(f.add(yp.get(), f.c(2))),
          ]),
        ]),
      ]),
    ]),
  ];
}

/** Emits the function `name` computing a 16×8 conv2d, depthwise_conv2d or fully_connected node. */
export function emitInt16Mac(ctx: LayerContext, node: NodeOf<'conv2d' | 'depthwise_conv2d' | 'fully_connected'>, name: string): void {
  const { g } = ctx;
  const input = tensorOf(g, node.inputs[0]);
  const out = tensorOf(g, node.outputs[0]);
  const filter = tensorOf(g, node.inputs[1]);
  const p = paramsOf(ctx, node, 'mac');
  const bias = node.inputs[2] === undefined ? undefined : { at: tensorAddress(ctx, node.inputs[2]), int64: tensorOf(g, node.inputs[2]).dtype === 'int64' };
  const k = sizeOf(filter.shape) / filter.shape[0];
  // A matrix product is a 1×1 conv over its rows.
  const rows = sizeOf(input.shape) / k;
  const w: Window2d =
    node.op === 'fully_connected' || isPointwiseConv(g, node)
      ? { n: 1, h: rows, w: 1, c: k, oh: rows, ow: 1, kh: 1, kw: 1, strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0] }
      : windowOf(input, out, filter.shape[1], filter.shape[2], node.attrs);
  const layout: MacLayout = {
    x: tensorAddress(ctx, node.inputs[0]),
    y: tensorAddress(ctx, node.outputs[0]),
    weights: tensorAddress(ctx, node.inputs[1]),
    ...(bias ? { bias } : {}),
    table: ctx.data.add(`${node.name}\0requant16`, requantTable(p)),
    w,
    outC: node.op === 'depthwise_conv2d' ? filter.shape[3] : filter.shape[0],
    ...(node.op === 'depthwise_conv2d' ? { depthMultiplier: node.attrs.depthMultiplier } : {}),
    p,
  };
  ctx.module.fn(name, 0, (f) => emitMac(f, layout));
}
