/** @fileoverview Geometry of a 2-D window op (conv, depthwise, pooling, transpose conv) over an NHWC input: the IR fact both interpreters and every backend read. */
import type { Pads4 } from './attrs.ts';
import type { Tensor } from './tensor.ts';
import { tupleOf } from './tuple.ts';

/** Input size, output size, kernel size, strides, dilations and explicit pads. */
export interface Window2d {
  n: number;
  h: number;
  w: number;
  c: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  strides: [number, number];
  dilations: [number, number];
  pads: Pads4;
}

/** The window of a node from its input and output tensors and its attributes. */
export function windowOf(
  input: Tensor,
  out: Tensor,
  kh: number,
  kw: number,
  a: { strides: [number, number]; pads: Pads4; dilations?: [number, number] },
): Window2d {
  const [n, h, w, c] = tupleOf(input.shape, 4);
  return {
    n: n,
    h: h,
    w: w,
    c: c,
    oh: out.shape[1]!,
    ow: out.shape[2]!,
    kh,
    kw,
    strides: a.strides,
    dilations: a.dilations ?? [1, 1],
    pads: a.pads,
  };
}

/**
 * The output rows [y0, y1] and columns [x0, x1] (inclusive) whose whole window lies inside the input, so kernels
 * can skip bounds checks there; empty ranges have first > last.
 */
export function windowInterior(w: Window2d): { y: [number, number]; x: [number, number] } {
  const range = (
    out: number,
    size: number,
    stride: number,
    pad: number,
    k: number,
    dilation: number,
  ): [number, number] => [
    Math.ceil(pad / stride),
    Math.min(out - 1, Math.floor((size - ((k - 1) * dilation + 1) + pad) / stride)),
  ];
  return {
    y: range(w.oh, w.h, w.strides[0], w.pads[0], w.kh, w.dilations[0]),
    x: range(w.ow, w.w, w.strides[1], w.pads[2], w.kw, w.dilations[1]),
  };
}

/**
 * The loops of a transpose convolution: for every input element and every filter tap landing inside the output,
 * `mac(input index, filter index, output index)`. Shared by the f32 and int8 references.
 */
export function scatterTransposeConv(
  g: Window2d,
  outC: number,
  mac: (xi: number, wi: number, yi: number) => void,
): void {
  const { c, kh, kw } = g;
  for (let n = 0; n < g.n; n++) {
    for (let iy = 0; iy < g.h; iy++) {
      for (let ix = 0; ix < g.w; ix++) {
        const xb = ((n * g.h + iy) * g.w + ix) * c;
        for (let ky = 0; ky < kh; ky++) {
          const oy = iy * g.strides[0] - g.pads[0] + ky;
          if (oy < 0 || oy >= g.oh) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ox = ix * g.strides[1] - g.pads[2] + kx;
            if (ox < 0 || ox >= g.ow) continue;
            const yb = ((n * g.oh + oy) * g.ow + ox) * outC;
            for (let o = 0; o < outC; o++) {
              const wb = ((o * kh + ky) * kw + kx) * c;
              for (let ci = 0; ci < c; ci++) mac(xb + ci, wb + ci, yb + o);
            }
          }
        }
      }
    }
  }
}
