/**
 * @fileoverview Average and max pooling in WebAssembly, scalar, written once for int8 and int16 activations (the
 * element type comes from the tensors), as the integer reference's poolInt8.
 */
import { type NodeOf, tensorOf } from '../../../ir/graph.ts';
import { windowOf } from '../../../ir/window.ts';
import type { Expr } from '../emit/binaryen.ts';
import { elementAt, elementTypeOf } from '../emit/element-types.ts';
import { type LayerContext, paramsOf, tensorAddress } from '../emit/layer-context.ts';
import { forInBoundsTaps } from '../emit/window-taps.ts';

/** Average (round half away over the in-bounds elements) or max pooling, one quantization in and out. */
export function emitPool(ctx: LayerContext, node: NodeOf<'avg_pool2d' | 'max_pool2d'>, name: string): void {
  const { g } = ctx;
  const w = windowOf(
    tensorOf(g, node.inputs[0]!),
    tensorOf(g, node.outputs[0]!),
    node.attrs.filter[0],
    node.attrs.filter[1],
    node.attrs,
  );
  const p = paramsOf(ctx, node, 'pool');
  const [ex, ey] = [elementTypeOf(g, node.inputs[0]!), elementTypeOf(g, node.outputs[0]!)];
  const [x, y] = [tensorAddress(ctx, node.inputs[0]!), tensorAddress(ctx, node.outputs[0]!)];
  const isMax = node.op === 'max_pool2d';
  ctx.module.fn(name, 0, (f) => {
    const [b, oy, ox, c, ky, kx, iy, ix, acc, count, v, tmp, half] = f.i32s(13);
    const result = isMax
      ? acc.get()
      : f.thenValue(
          [half.set(f.divS(count.get(), f.c(2)))],
          f.divS(
            f.select(f.gtS(acc.get(), f.c(0)), f.add(acc.get(), half.get()), f.sub(acc.get(), half.get())),
            count.get(),
          ),
        );
    const pixel = (row: Expr, col: Expr, width: number) =>
      f.add(f.mul(f.add(f.mul(row, f.c(width)), col), f.c(w.c)), c.get());
    return [
      f.for(b, f.c(0), f.c(w.n), [
        f.for(oy, f.c(0), f.c(w.oh), [
          f.for(ox, f.c(0), f.c(w.ow), [
            f.for(c, f.c(0), f.c(w.c), [
              acc.set(f.c(isMax ? ex.min : 0)),
              count.set(f.c(0)),
              forInBoundsTaps(f, w, { oy, ox, ky, kx, iy, ix }, [
                v.set(
                  ex.load(f, elementAt(f, ex, f.c(x), pixel(f.add(f.mul(b.get(), f.c(w.h)), iy.get()), ix.get(), w.w))),
                ),
                count.set(f.add(count.get(), f.c(1))),
                acc.set(isMax ? f.select(f.gtS(v.get(), acc.get()), v.get(), acc.get()) : f.add(acc.get(), v.get())),
              ]),
              ey.store(
                f,
                elementAt(f, ey, f.c(y), pixel(f.add(f.mul(b.get(), f.c(w.oh)), oy.get()), ox.get(), w.ow)),
                f.clamp(result, p.actMin, p.actMax, tmp),
              ),
            ]),
          ]),
        ]),
      ]),
    ];
  });
}
