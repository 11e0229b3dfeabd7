/**
 * @fileoverview The float32 arithmetic of SSD post-processing, the same sequence of single operations the C and
 * WASM runtimes perform (each result rounded to f32 with Math.fround, no fused multiply-add), so all three agree bit
 * for bit: anchor box decoding (TF OD API's faster_rcnn_box_coder) and intersection over union.
 */

const f = Math.fround;

/** A box [ymin, xmin, ymax, xmax], normalized to the image; every value an f32. */
export type Box = [number, number, number, number];

/**
 * Decodes one anchor's box from its already scaled encodings: ty' = ty / yScale, tx' = tx / xScale and
 * eh = exp(th / hScale), ew = exp(tw / wScale) (tables for int8 models, computed per box for f32 ones).
 * center = t' · anchorSize + anchorCenter; size = e · anchorSize; corners = center ∓ size / 2.
 */
export function decodeBox(anchors: Float32Array, anchor: number, ty: number, tx: number, eh: number, ew: number): Box {
  const a = 4 * anchor;
  const [ya, xa, ha, wa] = [anchors[a]!, anchors[a + 1]!, anchors[a + 2]!, anchors[a + 3]!];
  const yc = f(f(ty * ha) + ya);
  const xc = f(f(tx * wa) + xa);
  const halfH = f(f(eh * ha) * 0.5);
  const halfW = f(f(ew * wa) * 0.5);
  return [f(yc - halfH), f(xc - halfW), f(yc + halfH), f(xc + halfW)];
}

// Comparisons, not Math.min/max: the same choice between -0 and +0 as C and WebAssembly make.
const minF = (a: number, b: number) => Math.min(a, b);
const maxF = (a: number, b: number) => Math.max(a, b);

/** Intersection over union in f32, TF's NMS formula: 0 when either box is empty. */
export function iou(a: Box, b: Box): number {
  const areaA = f(f(a[2] - a[0]) * f(a[3] - a[1]));
  const areaB = f(f(b[2] - b[0]) * f(b[3] - b[1]));
  if (areaA <= 0 || areaB <= 0) return 0;
  const h = f(minF(a[2], b[2]) - maxF(a[0], b[0]));
  const w = f(minF(a[3], b[3]) - maxF(a[1], b[1]));
  const inter = f(maxF(h, 0) * maxF(w, 0));
  return f(inter / f(f(areaA + areaB) - inter));
}

/** One kept box: the anchor it came from, its class among the reported ones, its score key and its box. */
export interface Kept {
  anchor: number;
  classIndex: number;
  /** What candidates are ordered by: the int8 score code, or the f32 score. */
  key: number;
  box: Box;
}

/**
 * Greedy NMS over candidates already in priority order (score descending, anchor ascending): a candidate is kept
 * unless its IoU with a box kept before exceeds `iouThreshold` (an f32); at most `max` are kept.
 */
export function greedyNms(
  candidates: readonly number[],
  keyOf: (anchor: number) => number,
  classOf: (anchor: number) => number,
  boxOf: (anchor: number) => Box,
  iouThreshold: number,
  max: number,
): Kept[] {
  const kept: Kept[] = [];
  for (const anchor of candidates) {
    if (kept.length === max) break;
    const box = boxOf(anchor);
    if (kept.some((k) => iou(k.box, box) > iouThreshold)) continue;
    kept.push({ anchor, classIndex: classOf(anchor), key: keyOf(anchor), box });
  }
  return kept;
}

/** Per-class results merged: score key descending, then class ascending, then each class's own order (a stable sort, as TF's top_k); the first `max`. */
export function mergeClasses(perClass: readonly Kept[][], max: number): Kept[] {
  return perClass
    .flat()
    .sort((a, b) => b.key - a.key)
    .slice(0, max);
}
