/**
 * @fileoverview The int8 regular convolution in WebAssembly (the stem conv of MobileNetV2, 3×3 over RGB): gather
 * the windows of ROWS_PER_PASS neighbouring output pixels into a scratch patch (kh·kw·C bytes each, padding reads the
 * input zero point) and run them as the rows of one SIMD matmul pass. Interior pixels copy each window row with v128
 * loads and stores; border pixels gather byte by byte with bounds checks.
 */

import { type Window2d, windowInterior } from '../../../ir/window.ts';
import type { Expr, FunctionBuilder } from '../emit/binaryen.ts';
import { emitSimdMatmul, ROWS_PER_PASS, type SimdMatmul } from './matmul-simd-int8.ts';

/** Output pixels gathered per matmul call: one matmul pass. */
const PIXELS = ROWS_PER_PASS;

/** Scratch bytes of the patch: PIXELS windows, and 16 for the last v128 copy's overshoot. */
export function convPatchBytes(kh: number, kw: number, c: number): number {
  return PIXELS * kh * kw * c + 16;
}

/** The constants of one regular conv besides its matmul. */
export interface SimdConv {
  x: number;
  y: number;
  patch: number;
  w: Window2d;
  inputOffset: number;
}

/** Statements of the whole layer. */
export function emitSimdConv(f: FunctionBuilder, mm: SimdMatmul, d: SimdConv): Expr {
  const { w } = d;
  const k = w.kh * w.kw * w.c;
  const [oy, ox, ky, kx, ci, iy, ix, dst, src] = f.i32s(9);
  const interior = windowInterior(w);
  /** Contiguous runs of a window: whole rows of kw·C bytes without horizontal dilation, else C bytes a tap. */
  const runs: { from: number; to: number; bytes: number }[] = [];
  for (let y = 0; y < w.kh; y++) {
    if (w.dilations[1] === 1)
      runs.push({ from: y * w.dilations[0] * w.w * w.c, to: y * w.kw * w.c, bytes: w.kw * w.c });
    else
      for (let x = 0; x < w.kw; x++)
        runs.push({
          from: (y * w.dilations[0] * w.w + x * w.dilations[1]) * w.c,
          to: (y * w.kw + x) * w.c,
          bytes: w.c,
        });
  }
  const copy = (): Expr[] =>
    runs.flatMap((r) =>
      Array.from({ length: Math.ceil(r.bytes / 16) }, (_, j) =>
        f.storeV128(dst.get(), f.loadV128(src.get(), r.from + 16 * j), r.to + 16 * j),
      ),
    );
  /** One pixel's window, column ox + col, into the patch at dst. */
  const gather = (col: number): Expr => {
    const x0 = () => f.sub(f.mul(f.add(ox.get(), f.c(col)), f.c(w.strides[1])), f.c(w.pads[2]));
    const y0 = () => f.sub(f.mul(oy.get(), f.c(w.strides[0])), f.c(w.pads[0]));
    const inside = f.m.i32.and(
      f.m.i32.and(f.geS(oy.get(), f.c(interior.y[0])), f.ltS(oy.get(), f.c(interior.y[1] + 1))),
      f.m.i32.and(
        f.geS(f.add(ox.get(), f.c(col)), f.c(interior.x[0])),
        f.ltS(f.add(ox.get(), f.c(col)), f.c(interior.x[1] + 1)),
      ),
    );
    // A fresh expression per use (binaryen nodes have one parent); the load's address is clamped too, since select
    // evaluates both arms: a window reaching above the input must not read before linear memory's start.
    const inBounds = () =>
      f.m.i32.and(
        f.m.i32.and(f.geS(iy.get(), f.c(0)), f.ltS(iy.get(), f.c(w.h))),
        f.m.i32.and(f.geS(ix.get(), f.c(0)), f.ltS(ix.get(), f.c(w.w))),
      );
    const bytewise = [
      f.for(ky, f.c(0), f.c(w.kh), [
        iy.set(f.add(y0(), f.mul(ky.get(), f.c(w.dilations[0])))),
        f.for(kx, f.c(0), f.c(w.kw), [
          ix.set(f.add(x0(), f.mul(kx.get(), f.c(w.dilations[1])))),
          f.for(ci, f.c(0), f.c(w.c), [
            f.store8(
              f.add(dst.get(), f.add(f.mul(f.add(f.mul(ky.get(), f.c(w.kw)), kx.get()), f.c(w.c)), ci.get())),
              f.select(
                inBounds(),
                f.load8(
                  f.add(
                    f.c(d.x),
                    f.select(
                      inBounds(),
                      f.add(f.mul(f.add(f.mul(iy.get(), f.c(w.w)), ix.get()), f.c(w.c)), ci.get()),
                      f.c(0),
                    ),
                  ),
                ),
                f.c(-d.inputOffset),
              ),
            ),
          ]),
        ]),
      ]),
    ];
    return f.block([
      dst.set(f.c(d.patch + col * k)),
      f.if(
        inside,
        [src.set(f.add(f.c(d.x), f.mul(f.add(f.mul(y0(), f.c(w.w)), x0()), f.c(w.c)))), ...copy()],
        bytewise,
      ),
    ]);
  };
  const out = () => f.add(f.c(d.y), f.mul(f.add(f.mul(oy.get(), f.c(w.ow)), ox.get()), f.c(mm.outC)));
  const whole = Math.floor(w.ow / PIXELS) * PIXELS;
  /** `n` neighbouring pixels from ox: gathered, then one matmul pass. */
  const pixels = (n: number): Expr[] => [
    ...Array.from({ length: n }, (_, col) => gather(col)),
    emitSimdMatmul(f, mm, f.c(d.patch), n, out()),
  ];
  return f.for(oy, f.c(0), f.c(w.oh), [
    ...(whole > 0 ? [f.for(ox, f.c(0), f.c(whole), pixels(PIXELS), PIXELS)] : []),
    ...(w.ow > whole ? [ox.set(f.c(whole)), ...pixels(w.ow - whole)] : []),
  ]);
}
