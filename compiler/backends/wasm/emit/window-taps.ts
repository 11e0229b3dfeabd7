/**
 * @fileoverview The window loop the scalar pooling and the 16×8 depthwise kernels share: over one output pixel's
 * taps, skipping those outside the input (padding, which pooling ignores and a convolution reads as the zero point).
 */
import type { Window2d } from '../../../ir/window.ts';
import type { Expr, FunctionBuilder, Local } from './binaryen.ts';

/** The loop's locals: the output pixel (oy, ox), the tap (ky, kx) and its input row and column (iy, ix). */
export interface TapLocals {
  oy: Local;
  ox: Local;
  ky: Local;
  kx: Local;
  iy: Local;
  ix: Local;
}

/** for ky, for kx over the window of (oy, ox), with iy, ix set: `body` runs for the taps inside the input. */
export function forInBoundsTaps(f: FunctionBuilder, w: Window2d, t: TapLocals, body: Expr[]): Expr {
  const inside = (v: Local, size: number) => f.and(f.geS(v.get(), f.c(0)), f.ltS(v.get(), f.c(size)));
  const at = (o: Local, stride: number, pad: number, k: Local, dilation: number) =>
    f.add(f.sub(f.mul(o.get(), f.c(stride)), f.c(pad)), dilation === 1 ? k.get() : f.mul(k.get(), f.c(dilation)));
  return f.for(t.ky, f.c(0), f.c(w.kh), [
    t.iy.set(at(t.oy, w.strides[0], w.pads[0], t.ky, w.dilations[0])),
    f.if(inside(t.iy, w.h), [
      f.for(t.kx, f.c(0), f.c(w.kw), [
        t.ix.set(at(t.ox, w.strides[1], w.pads[2], t.kx, w.dilations[1])),
        f.if(inside(t.ix, w.w), body),
      ]),
    ]),
  ]);
}
