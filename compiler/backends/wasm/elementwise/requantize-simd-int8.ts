/**
 * @fileoverview concat, reshape and clamp of int8 tensors in SIMD128, eight elements a step: each input requantized
 * to the output's quantization (one multiplier and shift per input, so mbqm vectorizes as in the add) and clamped,
 * as requantize-layer.ts does element by element for both element types. Handtrack's box and score concats of
 * 12804 anchors spent 0.47 ms in the scalar loop.
 */
import { type NodeOf, tensorOf } from '../../../ir/graph.ts';
import { sizeOf } from '../../../ir/tensor.ts';
import type { Expr, FunctionBuilder, Local } from '../emit/binaryen.ts';
import { type LayerContext, paramsOf, tensorAddress } from '../emit/layer-context.ts';
import { mbqmUniform, storeInt8Lanes } from '../emit/requantize-int8.ts';

/** One input's run: `chunk` elements of each of `outer` rows from x, written at y + dst within output rows of `stride`. */
interface Run {
  x: number;
  dst: number;
  chunk: number;
  rq: { identity: boolean; inputOffset: number; multiplier: number; shift: number };
}

/** The layer's output and requantization constants. */
interface Layer {
  y: number;
  outer: number;
  stride: number;
  outputOffset: number;
  actMin: number;
  actMax: number;
}

/** Statements copying one input's run with requantization and clamping, `lanes` elements at a time. */
function emitRun(f: FunctionBuilder, d: Layer, run: Run, [r, i, v, packed]: [Local, Local, Local, Local]): Expr {
  const { i32x4, i16x8, i8x16 } = f.simd;
  const { rq } = run;
  const half = (extend: (x: Expr) => Expr): Expr => {
    const q = rq.identity
      ? extend(v.get())
      : i32x4.add(
          mbqmUniform(f, i32x4.add(extend(v.get()), f.i32x4Const(rq.inputOffset)), rq.multiplier, rq.shift),
          f.i32x4Const(d.outputOffset),
        );
    return i32x4.max_s(i32x4.min_s(q, f.i32x4Const(d.actMax)), f.i32x4Const(d.actMin));
  };
  const step = (lanes: number): Expr[] => [
    v.set(f.load8x8(f.add(f.add(f.c(run.x), f.mul(r.get(), f.c(run.chunk))), i.get()))),
    packed.set(
      i8x16.narrow_i16x8_s(
        i16x8.narrow_i32x4_s(half(i32x4.extend_low_i16x8_s), half(i32x4.extend_high_i16x8_s)),
        f.i32x4Const(0),
      ),
    ),
    ...storeInt8Lanes(f, () => f.add(f.add(f.c(d.y + run.dst), f.mul(r.get(), f.c(d.stride))), i.get()), packed, lanes),
  ];
  const full = Math.floor(run.chunk / 8) * 8;
  return f.for(r, f.c(0), f.c(d.outer), [
    ...(full > 0 ? [f.for(i, f.c(0), f.c(full), step(8), 8)] : []),
    ...(run.chunk > full ? [i.set(f.c(full)), ...step(run.chunk - full)] : []),
  ]);
}

/** Emits the function `name`: each input requantized to the output's quantization, then clamped. */
export function emitSimdRequantize(
  ctx: LayerContext,
  node: NodeOf<'concat' | 'reshape' | 'clamp'>,
  name: string,
): void {
  const { g } = ctx;
  const out = tensorOf(g, node.outputs[0]!);
  const p = paramsOf(ctx, node, 'requantize');
  const rank = out.shape.length;
  const axis = node.op === 'concat' ? (node.attrs.axis < 0 ? node.attrs.axis + rank : node.attrs.axis) : 0;
  const layer: Layer = {
    y: tensorAddress(ctx, node.outputs[0]!),
    outer: node.op === 'concat' ? sizeOf(out.shape.slice(0, axis)) : 1,
    stride: node.op === 'concat' ? sizeOf(out.shape.slice(axis)) : sizeOf(out.shape),
    outputOffset: p.outputOffset,
    actMin: p.actMin,
    actMax: p.actMax,
  };
  let at = 0;
  const runs = node.inputs.map((input, k): Run => {
    const chunk = node.op === 'concat' ? sizeOf(tensorOf(g, input).shape.slice(axis)) : layer.stride;
    at += chunk;
    return { x: tensorAddress(ctx, input), dst: at - chunk, chunk, rq: p.inputs[k]! };
  });
  // A reshape planned in place over its input, with nothing to rescale or clip, is already done.
  const todo = runs.filter((run) => !(run.x === layer.y && run.rq.identity && p.actMin === -128 && p.actMax === 127));
  ctx.module.fn(name, 0, (f) => {
    const locals: [Local, Local, Local, Local] = [f.i32(), f.i32(), f.v128(), f.v128()];
    return todo.map((run) => emitRun(f, layer, run, locals));
  });
}
