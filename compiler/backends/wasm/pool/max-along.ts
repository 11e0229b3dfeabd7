/**
 * @fileoverview ArgMax and max reductions in WebAssembly, scalar, written once for int8 and int16 inputs, as the
 * integer reference: per [outer][depth][inner] position the largest element along depth (reduce_max, in the input's
 * type) or its int32 index, the first on ties (arg_max).
 */
import type { NodeOf } from '../../../ir/graph.ts';
import { reductionGeometry } from '../../../quantize/prepare/prepare-int8.ts';
import type { Expr } from '../emit/binaryen.ts';
import { elementAt, elementTypeOf } from '../emit/element-types.ts';
import { type LayerContext, paramsOf, tensorAddress } from '../emit/layer-context.ts';

/** The max along the middle axis: a strict greater-than keeps the first of equal values. */
export function emitMaxAlong(ctx: LayerContext, node: NodeOf<'arg_max' | 'reduce_max'>, name: string): void {
  const { g } = ctx;
  const { outer, depth, inner } =
    node.op === 'arg_max'
      ? paramsOf(ctx, node, 'argmax')
      : (({ reduced, ...rest }) => ({ depth: reduced, ...rest }))(reductionGeometry(g, node, 'WASM'));
  const ex = elementTypeOf(g, node.inputs[0]!);
  const [x, y] = [tensorAddress(ctx, node.inputs[0]!), tensorAddress(ctx, node.outputs[0]!)];
  ctx.module.fn(name, 0, (f) => {
    const [o, i, k, row, best, value, v] = f.i32s(7);
    const at = (index: Expr) => ex.load(f, elementAt(f, ex, row.get(), f.mul(index, f.c(inner))));
    const position = f.add(f.mul(o.get(), f.c(inner)), i.get());
    return [
      f.for(o, f.c(0), f.c(outer), [
        f.for(i, f.c(0), f.c(inner), [
          row.set(elementAt(f, ex, f.c(x), f.add(f.mul(o.get(), f.c(depth * inner)), i.get()))),
          best.set(f.c(0)),
          value.set(at(f.c(0))),
          f.for(k, f.c(1), f.c(depth), [
            v.set(at(k.get())),
            f.if(f.gtS(v.get(), value.get()), [best.set(k.get()), value.set(v.get())]),
          ]),
          node.op === 'arg_max'
            ? f.store32(f.add(f.c(y), f.shl(position, f.c(2))), best.get())
            : ex.store(f, elementAt(f, ex, f.c(y), position), value.get()),
        ]),
      ]),
    ];
  });
}
