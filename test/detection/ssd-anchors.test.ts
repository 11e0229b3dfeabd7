/**
 * SSD anchors equal TF OD API's for hand-computed cases: the SSDLite 320 config (2034 anchors, 1917 at 300), the
 * order feature map → y → x → box, the reduced lowest layer, the interpolated box, strides and offsets in pixels
 * on a non-square image; bad configs are refused.
 */
import { describe, expect, it } from 'vitest';
import { anchorsPerLocation, generateSsdAnchors, type SsdAnchorConfig } from '../../compiler/detection/ssd-anchors.ts';
import { TinyedgeError } from '../../compiler/errors.ts';

const SSDLITE_320: SsdAnchorConfig = {
  featureMaps: [
    [20, 20],
    [10, 10],
    [5, 5],
    [3, 3],
    [2, 2],
    [1, 1],
  ],
  aspectRatios: [1, 2, 0.5, 3, 1 / 3],
};

/** Anchor `i` as [yCenter, xCenter, height, width]. */
const anchor = (a: Float32Array, i: number) => Array.from(a.subarray(4 * i, 4 * i + 4));

describe('generateSsdAnchors', () => {
  it('gives 2034 anchors for SSDLite 320 and 1917 for SSD 300 (3 boxes on the lowest layer, 6 elsewhere)', () => {
    expect(anchorsPerLocation(SSDLITE_320)).toEqual([3, 6, 6, 6, 6, 6]);
    expect(generateSsdAnchors(SSDLITE_320).length).toBe(2034 * 4);
    expect(
      generateSsdAnchors({
        ...SSDLITE_320,
        featureMaps: [
          [19, 19],
          [10, 10],
          [5, 5],
          [3, 3],
          [2, 2],
          [1, 1],
        ],
      }).length,
    ).toBe(1917 * 4);
  });

  it("places the lowest layer's fixed boxes, box fastest, then x, then y", () => {
    const a = generateSsdAnchors(SSDLITE_320);
    const s2 = Math.SQRT2;
    for (const [got, want] of [
      [anchor(a, 0), [0.025, 0.025, 0.1, 0.1]],
      [anchor(a, 1), [0.025, 0.025, 0.2 / s2, 0.2 * s2]],
      [anchor(a, 2), [0.025, 0.025, 0.2 * s2, 0.2 / s2]],
      [anchor(a, 3), [0.025, 0.075, 0.1, 0.1]], // next x
      [anchor(a, 3 * 20), [0.075, 0.025, 0.1, 0.1]], // next y
    ]) {
      got!.forEach((v, k) => {
        expect(v).toBeCloseTo(want![k]!, 6);
      });
    }
  });

  it("uses the interpolated scale on the second layer and 1.0 as the last layer's next scale", () => {
    const a = generateSsdAnchors(SSDLITE_320);
    const first = 1200; // 20·20·3 anchors precede layer 1; its scale is 0.2 + 0.75/5 = 0.35
    const want = [
      [0.05, 0.05, 0.35, 0.35],
      [0.05, 0.05, 0.35 / Math.SQRT2, 0.35 * Math.SQRT2],
      [0.05, 0.05, 0.35 * Math.SQRT2, 0.35 / Math.SQRT2],
      [0.05, 0.05, 0.35 / Math.sqrt(3), 0.35 * Math.sqrt(3)],
      [0.05, 0.05, 0.35 * Math.sqrt(3), 0.35 / Math.sqrt(3)],
      [0.05, 0.05, Math.sqrt(0.35 * 0.5), Math.sqrt(0.35 * 0.5)],
    ];
    want.forEach((w, i) => {
      anchor(a, first + i).forEach((v, k) => {
        expect(v).toBeCloseTo(w[k]!, 6);
      });
    });
    // The 1×1 layer: centered, scale 0.95, interpolated with 1.0.
    anchor(a, 2033).forEach((v, k) => {
      expect(v).toBeCloseTo([0.5, 0.5, Math.sqrt(0.95), Math.sqrt(0.95)][k]!, 6);
    });
  });

  it('keeps all boxes on the lowest layer when not reduced, and drops the interpolated box at ratio 0', () => {
    const config: SsdAnchorConfig = {
      featureMaps: [
        [2, 2],
        [1, 1],
      ],
      minScale: 0.2,
      maxScale: 0.8,
      aspectRatios: [1, 2],
      reduceBoxesInLowestLayer: false,
      interpolatedScaleAspectRatio: 0,
    };
    expect(anchorsPerLocation(config)).toEqual([2, 2]);
    const a = generateSsdAnchors(config);
    expect(a.length).toBe((4 * 2 + 2) * 4);
    anchor(a, 0).forEach((v, k) => {
      expect(v).toBeCloseTo([0.25, 0.25, 0.2, 0.2][k]!, 6);
    });
    anchor(a, 8).forEach((v, k) => {
      expect(v).toBeCloseTo([0.5, 0.5, 0.8, 0.8][k]!, 6);
    });
  });

  it('takes explicit scales, strides and offsets in pixels, with base sizes relative to the shorter side', () => {
    const a = generateSsdAnchors({
      featureMaps: [[2, 4]],
      scales: [0.5],
      aspectRatios: [1],
      reduceBoxesInLowestLayer: false,
      interpolatedScaleAspectRatio: 0,
      anchorStrides: [[16, 16]],
      anchorOffsets: [[8, 4]],
      imageHeight: 32,
      imageWidth: 64,
    });
    // Square in pixels: height 0.5·32 = 16 px = 0.5 of the height, width 16 px = 0.25 of the width.
    anchor(a, 0).forEach((v, k) => {
      expect(v).toBeCloseTo([0.25, 0.0625, 0.5, 0.25][k]!, 6);
    });
    anchor(a, 5).forEach((v, k) => {
      expect(v).toBeCloseTo([0.75, 0.3125, 0.5, 0.25][k]!, 6);
    });
  });

  it('refuses configs TF OD API would reject, naming what is wrong', () => {
    expect(() => generateSsdAnchors({ featureMaps: [] })).toThrow(TinyedgeError);
    expect(() => generateSsdAnchors({ featureMaps: [[4, 4]] })).toThrow(/explicit scales/);
    expect(() =>
      generateSsdAnchors({
        featureMaps: [
          [4, 4],
          [2, 2],
        ],
        scales: [0.3],
      }),
    ).toThrow(/1 scales for 2 feature maps/);
    expect(() =>
      generateSsdAnchors({
        featureMaps: [
          [4, 4],
          [2, 2],
        ],
        anchorStrides: [[8, 8]],
      }),
    ).toThrow(/1 anchor strides for 2/);
    expect(() =>
      generateSsdAnchors({
        featureMaps: [
          [4, 0],
          [2, 2],
        ],
      }),
    ).toThrow(/not a positive integer/);
  });
});
