/**
 * @fileoverview add and mul with broadcasting up to rank 4, scalar, written once for int8 and int16 activations (the
 * element type comes from the tensors). The arithmetic is the integer reference's (prepare-int8.ts), through the
 * shared `mbqm` helper.
 */

import { TinyedgeError } from '../../../errors.ts';
import { type NodeOf, tensorOf } from '../../../ir/graph.ts';
import { broadcastStrides } from '../../../ir/tensor.ts';
import type { Expr } from '../emit/binaryen.ts';
import { elementAt, elementTypeOf } from '../emit/element-types.ts';
import { type LayerContext, mbqmConst, paramsOf, tensorAddress } from '../emit/layer-context.ts';
import { nest } from '../emit/loop-nest.ts';

/** add (TFLite's left-shift rescaling) or mul, broadcasting up to rank 4. */
export function emitBroadcastBinary(ctx: LayerContext, node: NodeOf<'add' | 'mul'>, name: string): void {
  const { g } = ctx;
  const out = tensorOf(g, node.outputs[0]!);
  if (out.shape.length > 4) throw new TinyedgeError('TE401', `the WASM backend handles ${node.op} up to rank 4`);
  const pad = (v: number[], fill: number) => [...new Array<number>(4 - v.length).fill(fill), ...v];
  const dims = pad(out.shape, 1);
  const [sa, sb] = [
    pad(broadcastStrides(tensorOf(g, node.inputs[0]!).shape, out.shape), 0),
    pad(broadcastStrides(tensorOf(g, node.inputs[1]!).shape, out.shape), 0),
  ];
  const [ea, eb, ey] = [
    elementTypeOf(g, node.inputs[0]!),
    elementTypeOf(g, node.inputs[1]!),
    elementTypeOf(g, node.outputs[0]!),
  ];
  const [a, b, y] = [
    tensorAddress(ctx, node.inputs[0]!),
    tensorAddress(ctx, node.inputs[1]!),
    tensorAddress(ctx, node.outputs[0]!),
  ];
  const p = node.op === 'add' ? paramsOf(ctx, node, 'add') : paramsOf(ctx, node, 'mul');
  ctx.module.fn(name, 0, (f) => {
    const idx = [f.i32(), f.i32(), f.i32(), f.i32()];
    const [o, tmp] = [f.i32(), f.i32()];
    const offset = (s: number[]) => idx.reduce<Expr>((acc, i, k) => f.add(acc, f.mul(i.get(), f.c(s[k]!))), f.c(0));
    const xa = f.add(ea.load(f, elementAt(f, ea, f.c(a), offset(sa))), f.c(p.input1Offset));
    const xb = f.add(eb.load(f, elementAt(f, eb, f.c(b), offset(sb))), f.c(p.input2Offset));
    const value =
      p.kind === 'add'
        ? mbqmConst(
            f,
            f.add(
              mbqmConst(f, f.shl(xa, f.c(p.leftShift)), p.input1Multiplier, p.input1Shift),
              mbqmConst(f, f.shl(xb, f.c(p.leftShift)), p.input2Multiplier, p.input2Shift),
            ),
            p.outputMultiplier,
            p.outputShift,
          )
        : mbqmConst(f, f.mul(xa, xb), p.outputMultiplier, p.outputShift);
    const inner = [
      ey.store(
        f,
        elementAt(f, ey, f.c(y), o.get()),
        f.clamp(f.add(value, f.c(p.outputOffset)), p.actMin, p.actMax, tmp),
      ),
      o.set(f.add(o.get(), f.c(1))),
    ];
    return [o.set(f.c(0)), ...nest(f, idx, dims, inner)];
  });
}
