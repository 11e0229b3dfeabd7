/**
 * @fileoverview TFLite's int8 softmax in WebAssembly, as te_softmax_s8 in C: per row the max, the Q12.19 sum of the
 * exponent table's entries, GetReciprocal (gemmlowp's Newton–Raphson 1/(1 + x) as a shared helper), and each output
 * RDBPOT(SRDHM(scale, T[d]), n + 23) − 128, which is the shared mbqm with no left shift.
 */

import { INT32_MAX, INT32_MIN } from '../../../arith/fixed-point.ts';
import { FORTY_EIGHT_OVER_17, MINUS_THIRTY_TWO_OVER_17 } from '../../../arith/gemmlowp.ts';
import { type NodeOf, tensorOf } from '../../../ir/graph.ts';
import { sizeOf } from '../../../ir/tensor.ts';
import { SOFTMAX_SUM_INTEGER_BITS } from '../../../quantize/prepare/probability-tables.ts';
import type { Expr, FunctionBuilder, Local } from '../emit/binaryen.ts';
import { tensorAddress as addr, type LayerContext, paramsOf } from '../emit/layer-context.ts';
import { srdhm } from '../emit/requantize-int8.ts';

/** Where one softmax reads and writes: int8 rows of `depth` at x and y, the int32 exponent table at `table`. */
export interface SoftmaxLayout {
  x: number;
  y: number;
  table: number;
  rows: number;
  depth: number;
}

/** gemmlowp SaturatingRoundingMultiplyByPOT for a constant exponent in 1..30: x·2^exponent, saturating. */
function saturatingShl(f: FunctionBuilder, x: Local, exponent: number): Expr {
  const threshold = 2 ** (31 - exponent) - 1;
  return f.select(
    f.gtS(x.get(), f.c(threshold)),
    f.c(INT32_MAX),
    f.select(f.ltS(x.get(), f.c(-threshold)), f.c(INT32_MIN), f.shl(x.get(), f.c(exponent))),
  );
}

/** Adds `one_over_one_plus_x(a)`: 1/(1 + a) in Q0.31 for a in [0, 1) as Q0.31, as gemmlowp computes it. */
function addReciprocalHelper(f: FunctionBuilder): void {
  f.module.helper('one_over_one_plus_x', ['i32'], 'i32', (h) => {
    const [half, x, t] = [h.i32(), h.i32(), h.i32()];
    // A binaryen expression may stand in one place only: each step is built anew.
    const step = () => [
      t.set(srdhm(h, x.get(), h.sub(h.c(1 << 29), srdhm(h, half.get(), x.get())))),
      x.set(h.add(x.get(), saturatingShl(h, t, 2))),
    ];
    return [
      // RoundingHalfSum(a, 1.0) = (a + 2^31) / 2 for a ≥ 0: exact as an unsigned shift.
      half.set(h.shrU(h.add(h.param(0), h.c(INT32_MIN)), h.c(1))),
      x.set(h.add(h.c(FORTY_EIGHT_OVER_17), srdhm(h, half.get(), h.c(MINUS_THIRTY_TWO_OVER_17)))),
      ...step(),
      ...step(),
      ...step(),
      // Q2.29 halved is Q1.30 (same bits), then to Q0.31.
      saturatingShl(h, x, 1),
    ];
  });
}

/** Statements computing the softmax of every row. */
export function emitSoftmax(f: FunctionBuilder, s: SoftmaxLayout): Expr {
  addReciprocalHelper(f);
  const [r, i, max, sum, v, headroom, scale, shift, tmp] = [
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
  const at = () => f.add(f.mul(r.get(), f.c(s.depth)), i.get());
  const xi = () => f.load8(f.add(f.c(s.x), at()));
  const e = () => f.load32(f.add(f.c(s.table), f.shl(f.sub(max.get(), xi()), f.c(2))));
  const bits = SOFTMAX_SUM_INTEGER_BITS;
  return f.for(r, f.c(0), f.c(s.rows), [
    max.set(f.c(-128)),
    f.for(i, f.c(0), f.c(s.depth), [v.set(xi()), max.set(f.select(f.gtS(v.get(), max.get()), v.get(), max.get()))]),
    sum.set(f.c(0)),
    // RDBPOT(v, 12) for v ≥ 0 is v / 2^12 rounded half up: the quotient plus bit 11.
    f.for(i, f.c(0), f.c(s.depth), [
      v.set(e()),
      sum.set(f.add(sum.get(), f.add(f.shrS(v.get(), f.c(bits)), f.and(f.shrS(v.get(), f.c(bits - 1)), f.c(1))))),
    ]),
    headroom.set(f.clz(sum.get())),
    scale.set(f.callI32('one_over_one_plus_x', [f.and(f.shl(sum.get(), headroom.get()), f.c(INT32_MAX))])),
    shift.set(f.sub(f.c(bits + 31 - 8), headroom.get())),
    // Beyond a shift of 31 (TFLM aborts there) every quotient rounds to 0, as scale 0 with shift 31 gives.
    scale.set(f.select(f.gtS(shift.get(), f.c(31)), f.c(0), scale.get())),
    shift.set(f.select(f.gtS(shift.get(), f.c(31)), f.c(31), shift.get())),
    f.for(i, f.c(0), f.c(s.depth), [
      f.store8(
        f.add(f.c(s.y), at()),
        f.clamp(f.sub(f.callI32('mbqm', [e(), scale.get(), f.c(0), shift.get()]), f.c(128)), -128, 127, tmp),
      ),
    ]),
  ]);
}

/** Emits the function `name` computing an int8 softmax node: its exponent table placed, then every row. */
export function emitSoftmaxLayer(ctx: LayerContext, node: NodeOf<'softmax'>, name: string): void {
  const out = tensorOf(ctx.g, node.outputs[0]!);
  const y = addr(ctx, node.outputs[0]!);
  const table = ctx.data.add(`${node.name}\0exp`, paramsOf(ctx, node, 'softmax').expTable);
  const depth = out.shape[out.shape.length - 1]!;
  const layout = { x: addr(ctx, node.inputs[0]!), y, table, rows: sizeOf(out.shape) / depth, depth };
  ctx.module.fn(name, 0, (f) => [emitSoftmax(f, layout)]);
}
