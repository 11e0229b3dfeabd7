/** @fileoverview The int8 logistic in WebAssembly: a lookup in the node's 256-entry table, as te_lookup_s8 in C. */
import { type NodeOf, tensorOf } from '../../../ir/graph.ts';
import { sizeOf } from '../../../ir/tensor.ts';
import { tensorAddress as addr, type LayerContext, paramsOf } from '../emit/layer-context.ts';

/** Emits the function `name` computing the node: y[i] = table[x[i] + 128]. */
export function emitLogisticLayer(ctx: LayerContext, node: NodeOf<'logistic'>, name: string): void {
  const y = addr(ctx, node.outputs[0]!);
  const table = ctx.data.add(`${node.name}\0lut`, paramsOf(ctx, node, 'lut').table);
  const x = addr(ctx, node.inputs[0]!);
  const n = sizeOf(tensorOf(ctx.g, node.outputs[0]!).shape);
  ctx.module.fn(name, 0, (f) => {
    const i = f.i32();
    return [
      f.for(i, f.c(0), f.c(n), [
        f.store8(f.add(f.c(y), i.get()), f.load8(f.add(f.c(table + 128), f.load8(f.add(f.c(x), i.get()))))),
      ]),
    ];
  });
}
