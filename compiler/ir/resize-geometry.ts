/**
 * @fileoverview Resize geometry as TFLite computes it (reference_ops::ResizeNearestNeighbor and
 * ResizeBilinearInteger): which source rows and columns each output row and column reads. These tables are what
 * prepare-int8.ts hands every int8 kernel, so no backend computes a coordinate itself.
 */

/** Fixed-point bits of ResizeBilinearInteger's source coordinates (Q10). */
export const RESIZE_FRACTION_BITS = 10;
const ONE = 1 << RESIZE_FRACTION_BITS;

/**
 * TFLite's GetNearestNeighbor, in float32 as TFLite evaluates it: scale = in/out (align corners: (in − 1)/(out − 1)),
 * p = (v + ½ if half-pixel centers) · scale; index ⌊p⌋ (align corners: p rounded half away from zero), at most in − 1
 * (and at least 0 with half-pixel centers).
 */
export function nearestSource(
  v: number,
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): number {
  const f = Math.fround;
  const scale = alignCorners && outSize > 1 ? f((inSize - 1) / (outSize - 1)) : f(inSize / outSize);
  const p = f(f(v + (halfPixelCenters ? 0.5 : 0)) * scale);
  // p ≥ 0, so Math.round (half up) is TfLiteRound (half away from zero) here.
  const i = Math.min(alignCorners ? Math.round(p) : Math.floor(p), inSize - 1);
  return halfPixelCenters ? Math.max(0, i) : i;
}

/** The source index of every output index along one axis. */
export function nearestSources(
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Int32Array {
  return Int32Array.from({ length: outSize }, (_, v) =>
    nearestSource(v, inSize, outSize, alignCorners, halfPixelCenters),
  );
}

/**
 * TFLite's ComputeInterpolationValuesInteger for every output index along one axis, as triples (lo, hi, frac):
 * scale = ⌊(2^10·in + ⌊out/2⌋) / out⌋ (align corners: ⌊(2^10·(in − 1) + ⌊(out − 1)/2⌋) / (out − 1)⌋),
 * p = v·scale (half-pixel centers: v·scale + ⌊scale/2⌋ − 2^9), lo = max(trunc(p / 2^10), 0),
 * hi = min(trunc((p + 2^10 − 1) / 2^10), in − 1), frac = p − 2^10·lo (C's truncating division throughout).
 */
export function bilinearTaps(
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Int32Array {
  const scale =
    alignCorners && outSize > 1
      ? Math.trunc((ONE * (inSize - 1) + Math.trunc((outSize - 1) / 2)) / (outSize - 1))
      : Math.trunc((ONE * inSize + Math.trunc(outSize / 2)) / outSize);
  const taps = new Int32Array(3 * outSize);
  for (let v = 0; v < outSize; v++) {
    const p = halfPixelCenters ? v * scale + Math.trunc(scale / 2) - ONE / 2 : v * scale;
    const lo = Math.max(Math.trunc(p / ONE), 0);
    // TFLite would read past the input here; no ratio a model uses comes near it.
    if (lo > inSize - 1) throw new Error(`internal: bilinear source ${lo} outside ${inSize}`);
    taps[3 * v] = lo;
    taps[3 * v + 1] = Math.min(Math.trunc((p + ONE - 1) / ONE), inSize - 1);
    taps[3 * v + 2] = p - ONE * lo;
  }
  return taps;
}
