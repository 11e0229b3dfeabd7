/**
 * @fileoverview Receptive-field arithmetic of patch-based execution (MCUNetV2): the rectangle of an NHWC tensor a
 * patch covers, the grid a tensor's rows and columns split into, and the input rectangle a window op reads to compute
 * an output rectangle (clipped to the input, with the padding the patch's own window then starts with).
 */

/** Rows [y0, y1) and columns [x0, x1) of a tensor: half-open, in the tensor's own pixels. */
export interface Region {
  y0: number;
  y1: number;
  x0: number;
  x1: number;
}

/** A window op's geometry along both axes (kernel, stride, dilation, the top and left padding). */
export interface WindowGeometry {
  kh: number;
  kw: number;
  strides: [number, number];
  dilations: [number, number];
  padTop: number;
  padLeft: number;
}

/** The input rectangle an output rectangle reads, and the padding the patch's window starts with. */
export interface WindowRead {
  /** Clipped to the input: the rows and columns outside it read the zero point, as padding does. */
  input: Region;
  /** Padding before the first input row and column the patch reads (0 inside the image). */
  padTop: number;
  padLeft: number;
}

/** Pixels in a region. */
export function regionPixels(r: Region): number {
  return (r.y1 - r.y0) * (r.x1 - r.x0);
}

/** Whether two regions are the same rectangle. */
export function sameRegion(a: Region, b: Region): boolean {
  return a.y0 === b.y0 && a.y1 === b.y1 && a.x0 === b.x0 && a.x1 === b.x1;
}

/** The smallest region holding both. */
export function regionUnion(a: Region, b: Region): Region {
  return { y0: Math.min(a.y0, b.y0), y1: Math.max(a.y1, b.y1), x0: Math.min(a.x0, b.x0), x1: Math.max(a.x1, b.x1) };
}

/** Whether `inner` lies inside `outer`. */
export function regionWithin(inner: Region, outer: Region): boolean {
  return inner.y0 >= outer.y0 && inner.y1 <= outer.y1 && inner.x0 >= outer.x0 && inner.x1 <= outer.x1;
}

/** Splits `size` into `parts` ranges differing by at most one (the larger ones first). */
function split(size: number, parts: number): [number, number][] {
  return Array.from({ length: parts }, (_, i) => [
    Math.floor((size * i) / parts),
    Math.floor((size * (i + 1)) / parts),
  ]);
}

/** The rows × cols grid of an h × w tensor, in raster order (row of patches by row). */
export function gridRegions(h: number, w: number, rows: number, cols: number): Region[] {
  if (rows > h || cols > w) throw new Error(`internal: a ${rows}×${cols} grid of a ${h}×${w} tensor`);
  return split(h, rows).flatMap(([y0, y1]) => split(w, cols).map(([x0, x1]) => ({ y0, y1, x0, x1 })));
}

/** Along one axis: the input range outputs [o0, o1) read, clipped to [0, size), and the padding before it. */
function axisRead(o0: number, o1: number, k: number, stride: number, dilation: number, pad: number, size: number) {
  const first = o0 * stride - pad;
  const last = (o1 - 1) * stride - pad + (k - 1) * dilation;
  return { i0: Math.max(0, first), i1: Math.min(size, last + 1), pad: Math.max(0, -first) };
}

/** The input rectangle (of an h × w input) a window op reads for the output rectangle `out`. */
export function windowRead(win: WindowGeometry, out: Region, h: number, w: number): WindowRead {
  const y = axisRead(out.y0, out.y1, win.kh, win.strides[0], win.dilations[0], win.padTop, h);
  const x = axisRead(out.x0, out.x1, win.kw, win.strides[1], win.dilations[1], win.padLeft, w);
  return { input: { y0: y.i0, y1: y.i1, x0: x.i0, x1: x.i1 }, padTop: y.pad, padLeft: x.pad };
}
