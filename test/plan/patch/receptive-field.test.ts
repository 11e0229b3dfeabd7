/**
 * The receptive-field arithmetic of patch-based execution at the patch edges: uneven grids of odd sizes, stride 2
 * with TensorFlow's SAME padding (none at the top, one row at the bottom of an even input), padding that only the
 * edge cells see, dilation, and the clipped rectangle a window reads past the input's end.
 */
import { describe, expect, it } from 'vitest';
import {
  gridRegions,
  regionPixels,
  type WindowGeometry,
  windowRead,
} from '../../../compiler/plan/patch/receptive-field.ts';

const conv = (k: number, stride: number, pad: number, dilation = 1): WindowGeometry => ({
  kh: k,
  kw: k,
  strides: [stride, stride],
  dilations: [dilation, dilation],
  padTop: pad,
  padLeft: pad,
});

describe('gridRegions', () => {
  it('covers an odd-sized tensor exactly once, cells differing by at most one row or column', () => {
    const cells = gridRegions(13, 11, 3, 4);
    expect(cells).toHaveLength(12);
    expect(cells.reduce((s, r) => s + regionPixels(r), 0)).toBe(13 * 11);
    expect(cells.map((r) => r.y1 - r.y0)).toEqual([4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5]);
    expect(cells.slice(0, 4).map((r) => [r.x0, r.x1])).toEqual([
      [0, 2],
      [2, 5],
      [5, 8],
      [8, 11],
    ]);
  });

  it('refuses more cells than rows', () => {
    expect(() => gridRegions(3, 3, 4, 1)).toThrow(/grid/);
  });
});

describe('windowRead', () => {
  it('3×3 stride 1 pad 1: an inner cell reads a one-pixel halo and starts unpadded; an edge cell is padded', () => {
    const inner = windowRead(conv(3, 1, 1), { y0: 4, y1: 8, x0: 4, x1: 8 }, 12, 12);
    expect(inner).toEqual({ input: { y0: 3, y1: 9, x0: 3, x1: 9 }, padTop: 0, padLeft: 0 });
    const corner = windowRead(conv(3, 1, 1), { y0: 0, y1: 4, x0: 8, x1: 12 }, 12, 12);
    // The top row's window starts one row above the input; the right column's ends one past it (clipped).
    expect(corner).toEqual({ input: { y0: 0, y1: 5, x0: 7, x1: 12 }, padTop: 1, padLeft: 0 });
  });

  it('3×3 stride 2, SAME padding of an even input (top 0): cells read overlapping odd-sized rectangles', () => {
    // 24 → 12; output rows 0…5 read input rows 0…12, rows 6…11 read rows 12…24 (the last one padding, clipped).
    const top = windowRead(conv(3, 2, 0), { y0: 0, y1: 6, x0: 0, x1: 12 }, 24, 24);
    const bottom = windowRead(conv(3, 2, 0), { y0: 6, y1: 12, x0: 0, x1: 12 }, 24, 24);
    expect(top.input).toEqual({ y0: 0, y1: 13, x0: 0, x1: 24 });
    expect(bottom.input).toEqual({ y0: 12, y1: 24, x0: 0, x1: 24 });
    expect([top.padTop, bottom.padTop]).toEqual([0, 0]);
  });

  it('3×3 stride 2 pad 1 of an odd input: the first cell is padded, the middle one is not', () => {
    // 13 → 7 outputs; output 3 reads input rows 5…7.
    const first = windowRead(conv(3, 2, 1), { y0: 0, y1: 3, x0: 3, x1: 5 }, 13, 13);
    expect(first).toEqual({ input: { y0: 0, y1: 6, x0: 5, x1: 10 }, padTop: 1, padLeft: 0 });
    const last = windowRead(conv(3, 2, 1), { y0: 5, y1: 7, x0: 0, x1: 7 }, 13, 13);
    expect(last.input.y0).toBe(9);
    expect(last.input.y1).toBe(13);
  });

  it('a 1×1 window reads exactly its own rectangle; dilation widens the halo', () => {
    const r = { y0: 2, y1: 5, x0: 1, x1: 4 };
    expect(windowRead(conv(1, 1, 0), r, 9, 9)).toEqual({ input: r, padTop: 0, padLeft: 0 });
    expect(windowRead(conv(3, 1, 2, 2), r, 9, 9).input).toEqual({ y0: 0, y1: 7, x0: 0, x1: 6 });
  });
});
