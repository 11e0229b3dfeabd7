/**
 * @fileoverview The SIMD128 int8 add of two same-shape tensors (residual connections), eight elements a step.
 * TFLite's add rescales each input by a per-tensor multiplier after a left shift of 20, sums, and requantizes; with
 * per-tensor shifts every lane shifts alike, so mbqm vectorizes directly (no per-lane shifts to emulate).
 */
import { type Graph, type NodeOf, tensorOf } from '../../../ir/graph.ts';
import { sameShape, sizeOf } from '../../../ir/tensor.ts';
import { ADD_LEFT_SHIFT, type Int8Params } from '../../../quantize/prepare/prepare-int8.ts';
import type { Expr, FunctionBuilder } from '../emit/binaryen.ts';
import { tensorAddress as addr, type LayerContext, paramsOf } from '../emit/layer-context.ts';
import { mbqmUniform, storeInt8Lanes } from '../emit/requantize-int8.ts';

/** The constants of one add. */
export interface SimdAdd {
  a: number;
  b: number;
  y: number;
  n: number;
  /** Prepare's constants (the left shift is ADD_LEFT_SHIFT for every int8 add). */
  p: Omit<Extract<Int8Params, { kind: 'add' }>, 'kind' | 'leftShift'>;
}

/** Statements computing y = a + b over n int8 elements. */
export function emitSimdAdd(f: FunctionBuilder, d: SimdAdd): Expr {
  const { i32x4, i16x8, i8x16 } = f.simd;
  const { p } = d;
  const [i, va, vb] = [f.i32(), f.v128(), f.v128()];
  const packed = f.v128();
  const half = (extend: (v: Expr) => Expr): Expr => {
    const scaled = (v: Expr, offset: number, multiplier: number, shift: number) =>
      mbqmUniform(f, i32x4.shl(i32x4.add(extend(v), f.i32x4Const(offset)), f.c(ADD_LEFT_SHIFT)), multiplier, shift);
    const sum = i32x4.add(
      scaled(va.get(), p.input1Offset, p.input1Multiplier, p.input1Shift),
      scaled(vb.get(), p.input2Offset, p.input2Multiplier, p.input2Shift),
    );
    return i32x4.max_s(
      i32x4.min_s(
        i32x4.add(mbqmUniform(f, sum, p.outputMultiplier, p.outputShift), f.i32x4Const(p.outputOffset)),
        f.i32x4Const(p.actMax),
      ),
      f.i32x4Const(p.actMin),
    );
  };
  const step = (lanes: number): Expr[] => [
    va.set(f.load8x8(f.add(f.c(d.a), i.get()))),
    vb.set(f.load8x8(f.add(f.c(d.b), i.get()))),
    packed.set(
      i8x16.narrow_i16x8_s(
        i16x8.narrow_i32x4_s(half(i32x4.extend_low_i16x8_s), half(i32x4.extend_high_i16x8_s)),
        f.i32x4Const(0),
      ),
    ),
    ...storeInt8Lanes(f, () => f.add(f.c(d.y), i.get()), packed, lanes),
  ];
  const full = Math.floor(d.n / 8) * 8;
  return f.block([
    ...(full > 0 ? [f.for(i, f.c(0), f.c(full), step(8), 8)] : []),
    ...(d.n > full ? [i.set(f.c(full)), ...step(d.n - full)] : []),
  ]);
}

/** Whether the kernel computes an add: both inputs of the output's shape (no broadcasting). */
export function simdAddFits(g: Graph, node: NodeOf<'add'>): boolean {
  const out = tensorOf(g, node.outputs[0]!);
  return node.inputs.every((i) => sameShape(tensorOf(g, i).shape, out.shape));
}

/** Emits the function `name` computing the add. */
export function emitSimdAddLayer(ctx: LayerContext, node: NodeOf<'add'>, name: string): void {
  const out = tensorOf(ctx.g, node.outputs[0]!);
  const y = addr(ctx, node.outputs[0]!);
  const simd = {
    a: addr(ctx, node.inputs[0]!),
    b: addr(ctx, node.inputs[1]!),
    y,
    n: sizeOf(out.shape),
    p: paramsOf(ctx, node, 'add'),
  };
  ctx.module.fn(name, 0, (f) => [emitSimdAdd(f, simd)]);
}
