/**
 * @fileoverview The int8 resize layers in WebAssembly, scalar: nearest and bilinear through the compiler's source
 * tables (placed in the data segment). Same arithmetic as runtime/c/kernels/ref/resize.c.
 */
import { type NodeOf, tensorOf } from '../../../ir/graph.ts';
import { RESIZE_FRACTION_BITS } from '../../../ir/resize-geometry.ts';
import type { Expr, FunctionBuilder } from '../emit/binaryen.ts';
import { tensorAddress as addr, type LayerContext, paramsOf } from '../emit/layer-context.ts';

/** Addresses and shapes of a resize: input [n][h][w][c] at x, output [n][oh][ow][c] at y, source tables (int32). */
export interface ResizeLayout {
  x: number;
  y: number;
  shape: readonly [number, number, number, number];
  oh: number;
  ow: number;
  rows: number;
  cols: number;
}

/** Nearest resize: output row r copies source row rows[r], column q source column cols[q]. */
export function emitResizeNearest(f: FunctionBuilder, r: ResizeLayout): Expr[] {
  const [n, h, w, c] = r.shape;
  const [b, oy, ox, ch, src, o] = [f.i32(), f.i32(), f.i32(), f.i32(), f.i32(), f.i32()];
  const table = (base: number, i: Expr) => f.load32(f.add(f.c(base), f.shl(i, f.c(2))));
  return [
    o.set(f.c(r.y)),
    f.for(b, f.c(0), f.c(n), [
      f.for(oy, f.c(0), f.c(r.oh), [
        f.for(ox, f.c(0), f.c(r.ow), [
          src.set(
            f.add(
              f.c(r.x),
              f.mul(
                f.add(f.mul(f.add(f.mul(b.get(), f.c(h)), table(r.rows, oy.get())), f.c(w)), table(r.cols, ox.get())),
                f.c(c),
              ),
            ),
          ),
          f.for(ch, f.c(0), f.c(c), [f.store8(f.add(o.get(), ch.get()), f.load8(f.add(src.get(), ch.get())))]),
          o.set(f.add(o.get(), f.c(c))),
        ]),
      ]),
    ]),
  ];
}

/** Bilinear resize (TFLite's ResizeBilinearInteger): (lo, hi, frac) triples per row and column, Q10 weights. */
export function emitResizeBilinear(f: FunctionBuilder, r: ResizeLayout): Expr[] {
  const [n, h, w, c] = r.shape;
  const one = 1 << RESIZE_FRACTION_BITS;
  const [b, oy, ox, ch, o, s] = [f.i32(), f.i32(), f.i32(), f.i32(), f.i32(), f.i32()];
  const [y0, y1, fy, fx] = [f.i32(), f.i32(), f.i32(), f.i32()];
  const weights = f.i32s(4);
  const taps = f.i32s(4);
  const triple = (base: number, i: Expr, k: number) => f.load32(f.add(f.c(base), f.mul(i, f.c(12))), 4 * k);
  const row = (yy: Expr) => f.mul(f.add(f.mul(b.get(), f.c(h)), yy), f.c(w));
  const pixel = (rowStart: Expr, k: number) =>
    f.add(f.c(r.x), f.mul(f.add(rowStart, triple(r.cols, ox.get(), k)), f.c(c)));
  const [wy0, wy1] = [() => f.sub(f.c(one), fy.get()), () => fy.get()];
  const [wx0, wx1] = [() => f.sub(f.c(one), fx.get()), () => fx.get()];
  const sum = taps.reduce<Expr>(
    (acc, t, k) => f.add(acc, f.mul(f.load8(f.add(t.get(), ch.get())), weights[k]!.get())),
    f.c(0),
  );
  const half = 1 << (2 * RESIZE_FRACTION_BITS - 1);
  return [
    o.set(f.c(r.y)),
    f.for(b, f.c(0), f.c(n), [
      f.for(oy, f.c(0), f.c(r.oh), [
        y0.set(triple(r.rows, oy.get(), 0)),
        y1.set(triple(r.rows, oy.get(), 1)),
        fy.set(triple(r.rows, oy.get(), 2)),
        f.for(ox, f.c(0), f.c(r.ow), [
          fx.set(triple(r.cols, ox.get(), 2)),
          // Taps and weights in the order (lo, lo), (hi, lo), (lo, hi), (hi, hi) of (row, column).
          taps[0].set(pixel(row(y0.get()), 0)),
          taps[1].set(pixel(row(y1.get()), 0)),
          taps[2].set(pixel(row(y0.get()), 1)),
          taps[3].set(pixel(row(y1.get()), 1)),
          weights[0].set(f.mul(wy0(), wx0())),
          weights[1].set(f.mul(wy1(), wx0())),
          weights[2].set(f.mul(wy0(), wx1())),
          weights[3].set(f.mul(wy1(), wx1())),
          f.for(ch, f.c(0), f.c(c), [
            s.set(sum),
            f.store8(
              o.get(),
              f.divS(
                f.add(s.get(), f.select(f.gtS(s.get(), f.c(0)), f.c(half), f.c(-half))),
                f.c(1 << (2 * RESIZE_FRACTION_BITS)),
              ),
            ),
            o.set(f.add(o.get(), f.c(1))),
          ]),
        ]),
      ]),
    ]),
  ];
}

/** Emits the function `name` computing a resize_nearest or resize_bilinear node. */
export function emitResizeLayer(
  ctx: LayerContext,
  node: NodeOf<'resize_nearest' | 'resize_bilinear'>,
  name: string,
): void {
  const { g } = ctx;
  const out = tensorOf(g, node.outputs[0]!);
  const p = paramsOf(ctx, node, 'resize');
  const [n, h, w, c] = tensorOf(g, node.inputs[0]!).shape;
  if (n === undefined || h === undefined || w === undefined || c === undefined)
    throw new Error(`internal: resize input '${node.inputs[0]}' is not rank 4`);
  const layout = {
    x: addr(ctx, node.inputs[0]!),
    y: addr(ctx, node.outputs[0]!),
    shape: [n, h, w, c] as const,
    oh: out.shape[1]!,
    ow: out.shape[2]!,
    rows: ctx.data.add(`${node.name}\0rows`, p.rows),
    cols: ctx.data.add(`${node.name}\0cols`, p.cols),
  };
  ctx.module.fn(name, 0, (f) =>
    node.op === 'resize_nearest' ? emitResizeNearest(f, layout) : emitResizeBilinear(f, layout),
  );
}
