/**
 * @fileoverview The int8 transpose convolution in WebAssembly, scalar: TFLite's reference_integer_ops::TransposeConv,
 * products scattered into an int32 scratch, then bias and the per-channel requantization. Same arithmetic as
 * runtime/c/kernels/ref/transpose_conv2d.c.
 */
import { type Graph, type NodeOf, tensorOf } from '../../../ir/graph.ts';
import { sizeOf } from '../../../ir/tensor.ts';
import { type Window2d, windowOf } from '../../../ir/window.ts';
import type { Expr, FunctionBuilder } from '../emit/binaryen.ts';
import { channelRequant } from '../emit/channel-requant-int8.ts';
import { tensorAddress as addr, type LayerContext, paramsOf, scratchAddress } from '../emit/layer-context.ts';
import { type OutputClamp, storeRequantized } from '../emit/requantize-int8.ts';

/** Addresses of a transpose conv: input, output, OHWI filter, int32 bias (or undefined), per-channel requant table, int32 scratch. */
export interface TransposeConvLayout {
  x: number;
  y: number;
  weights: number;
  bias: number | undefined;
  table: number;
  scratch: number;
  w: Window2d;
  outC: number;
  inputOffset: number;
  p: OutputClamp;
}

/** TFLite's reference_integer_ops::TransposeConv: scatter into the int32 scratch, then bias and requantization. */
export function emitTransposeConv(f: FunctionBuilder, t: TransposeConvLayout): Expr[] {
  const { w, outC } = t;
  const [b, iy, ix, ky, kx, oy, ox, o, ci, i, xb, acc, sum, tmp] = f.i32s(14);
  const total = w.n * w.oh * w.ow * outC;
  // A getter: a binaryen expression may appear only once in the tree.
  const inside = (v: () => Expr, size: number) => f.and(f.geS(v(), f.c(0)), f.ltS(v(), f.c(size)));
  return [
    f.for(i, f.c(0), f.c(total), [f.store32(f.add(f.c(t.scratch), f.shl(i.get(), f.c(2))), f.c(0))]),
    f.for(b, f.c(0), f.c(w.n), [
      f.for(iy, f.c(0), f.c(w.h), [
        f.for(ix, f.c(0), f.c(w.w), [
          xb.set(
            f.add(
              f.c(t.x),
              f.mul(f.add(f.mul(f.add(f.mul(b.get(), f.c(w.h)), iy.get()), f.c(w.w)), ix.get()), f.c(w.c)),
            ),
          ),
          f.for(ky, f.c(0), f.c(w.kh), [
            oy.set(f.add(f.sub(f.mul(iy.get(), f.c(w.strides[0])), f.c(w.pads[0])), ky.get())),
            f.if(
              inside(() => oy.get(), w.oh),
              [
                f.for(kx, f.c(0), f.c(w.kw), [
                  ox.set(f.add(f.sub(f.mul(ix.get(), f.c(w.strides[1])), f.c(w.pads[2])), kx.get())),
                  f.if(
                    inside(() => ox.get(), w.ow),
                    [
                      acc.set(
                        f.add(
                          f.c(t.scratch),
                          f.mul(
                            f.add(f.mul(f.add(f.mul(b.get(), f.c(w.oh)), oy.get()), f.c(w.ow)), ox.get()),
                            f.c(4 * outC),
                          ),
                        ),
                      ),
                      f.for(o, f.c(0), f.c(outC), [
                        sum.set(f.c(0)),
                        f.for(ci, f.c(0), f.c(w.c), [
                          sum.set(
                            f.add(
                              sum.get(),
                              f.mul(
                                f.add(f.load8(f.add(xb.get(), ci.get())), f.c(t.inputOffset)),
                                f.load8(
                                  f.add(
                                    f.c(t.weights),
                                    f.add(
                                      f.mul(
                                        f.add(f.mul(f.add(f.mul(o.get(), f.c(w.kh)), ky.get()), f.c(w.kw)), kx.get()),
                                        f.c(w.c),
                                      ),
                                      ci.get(),
                                    ),
                                  ),
                                ),
                              ),
                            ),
                          ),
                        ]),
                        f.store32(
                          f.add(acc.get(), f.shl(o.get(), f.c(2))),
                          f.add(f.load32(f.add(acc.get(), f.shl(o.get(), f.c(2)))), sum.get()),
                        ),
                      ]),
                    ],
                  ),
                ]),
              ],
            ),
          ]),
        ]),
      ]),
    ]),
    f.for(i, f.c(0), f.c(w.n * w.oh * w.ow), [
      f.for(o, f.c(0), f.c(outC), [
        acc.set(f.load32(f.add(f.c(t.scratch), f.shl(f.add(f.mul(i.get(), f.c(outC)), o.get()), f.c(2))))),
        ...(t.bias === undefined
          ? []
          : [acc.set(f.add(acc.get(), f.load32(f.add(f.c(t.bias), f.shl(o.get(), f.c(2))))))]),
        storeRequantized(
          f,
          f.add(f.c(t.y), f.add(f.mul(i.get(), f.c(outC)), o.get())),
          acc.get(),
          t.table,
          o.get(),
          t.p,
          tmp,
        ),
      ]),
    ]),
  ];
}

/** Scratch bytes of the layer: its whole output as int32 sums. */
export function transposeConvScratchBytes(g: Graph, node: NodeOf<'transpose_conv2d'>): number {
  return 4 * sizeOf(tensorOf(g, node.outputs[0]!).shape);
}

/** Emits the function `name` computing the node. */
export function emitTransposeConvLayer(ctx: LayerContext, node: NodeOf<'transpose_conv2d'>, name: string): void {
  const { g } = ctx;
  const filter = tensorOf(g, node.inputs[1]!);
  const p = paramsOf(ctx, node, 'mac');
  const biasName = node.inputs[2]!;
  const layout = {
    x: addr(ctx, node.inputs[0]!),
    y: addr(ctx, node.outputs[0]!),
    weights: addr(ctx, node.inputs[1]!),
    bias: biasName === undefined ? undefined : addr(ctx, biasName),
    table: channelRequant(ctx, node),
    scratch: scratchAddress(ctx, node),
    w: windowOf(
      tensorOf(g, node.inputs[0]!),
      tensorOf(g, node.outputs[0]!),
      filter.shape[1]!,
      filter.shape[2]!,
      node.attrs,
    ),
    outC: filter.shape[0]!,
    inputOffset: p.inputOffset,
    p,
  };
  ctx.module.fn(name, 0, (f) => emitTransposeConv(f, layout));
}
