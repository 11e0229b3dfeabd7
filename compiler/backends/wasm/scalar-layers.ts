/**
 * @fileoverview Scalar WASM kernels written once for int8 and int16 activations (the element type comes from the
 * tensors): add and mul with broadcasting, average and max pooling, mean, pad, and requantize (concat, reshape,
 * clamp, and int8↔int16 conversion). The arithmetic is the integer reference's (prepare-int8.ts), through the
 * shared `mbqm` helper.
 */
import { NodeOf, tensorOf } from '../../ir/graph.ts';
import { broadcastStrides, sizeOf } from '../../ir/tensor.ts';
import { TinyedgeError } from '../../errors.ts';
import { meanGeometry } from '../../quantize/prepare/prepare-int8.ts';
import { windowOf } from '../../ir/window.ts';
import { Expr, FunctionBuilder } from './binaryen.ts';
import { elementAt, elementTypeOf } from './element-types.ts';
import { forInBoundsTaps } from './window-taps.ts';
import { LayerContext, mbqmConst, paramsOf, tensorAddress } from './layer-context.ts';

/** for (i of idx) loops over `dims`, outermost first, around `inner`. */
function nest(f: FunctionBuilder, idx: ReturnType<FunctionBuilder['i32']>[], dims: number[], inner: Expr[]): Expr[] {
  return idx.reduceRight<Expr[]>((body, i, k) => [f.for(i, f.c(0), f.c(dims[k]), body)], inner);
}

/** add (TFLite's left-shift rescaling) or mul, broadcasting up to rank 4. */
export function emitBroadcastBinary(ctx: LayerContext, node: NodeOf<'add' | 'mul'>, name: string): void {
  const { g } = ctx;
  const out = tensorOf(g, node.outputs[0]);
  if (out.shape.length > 4) throw new TinyedgeError('TE401', `the WASM backend handles ${node.op} up to rank 4`);
  const [ta, tb] = node.inputs.map((i) => tensorOf(g, i));
  const pad = (v: number[], fill: number) => [...new Array<number>(4 - v.length).fill(fill), ...v];
  const dims = pad(out.shape, 1);
  const [sa, sb] = [ta, tb].map((t) => pad(broadcastStrides(t.shape, out.shape), 0));
  const [ea, eb, ey] = [node.inputs[0], node.inputs[1], node.outputs[0]].map((t) => elementTypeOf(g, t));
  const [a, b, y] = [tensorAddress(ctx, node.inputs[0]), tensorAddress(ctx, node.inputs[1]), tensorAddress(ctx, node.outputs[0])];
  const p = node.op === 'add' ? paramsOf(ctx, node, 'add') : paramsOf(ctx, node, 'mul');
  ctx.module.fn(name, 0, (f) => {
    const idx = [f.i32(), f.i32(), f.i32(), f.i32()];
    const [o, tmp] = [f.i32(), f.i32()];
    const offset = (s: number[]) => idx.reduce<Expr>((acc, i, k) => f.add(acc, f.mul(i.get(), f.c(s[k]))), f.c(0));
    const xa = f.add(ea.load(f, elementAt(f, ea, f.c(a), offset(sa))), f.c(p.input1Offset));
    const xb = f.add(eb.load(f, elementAt(f, eb, f.c(b), offset(sb))), f.c(p.input2Offset));
    const value =
      p.kind === 'add'
        ? mbqmConst(f, f.add(mbqmConst(f, f.shl(xa, f.c(p.leftShift)), p.input1Multiplier, p.input1Shift), mbqmConst(f, f.shl(xb, f.c(p.leftShift)), p.input2Multiplier, p.input2Shift)), p.outputMultiplier, p.outputShift)
        : mbqmConst(f, f.mul(xa, xb), p.outputMultiplier, p.outputShift);
    const inner = [ey.store(f, elementAt(f, ey, f.c(y), o.get()), f.clamp(f.add(value, f.c(p.outputOffset)), p.actMin, p.actMax, tmp)), o.set(f.add(o.get(), f.c(1)))];
    return [o.set(f.c(0)), ...nest(f, idx, dims, inner)];
  });
}

/** Average (round half away over the in-bounds elements) or max pooling, one quantization in and out. */
export function emitPool(ctx: LayerContext, node: NodeOf<'avg_pool2d' | 'max_pool2d'>, name: string): void {
  const { g } = ctx;
  const w = windowOf(tensorOf(g, node.inputs[0]), tensorOf(g, node.outputs[0]), node.attrs.filter[0], node.attrs.filter[1], node.attrs);
  const p = paramsOf(ctx, node, 'pool');
  const [ex, ey] = [elementTypeOf(g, node.inputs[0]), elementTypeOf(g, node.outputs[0])];
  const [x, y] = [tensorAddress(ctx, node.inputs[0]), tensorAddress(ctx, node.outputs[0])];
  const isMax = node.op === 'max_pool2d';
  ctx.module.fn(name, 0, (f) => {
    const [b, oy, ox, c, ky, kx, iy, ix, acc, count, v, tmp, half] = Array.from({ length: 13 }, () => f.i32());
    const result = isMax
      ? acc.get()
      : f.then([half.set(f.divS(count.get(), f.c(2)))], f.divS(f.select(f.gtS(acc.get(), f.c(0)), f.add(acc.get(), half.get()), f.sub(acc.get(), half.get())), count.get()));
    const pixel = (row: Expr, col: Expr, width: number) => f.add(f.mul(f.add(f.mul(row, f.c(width)), col), f.c(w.c)), c.get());
    return [
      f.for(b, f.c(0), f.c(w.n), [
        f.for(oy, f.c(0), f.c(w.oh), [
          f.for(ox, f.c(0), f.c(w.ow), [
            f.for(c, f.c(0), f.c(w.c), [
              acc.set(f.c(isMax ? ex.min : 0)),
              count.set(f.c(0)),
              forInBoundsTaps(f, w, { oy, ox, ky, kx, iy, ix }, [
                v.set(ex.load(f, elementAt(f, ex, f.c(x), pixel(f.add(f.mul(b.get(), f.c(w.h)), iy.get()), ix.get(), w.w)))),
                count.set(f.add(count.get(), f.c(1))),
                acc.set(isMax ? f.select(f.gtS(v.get(), acc.get()), v.get(), acc.get()) : f.add(acc.get(), v.get())),
              ]),
              ey.store(f, elementAt(f, ey, f.c(y), pixel(f.add(f.mul(b.get(), f.c(w.oh)), oy.get()), ox.get(), w.ow)), f.clamp(result, p.actMin, p.actMax, tmp)),
            ]),
          ]),
        ]),
      ]),
    ];
  });
}

/** Mean over contiguous axes: mbqm of the offset sum, then a division rounded half away from zero. */
export function emitMean(ctx: LayerContext, node: NodeOf<'mean'>, name: string): void {
  const { g } = ctx;
  const { outer, reduced, inner } = meanGeometry(g, node, 'WASM');
  const p = paramsOf(ctx, node, 'mean');
  const [ex, ey] = [elementTypeOf(g, node.inputs[0]), elementTypeOf(g, node.outputs[0])];
  const [x, y] = [tensorAddress(ctx, node.inputs[0]), tensorAddress(ctx, node.outputs[0])];
  const half = Math.floor(reduced / 2);
  ctx.module.fn(name, 0, (f) => {
    const [o, i, r, acc, q, tmp] = Array.from({ length: 6 }, () => f.i32());
    const xi = elementAt(f, ex, f.c(x), f.add(f.mul(f.add(f.mul(o.get(), f.c(reduced)), r.get()), f.c(inner)), i.get()));
    return [
      f.for(o, f.c(0), f.c(outer), [
        f.for(i, f.c(0), f.c(inner), [
          acc.set(f.c(0)),
          f.for(r, f.c(0), f.c(reduced), [acc.set(f.add(acc.get(), f.add(ex.load(f, xi), f.c(p.inputOffset))))]),
          q.set(mbqmConst(f, acc.get(), p.multiplier, p.shift)),
          q.set(f.divS(f.select(f.gtS(q.get(), f.c(0)), f.add(q.get(), f.c(half)), f.sub(q.get(), f.c(half))), f.c(reduced))),
          // The reference clamps to the input's range (the same type as the output).
          ey.store(f, elementAt(f, ey, f.c(y), f.add(f.mul(o.get(), f.c(inner)), i.get())), f.clamp(f.add(q.get(), f.c(p.outputOffset)), ex.min, ex.max, tmp)),
        ]),
      ]),
    ];
  });
}

/** Constant padding up to rank 4 with the quantized pad value. */
export function emitPad(ctx: LayerContext, node: NodeOf<'pad'>, name: string): void {
  const { g } = ctx;
  const shape = tensorOf(g, node.inputs[0]).shape;
  if (shape.length > 4) throw new TinyedgeError('TE401', 'the WASM backend pads up to rank 4');
  const lead = 4 - shape.length;
  const widen = (v: number[], fill: number) => [...new Array<number>(lead).fill(fill), ...v];
  const s4 = widen(shape, 1);
  const before = widen(node.attrs.pads.map((q) => q[0]), 0);
  const after = widen(node.attrs.pads.map((q) => q[1]), 0);
  const o4 = s4.map((d, i) => d + before[i] + after[i]);
  const value = paramsOf(ctx, node, 'pad').value;
  const [ex, ey] = [elementTypeOf(g, node.inputs[0]), elementTypeOf(g, node.outputs[0])];
  const [x, y] = [tensorAddress(ctx, node.inputs[0]), tensorAddress(ctx, node.outputs[0])];
  ctx.module.fn(name, 0, (f) => {
    const idx = [f.i32(), f.i32(), f.i32(), f.i32()];
    const o = f.i32();
    // Built afresh at each use: a binaryen expression may appear only once in the tree.
    const inside = () => idx.map((i, k) => f.and(f.geS(f.sub(i.get(), f.c(before[k])), f.c(0)), f.ltS(f.sub(i.get(), f.c(before[k])), f.c(s4[k])))).reduce((a, b) => f.and(a, b));
    const at = idx.reduce<Expr>((acc, i, k) => f.add(f.mul(acc, f.c(s4[k])), f.sub(i.get(), f.c(before[k]))), f.c(0));
    const inner = [ey.store(f, elementAt(f, ey, f.c(y), o.get()), f.select(inside(), ex.load(f, elementAt(f, ex, f.c(x), f.select(inside(), at, f.c(0)))), f.c(value))), o.set(f.add(o.get(), f.c(1)))];
    return [o.set(f.c(0)), ...nest(f, idx, o4, inner)];
  });
}

/** concat, reshape and clamp: each input requantized to the output's quantization and type, then clamped. */
export function emitRequantize(ctx: LayerContext, node: NodeOf<'concat' | 'reshape' | 'clamp'>, name: string): void {
  const { g } = ctx;
  const out = tensorOf(g, node.outputs[0]);
  const p = paramsOf(ctx, node, 'requantize');
  const ey = elementTypeOf(g, node.outputs[0]);
  const y = tensorAddress(ctx, node.outputs[0]);
  const rank = out.shape.length;
  const axis = node.op === 'concat' ? (node.attrs.axis < 0 ? node.attrs.axis + rank : node.attrs.axis) : 0;
  const outer = node.op === 'concat' ? sizeOf(out.shape.slice(0, axis)) : 1;
  const stride = node.op === 'concat' ? sizeOf(out.shape.slice(axis)) : sizeOf(out.shape);
  ctx.module.fn(name, 0, (f) => {
    const [r, i, tmp] = [f.i32(), f.i32(), f.i32()];
    let at = 0;
    return node.inputs.map((input, k) => {
      const chunk = node.op === 'concat' ? sizeOf(tensorOf(g, input).shape.slice(axis)) : stride;
      const ex = elementTypeOf(g, input);
      const x = tensorAddress(ctx, input);
      const dst = at;
      at += chunk;
      const rq = p.inputs[k];
      // A reshape planned in place over its input, with nothing to rescale or clip, is already done.
      if (x === y && ex === ey && rq.identity && p.actMin === ey.min && p.actMax === ey.max) return f.block([]);
      const v = ex.load(f, elementAt(f, ex, f.c(x), f.add(f.mul(r.get(), f.c(chunk)), i.get())));
      const q = rq.identity ? v : f.add(mbqmConst(f, f.add(v, f.c(rq.inputOffset)), rq.multiplier, rq.shift), f.c(p.outputOffset));
      return f.for(r, f.c(0), f.c(outer), [f.for(i, f.c(0), f.c(chunk), [ey.store(f, elementAt(f, ey, f.c(y), f.add(f.c(dst), f.add(f.mul(r.get(), f.c(stride)), i.get()))), f.clamp(q, p.actMin, p.actMax, tmp))])]);
    });
  });
}
