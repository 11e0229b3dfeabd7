/**
 * @fileoverview The upsampling layers in WebAssembly, scalar: nearest and bilinear resize through the compiler's
 * source tables, and TFLite's transpose convolution (int32 scratch, then the shared per-channel requantization).
 * Same arithmetic as runtime/c/kernels/ref/resize.c and transpose_conv2d.c.
 */
import { Window2d } from '../../ir/window.ts';
import { RESIZE_FRACTION_BITS } from '../../ir/resize-geometry.ts';
import { Expr, FunctionBuilder } from './binaryen.ts';
import { OutputClamp, storeRequantized } from './requantize.ts';

/** Addresses and shapes of a resize: input [n][h][w][c] at x, output [n][oh][ow][c] at y, source tables (int32). */
export interface ResizeLayout {
  x: number;
  y: number;
  shape: readonly number[];
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
          src.set(f.add(f.c(r.x), f.mul(f.add(f.mul(f.add(f.mul(b.get(), f.c(h)), table(r.rows, oy.get())), f.c(w)), table(r.cols, ox.get())), f.c(c)))),
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
  const weights = [f.i32(), f.i32(), f.i32(), f.i32()];
  const taps = [f.i32(), f.i32(), f.i32(), f.i32()];
  const triple = (base: number, i: Expr, k: number) => f.load32(f.add(f.c(base), f.mul(i, f.c(12))), 4 * k);
  const row = (yy: Expr) => f.mul(f.add(f.mul(b.get(), f.c(h)), yy), f.c(w));
  const pixel = (rowStart: Expr, k: number) => f.add(f.c(r.x), f.mul(f.add(rowStart, triple(r.cols, ox.get(), k)), f.c(c)));
  const [wy0, wy1] = [() => f.sub(f.c(one), fy.get()), () => fy.get()];
  const [wx0, wx1] = [() => f.sub(f.c(one), fx.get()), () => fx.get()];
  const sum = taps.reduce<Expr>((acc, t, k) => f.add(acc, f.mul(f.load8(f.add(t.get(), ch.get())), weights[k].get())), f.c(0));
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
            f.store8(o.get(), f.divS(f.add(s.get(), f.select(f.gtS(s.get(), f.c(0)), f.c(half), f.c(-half))), f.c(1 << (2 * RESIZE_FRACTION_BITS)))),
            o.set(f.add(o.get(), f.c(1))),
          ]),
        ]),
      ]),
    ]),
  ];
}

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
  const [b, iy, ix, ky, kx, oy, ox, o, ci, i, xb, acc, sum, tmp] = Array.from({ length: 14 }, () => f.i32());
  const total = w.n * w.oh * w.ow * outC;
  // A getter: a binaryen expression may appear only once in the tree.
  const inside = (v: () => Expr, size: number) => f.and(f.geS(v(), f.c(0)), f.ltS(v(), f.c(size)));
  return [
    f.for(i, f.c(0), f.c(total), [f.store32(f.add(f.c(t.scratch), f.shl(i.get(), f.c(2))), f.c(0))]),
    f.for(b, f.c(0), f.c(w.n), [
      f.for(iy, f.c(0), f.c(w.h), [
        f.for(ix, f.c(0), f.c(w.w), [
          xb.set(f.add(f.c(t.x), f.mul(f.add(f.mul(f.add(f.mul(b.get(), f.c(w.h)), iy.get()), f.c(w.w)), ix.get()), f.c(w.c)))),
          f.for(ky, f.c(0), f.c(w.kh), [
            oy.set(f.add(f.sub(f.mul(iy.get(), f.c(w.strides[0])), f.c(w.pads[0])), ky.get())),
            f.if(inside(() => oy.get(), w.oh), [
              f.for(kx, f.c(0), f.c(w.kw), [
                ox.set(f.add(f.sub(f.mul(ix.get(), f.c(w.strides[1])), f.c(w.pads[2])), kx.get())),
                f.if(inside(() => ox.get(), w.ow), [
                  acc.set(f.add(f.c(t.scratch), f.mul(f.add(f.mul(f.add(f.mul(b.get(), f.c(w.oh)), oy.get()), f.c(w.ow)), ox.get()), f.c(4 * outC)))),
                  f.for(o, f.c(0), f.c(outC), [
                    sum.set(f.c(0)),
                    f.for(ci, f.c(0), f.c(w.c), [
                      sum.set(
                        f.add(
                          sum.get(),
                          f.mul(
                            f.add(f.load8(f.add(xb.get(), ci.get())), f.c(t.inputOffset)),
                            f.load8(f.add(f.c(t.weights), f.add(f.mul(f.add(f.mul(f.add(f.mul(o.get(), f.c(w.kh)), ky.get()), f.c(w.kw)), kx.get()), f.c(w.c)), ci.get()))),
                          ),
                        ),
                      ),
                    ]),
                    f.store32(f.add(acc.get(), f.shl(o.get(), f.c(2))), f.add(f.load32(f.add(acc.get(), f.shl(o.get(), f.c(2)))), sum.get())),
                  ]),
                ]),
              ]),
            ]),
          ]),
        ]),
      ]),
    ]),
    f.for(i, f.c(0), f.c(w.n * w.oh * w.ow), [
      f.for(o, f.c(0), f.c(outC), [
        acc.set(f.load32(f.add(f.c(t.scratch), f.shl(f.add(f.mul(i.get(), f.c(outC)), o.get()), f.c(2))))),
        ...(t.bias === undefined ? [] : [acc.set(f.add(acc.get(), f.load32(f.add(f.c(t.bias), f.shl(o.get(), f.c(2))))))]),
        storeRequantized(f, f.add(f.c(t.y), f.add(f.mul(i.get(), f.c(outC)), o.get())), acc.get(), t.table, o.get(), t.p, tmp),
      ]),
    ]),
  ];
}
