/**
 * @fileoverview concat, reshape and clamp in WebAssembly, scalar, written once for int8 and int16 activations: each
 * input requantized to the output's quantization and type (which includes the int8↔int16 conversions of 16×8
 * graphs), then clamped, as the integer reference's requantizeInt8.
 */
import { type NodeOf, tensorOf } from '../../../ir/graph.ts';
import { sizeOf } from '../../../ir/tensor.ts';
import { elementAt, elementTypeOf } from '../emit/element-types.ts';
import { type LayerContext, mbqmConst, paramsOf, tensorAddress } from '../emit/layer-context.ts';

/** concat, reshape and clamp: each input requantized to the output's quantization and type, then clamped. */
export function emitRequantize(ctx: LayerContext, node: NodeOf<'concat' | 'reshape' | 'clamp'>, name: string): void {
  const { g } = ctx;
  const out = tensorOf(g, node.outputs[0]!);
  const p = paramsOf(ctx, node, 'requantize');
  const ey = elementTypeOf(g, node.outputs[0]!);
  const y = tensorAddress(ctx, node.outputs[0]!);
  const rank = out.shape.length;
  const axis = node.op === 'concat' ? (node.attrs.axis < 0 ? node.attrs.axis + rank : node.attrs.axis) : 0;
  const outer = node.op === 'concat' ? sizeOf(out.shape.slice(0, axis)) : 1;
  const stride = node.op === 'concat' ? sizeOf(out.shape.slice(axis)) : sizeOf(out.shape);
  ctx.module.fn(name, 0, (f) => {
    const [r, i, tmp] = [f.i32(), f.i32(), f.i32()];
    let at = 0;
    return node.inputs.map((input, k) => {
      const chunk = node.op === 'concat' ? sizeOf(tensorOf(g, input).shape.slice(axis)) : stride;
      const ex = elementTypeOf(g, input);
      const x = tensorAddress(ctx, input);
      const dst = at;
      at += chunk;
      const rq = p.inputs[k]!;
      // A reshape planned in place over its input, with nothing to rescale or clip, is already done.
      if (x === y && ex === ey && rq.identity && p.actMin === ey.min && p.actMax === ey.max) return f.block([]);
      const v = ex.load(f, elementAt(f, ex, f.c(x), f.add(f.mul(r.get(), f.c(chunk)), i.get())));
      const q = rq.identity
        ? v
        : f.add(mbqmConst(f, f.add(v, f.c(rq.inputOffset)), rq.multiplier, rq.shift), f.c(p.outputOffset));
      return f.for(r, f.c(0), f.c(outer), [
        f.for(i, f.c(0), f.c(chunk), [
          ey.store(
            f,
            elementAt(f, ey, f.c(y), f.add(f.c(dst), f.add(f.mul(r.get(), f.c(stride)), i.get()))),
            f.clamp(q, p.actMin, p.actMax, tmp),
          ),
        ]),
      ]);
    });
  });
}
