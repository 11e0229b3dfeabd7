/**
 * @fileoverview The 16×8 depthwise conv in WebAssembly (scalar, any depth multiplier): output channel o reads input
 * channel o / multiplier against w[0][ky][kx][o], from the int64 bias into an i64 accumulator (TFLM's 16×8 depthwise
 * always accumulates in int64), as depthwiseConv2dInt8 in compiler/reference/integer/conv.ts. |x·w| ≤ 2^22 is exact in i32.
 */
import type { Window2d } from '../../../ir/window.ts';
import type { Expr, FunctionBuilder } from '../emit/binaryen.ts';
import { accumulator, type MacParams, REQUANT_ROW, requantized } from '../emit/requantize-int16.ts';
import { forInBoundsTaps } from '../emit/window-taps.ts';

/** Where one depthwise layer reads and writes, and what it computes. */
export interface DepthwiseLayout {
  x: number;
  y: number;
  /** The filter's int8 weights [1][kh][kw][outC]. */
  weights: number;
  bias?: { at: number; int64: boolean };
  /** The requantization table (emit/requantize-int16.ts). */
  table: number;
  w: Window2d;
  multiplier: number;
  p: MacParams;
}

/** The kernel's statements: per output pixel and channel, bias plus the window's in-bounds products, requantized. */
export function emitDepthwise(f: FunctionBuilder, l: DepthwiseLayout): Expr[] {
  const { w, p } = l;
  const outC = w.c * l.multiplier;
  const { acc, zero, fromBias, plus } = accumulator(f, p.wide);
  const [b, oy, ox, o, ky, kx, iy, ix, xp, yp, row, tmp] = f.i32s(12);
  const x = f.load16(f.add(xp.get(), f.shl(l.multiplier === 1 ? o.get() : f.divS(o.get(), f.c(l.multiplier)), f.c(1))));
  const inputValue = p.inputOffset === 0 ? x : f.add(x, f.c(p.inputOffset));
  const weight = f.load8(
    f.add(f.c(l.weights), f.add(f.mul(f.add(f.mul(ky.get(), f.c(w.kw)), kx.get()), f.c(outC)), o.get())),
  );
  return [
    yp.set(f.c(l.y)),
    f.for(b, f.c(0), f.c(w.n), [
      f.for(oy, f.c(0), f.c(w.oh), [
        f.for(ox, f.c(0), f.c(w.ow), [
          f.for(o, f.c(0), f.c(outC), [
            acc.set(
              l.bias
                ? fromBias(f.add(f.c(l.bias.at), f.shl(o.get(), f.c(l.bias.int64 ? 3 : 2))), l.bias.int64)
                : zero(),
            ),
            forInBoundsTaps(f, w, { oy, ox, ky, kx, iy, ix }, [
              xp.set(
                f.add(
                  f.c(l.x),
                  f.mul(f.add(f.mul(f.add(f.mul(b.get(), f.c(w.h)), iy.get()), f.c(w.w)), ix.get()), f.c(2 * w.c)),
                ),
              ),
              acc.set(plus(f.mul(inputValue, weight))),
            ]),
            row.set(f.add(f.c(l.table), f.mul(o.get(), f.c(REQUANT_ROW)))),
            f.store16(yp.get(), requantized(f, acc, row, p, tmp)),
            yp.set(f.add(yp.get(), f.c(2))),
          ]),
        ]),
      ]),
    ]),
  ];
}
