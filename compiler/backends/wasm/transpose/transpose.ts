/**
 * @fileoverview Transpose up to rank 4 in WebAssembly, scalar, written once for int8 and int16 activations, as the
 * C reference te_transpose_s8: the output in order, each element read through the input strides of the axes moved.
 */

import { TinyedgeError } from '../../../errors.ts';
import { type NodeOf, tensorOf } from '../../../ir/graph.ts';
import { permutedWalk } from '../../../ir/permutation.ts';
import type { Expr } from '../emit/binaryen.ts';
import { elementAt, elementTypeOf } from '../emit/element-types.ts';
import { type LayerContext, paramsOf, tensorAddress } from '../emit/layer-context.ts';
import { nest } from '../emit/loop-nest.ts';

/** One transpose layer: the output walked in order, the input offset the sum of index × stride. */
export function emitTranspose(ctx: LayerContext, node: NodeOf<'transpose'>, name: string): void {
  const { g } = ctx;
  paramsOf(ctx, node, 'move');
  const walk = permutedWalk(tensorOf(g, node.inputs[0]!).shape, node.attrs.perm);
  if (!walk) throw new TinyedgeError('TE401', 'the WASM backend transposes up to rank 4');
  const e = elementTypeOf(g, node.inputs[0]!);
  const [x, y] = [tensorAddress(ctx, node.inputs[0]!), tensorAddress(ctx, node.outputs[0]!)];
  ctx.module.fn(name, 0, (f) => {
    const idx = Array.from({ length: 4 }, () => f.i32());
    const out = f.i32();
    const at = idx.reduce<Expr>((acc, i, k) => f.add(acc, f.mul(i.get(), f.c(walk.strides[k]!))), f.c(0));
    return [
      out.set(f.c(0)),
      ...nest(f, idx, walk.dims, [
        e.store(f, elementAt(f, e, f.c(y), out.get()), e.load(f, elementAt(f, e, f.c(x), at))),
        out.set(f.add(out.get(), f.c(1))),
      ]),
    ];
  });
}
