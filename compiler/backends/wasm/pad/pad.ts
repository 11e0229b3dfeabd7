/** @fileoverview Constant padding up to rank 4 in WebAssembly, scalar, written once for int8 and int16 activations. */

import { TinyedgeError } from '../../../errors.ts';
import { type NodeOf, tensorOf } from '../../../ir/graph.ts';
import type { Expr } from '../emit/binaryen.ts';
import { elementAt, elementTypeOf } from '../emit/element-types.ts';
import { type LayerContext, paramsOf, tensorAddress } from '../emit/layer-context.ts';
import { nest } from '../emit/loop-nest.ts';

/** Constant padding up to rank 4 with the quantized pad value. */
export function emitPad(ctx: LayerContext, node: NodeOf<'pad'>, name: string): void {
  const { g } = ctx;
  const shape = tensorOf(g, node.inputs[0]!).shape;
  if (shape.length > 4) throw new TinyedgeError('TE401', 'the WASM backend pads up to rank 4');
  const lead = 4 - shape.length;
  const widen = (v: number[], fill: number) => [...new Array<number>(lead).fill(fill), ...v];
  const s4 = widen(shape, 1);
  const before = widen(
    node.attrs.pads.map((q) => q[0]),
    0,
  );
  const after = widen(
    node.attrs.pads.map((q) => q[1]),
    0,
  );
  const o4 = s4.map((d, i) => d + before[i]! + after[i]!);
  const value = paramsOf(ctx, node, 'pad').value;
  const [ex, ey] = [elementTypeOf(g, node.inputs[0]!), elementTypeOf(g, node.outputs[0]!)];
  const [x, y] = [tensorAddress(ctx, node.inputs[0]!), tensorAddress(ctx, node.outputs[0]!)];
  ctx.module.fn(name, 0, (f) => {
    const idx = [f.i32(), f.i32(), f.i32(), f.i32()];
    const o = f.i32();
    // Built afresh at each use: a binaryen expression may appear only once in the tree.
    const inside = () =>
      idx
        .map((i, k) =>
          f.and(f.geS(f.sub(i.get(), f.c(before[k]!)), f.c(0)), f.ltS(f.sub(i.get(), f.c(before[k]!)), f.c(s4[k]!))),
        )
        .reduce((a, b) => f.and(a, b));
    const at = idx.reduce<Expr>((acc, i, k) => f.add(f.mul(acc, f.c(s4[k]!)), f.sub(i.get(), f.c(before[k]!))), f.c(0));
    const inner = [
      ey.store(
        f,
        elementAt(f, ey, f.c(y), o.get()),
        f.select(inside(), ex.load(f, elementAt(f, ex, f.c(x), f.select(inside(), at, f.c(0)))), f.c(value)),
      ),
      o.set(f.add(o.get(), f.c(1))),
    ];
    return [o.set(f.c(0)), ...nest(f, idx, o4, inner)];
  });
}
