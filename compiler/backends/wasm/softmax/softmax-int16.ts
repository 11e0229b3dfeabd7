/**
 * @fileoverview TFLite's SoftmaxInt16 in WebAssembly (16×8 models), as softmaxInt16 in the reference: per row the
 * max, e = LUT_exp(clamp(mbqm(x − max) + 32767)) and their sum S, one reciprocal LUT_recip(clamp(((S << (h − 1)) +
 * 2^13) >> 14) − 98304)) with h = clz(S), then y = clamp((e·r + 2^(30 − h)) >> (31 − h), 0, 32767). The two
 * 513-entry int16 tables live in the data segment; e is recomputed in the last pass rather than kept in scratch.
 */

import { type NodeOf, tensorOf } from '../../../ir/graph.ts';
import { sizeOf } from '../../../ir/tensor.ts';
import type { Expr, FunctionBuilder, Local } from '../emit/binaryen.ts';
import { type LayerContext, mbqmConst, paramsOf, tensorAddress } from '../emit/layer-context.ts';

/** Where one int16 softmax reads and writes, and its constants. */
export interface Softmax16Layout {
  x: number;
  y: number;
  rows: number;
  depth: number;
  expLut: number;
  reciprocalLut: number;
  inputMultiplier: number;
  inputShift: number;
}

/**
 * Adds `lookup_int16(v, lut)`, TFLite's generic_int16_table_lookup: lut[i] + ((lut[i + 1] − lut[i])·(v & 127) + 64)
 * >> 7 with i = 256 + (v >> 7), wrapped to int16.
 */
function addLookupHelper(f: FunctionBuilder): void {
  f.module.helper('lookup_int16', ['i32', 'i32'], 'i32', (h) => {
    const [at, base] = [h.i32(), h.i32()];
    return [
      at.set(h.add(h.param(1), h.shl(h.add(h.shrS(h.param(0), h.c(7)), h.c(256)), h.c(1)))),
      base.set(h.load16(at.get())),
      h.m.i32.extend16_s(
        h.add(
          base.get(),
          h.shrS(h.add(h.mul(h.sub(h.load16(at.get(), 2), base.get()), h.and(h.param(0), h.c(0x7f))), h.c(64)), h.c(7)),
        ),
      ),
    ];
  });
}

/** Statements computing the softmax of every row. */
export function emitSoftmaxInt16(f: FunctionBuilder, s: Softmax16Layout): Expr {
  addLookupHelper(f);
  const [r, i, max, v, sum, headroom, reciprocal, shift, round, tmp] = f.i32s(10);
  const at = (base: number) => f.add(f.c(base), f.shl(f.add(f.mul(r.get(), f.c(s.depth)), i.get()), f.c(1)));
  const clamp16 = (x: Expr, t: Local) => f.clamp(x, -32768, 32767, t);
  // Built afresh at each use: a binaryen expression may appear only once in the tree.
  const exp = () =>
    f.callI32('lookup_int16', [
      clamp16(
        f.add(mbqmConst(f, f.sub(f.load16(at(s.x)), max.get()), s.inputMultiplier, s.inputShift), f.c(32767)),
        tmp,
      ),
      f.c(s.expLut),
    ]);
  return f.for(r, f.c(0), f.c(s.rows), [
    max.set(f.c(-32768)),
    f.for(i, f.c(0), f.c(s.depth), [
      v.set(f.load16(at(s.x))),
      max.set(f.select(f.gtS(v.get(), max.get()), v.get(), max.get())),
    ]),
    sum.set(f.c(0)),
    f.for(i, f.c(0), f.c(s.depth), [sum.set(f.add(sum.get(), exp()))]),
    // S ≥ 1 (the max's own exponential is 32767), so h ≥ 1, and S << (h − 1) < 2^31: the rounding add fits unsigned.
    headroom.set(f.clz(sum.get())),
    v.set(
      f.sub(
        f.shrU(f.add(f.shl(sum.get(), f.sub(headroom.get(), f.c(1))), f.c(1 << 13)), f.c(14)),
        f.c((1 << 15) + (1 << 16)),
      ),
    ),
    reciprocal.set(f.callI32('lookup_int16', [clamp16(v.get(), tmp), f.c(s.reciprocalLut)])),
    shift.set(f.sub(f.c(31), headroom.get())),
    // 2^(shift − 1), and 0 for shift 0; e·r + round < 2^31 as e, r ≤ 32767 and round ≤ 2^29.
    round.set(f.shrS(f.shl(f.c(1), shift.get()), f.c(1))),
    f.for(i, f.c(0), f.c(s.depth), [
      f.store16(at(s.y), f.clamp(f.shrS(f.add(f.mul(exp(), reciprocal.get()), round.get()), shift.get()), 0, 32767, v)),
    ]),
  ]);
}

/** Emits the function `name` computing a 16×8 softmax node: the two tables placed (once per model), then every row. */
export function emitSoftmaxLayer16(ctx: LayerContext, node: NodeOf<'softmax'>, name: string): void {
  const p = paramsOf(ctx, node, 'softmax16');
  const out = tensorOf(ctx.g, node.outputs[0]!);
  const depth = out.shape[out.shape.length - 1]!;
  const layout = {
    x: tensorAddress(ctx, node.inputs[0]!),
    y: tensorAddress(ctx, node.outputs[0]!),
    rows: sizeOf(out.shape) / depth,
    depth,
    expLut: ctx.data.add('softmax16\0exp', p.expLut),
    reciprocalLut: ctx.data.add('softmax16\0reciprocal', p.reciprocalLut),
    inputMultiplier: p.inputMultiplier,
    inputShift: p.inputShift,
  };
  ctx.module.fn(name, 0, (f) => [emitSoftmaxInt16(f, layout)]);
}
