/**
 * @fileoverview Mean over contiguous axes in WebAssembly, scalar, written once for int8 and int16 activations, as
 * the integer reference's meanInt8 (TFLite's round-half-away integer division).
 */
import type { NodeOf } from '../../../ir/graph.ts';
import { reductionGeometry } from '../../../quantize/prepare/prepare-int8.ts';
import { elementAt, elementTypeOf } from '../emit/element-types.ts';
import { type LayerContext, mbqmConst, paramsOf, tensorAddress } from '../emit/layer-context.ts';

/** Mean over contiguous axes: mbqm of the offset sum, then a division rounded half away from zero. */
export function emitMean(ctx: LayerContext, node: NodeOf<'mean'>, name: string): void {
  const { g } = ctx;
  const { outer, reduced, inner } = reductionGeometry(g, node, 'WASM');
  const p = paramsOf(ctx, node, 'mean');
  const [ex, ey] = [elementTypeOf(g, node.inputs[0]!), elementTypeOf(g, node.outputs[0]!)];
  const [x, y] = [tensorAddress(ctx, node.inputs[0]!), tensorAddress(ctx, node.outputs[0]!)];
  const half = Math.floor(reduced / 2);
  ctx.module.fn(name, 0, (f) => {
    const [o, i, r, acc, q, tmp] = f.i32s(6);
    const xi = elementAt(
      f,
      ex,
      f.c(x),
      f.add(f.mul(f.add(f.mul(o.get(), f.c(reduced)), r.get()), f.c(inner)), i.get()),
    );
    return [
      f.for(o, f.c(0), f.c(outer), [
        f.for(i, f.c(0), f.c(inner), [
          acc.set(f.c(0)),
          f.for(r, f.c(0), f.c(reduced), [acc.set(f.add(acc.get(), f.add(ex.load(f, xi), f.c(p.inputOffset))))]),
          q.set(mbqmConst(f, acc.get(), p.multiplier, p.shift)),
          q.set(
            f.divS(
              f.select(f.gtS(q.get(), f.c(0)), f.add(q.get(), f.c(half)), f.sub(q.get(), f.c(half))),
              f.c(reduced),
            ),
          ),
          // The reference clamps to the input's range (the same type as the output).
          ey.store(
            f,
            elementAt(f, ey, f.c(y), f.add(f.mul(o.get(), f.c(inner)), i.get())),
            f.clamp(f.add(q.get(), f.c(p.outputOffset)), ex.min, ex.max, tmp),
          ),
        ]),
      ]),
    ];
  });
}
