/**
 * @fileoverview Constant padding up to rank 4 in WebAssembly, written once for int8 and int16 activations: when the
 * pad value is one repeated byte (every int8 value), memory.fill and then one memory.copy per contiguous input
 * slice; else element by element.
 */

import { TinyedgeError } from '../../../errors.ts';
import { type NodeOf, tensorOf } from '../../../ir/graph.ts';
import type { Expr } from '../emit/binaryen.ts';
import { type ElementType, elementAt, elementTypeOf } from '../emit/element-types.ts';
import { type LayerContext, paramsOf, tensorAddress } from '../emit/layer-context.ts';
import { nest } from '../emit/loop-nest.ts';

/** One pad layer, its shapes widened to rank 4. */
interface Pad4 {
  shape: number[];
  before: number[];
  after: number[];
  out: number[];
  value: number;
  x: number;
  y: number;
}

/** Elements spanned by one step of each axis of a row-major shape. */
function stridesOf(shape: number[]): number[] {
  return shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
}

/**
 * Fill, then copies: from the last padded axis on, each input slice lands whole and contiguous in the output, so
 * the loops run over the axes before it only (handtrack's 320×320×3 stem pad: 0.53 ms element by element).
 */
function emitFillAndCopy(ctx: LayerContext, d: Pad4, e: ElementType, name: string): void {
  const last = Math.max(0, ...d.before.map((b, k) => (b || d.after[k]! ? k : 0)));
  const [os, is] = [stridesOf(d.out), stridesOf(d.shape)];
  const bytes = (elements: number) => elements << e.log2Bytes;
  const slice = bytes(d.shape[last]! * is[last]!);
  ctx.module.fn(name, 0, (f) => {
    const idx = Array.from({ length: last }, () => f.i32());
    const src = f.i32();
    const dst = idx.reduce<Expr>(
      (acc, i, k) => f.add(acc, f.mul(f.add(i.get(), f.c(d.before[k]!)), f.c(bytes(os[k]!)))),
      f.c(d.y + bytes(d.before[last]! * os[last]!)),
    );
    return [
      f.fill(f.c(d.y), f.c(d.value), f.c(bytes(d.out[0]! * os[0]!))),
      src.set(f.c(d.x)),
      ...nest(f, idx, d.shape, [f.copy(dst, src.get(), f.c(slice)), src.set(f.add(src.get(), f.c(slice)))]),
    ];
  });
}

/** Element by element: each output element is its input element or the pad value. */
function emitElementwise(ctx: LayerContext, d: Pad4, [ex, ey]: [ElementType, ElementType], name: string): void {
  const { shape: s4, before, x, y } = d;
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
        f.select(inside(), ex.load(f, elementAt(f, ex, f.c(x), f.select(inside(), at, f.c(0)))), f.c(d.value)),
      ),
      o.set(f.add(o.get(), f.c(1))),
    ];
    return [o.set(f.c(0)), ...nest(f, idx, d.out, inner)];
  });
}

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
  const d: Pad4 = {
    shape: s4,
    before,
    after,
    out: s4.map((n, i) => n + before[i]! + after[i]!),
    value: paramsOf(ctx, node, 'pad').value,
    x: tensorAddress(ctx, node.inputs[0]!),
    y: tensorAddress(ctx, node.outputs[0]!),
  };
  const [ex, ey] = [elementTypeOf(g, node.inputs[0]!), elementTypeOf(g, node.outputs[0]!)];
  const oneByte = ey.log2Bytes === 0 || (d.value & 0xff) === ((d.value >> 8) & 0xff);
  if (ex === ey && oneByte) emitFillAndCopy(ctx, d, ey, name);
  else emitElementwise(ctx, d, [ex, ey], name);
}
