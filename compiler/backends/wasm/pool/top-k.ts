/**
 * @fileoverview TopK along the last axis in WebAssembly, scalar, written once for int8 and int16 inputs, as the
 * integer reference's topKInto and te_top_k_s8: k passes a row, each taking the best element after the previous pick
 * in (value descending, index ascending) order; the node writes the values (the input's type) or the int32 indices.
 */
import type { NodeOf } from '../../../ir/graph.ts';
import type { Expr } from '../emit/binaryen.ts';
import { elementAt, elementTypeOf } from '../emit/element-types.ts';
import { type LayerContext, paramsOf, tensorAddress } from '../emit/layer-context.ts';

/** One TopK node: its values or its indices, whichever it writes. */
export function emitTopK(ctx: LayerContext, node: NodeOf<'top_k_values' | 'top_k_indices'>, name: string): void {
  const { g } = ctx;
  const { rows, depth, k } = paramsOf(ctx, node, 'topk');
  const ex = elementTypeOf(g, node.inputs[0]!);
  const [x, y] = [tensorAddress(ctx, node.inputs[0]!), tensorAddress(ctx, node.outputs[0]!)];
  ctx.module.fn(name, 0, (f) => {
    const [r, j, i, row, best, v, lastValue, lastIndex, out] = f.i32s(9);
    const at = (index: Expr) => ex.load(f, elementAt(f, ex, row.get(), index));
    // Past the previous pick: a smaller value, or an equal one further on.
    const after = f.select(
      f.ltS(v.get(), lastValue.get()),
      f.c(1),
      f.and(f.eq(v.get(), lastValue.get()), f.gtS(i.get(), lastIndex.get())),
    );
    const write =
      node.op === 'top_k_values'
        ? ex.store(f, elementAt(f, ex, f.c(y), out.get()), lastValue.get())
        : f.store32(f.add(f.c(y), f.shl(out.get(), f.c(2))), best.get());
    return [
      out.set(f.c(0)),
      f.for(r, f.c(0), f.c(rows), [
        row.set(elementAt(f, ex, f.c(x), f.mul(r.get(), f.c(depth)))),
        lastValue.set(f.c(ex.max + 1)),
        lastIndex.set(f.c(-1)),
        f.for(j, f.c(0), f.c(k), [
          best.set(f.c(-1)),
          f.for(i, f.c(0), f.c(depth), [
            v.set(at(i.get())),
            // The first eligible element, then any larger one (no load at best = −1).
            f.if(after, [
              f.if(
                f.ltS(best.get(), f.c(0)),
                [best.set(i.get())],
                [f.if(f.gtS(v.get(), at(best.get())), [best.set(i.get())])],
              ),
            ]),
          ]),
          lastValue.set(at(best.get())),
          lastIndex.set(best.get()),
          write,
          out.set(f.add(out.get(), f.c(1))),
        ]),
      ]),
    ];
  });
}
