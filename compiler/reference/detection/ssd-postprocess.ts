/**
 * @fileoverview SSD post-processing, the reference every runtime matches: score conversion, anchor box decoding,
 * NMS per class or over all classes, top-k. The int8 path (tables, integer score codes) is what C and WASM
 * reproduce bit for bit; the f32 path follows TF OD API's semantics for float graphs (each op rounded to f32, as
 * TF's float32 tensors are), to compare with TF.js.
 */

import type { NmsSettings, SsdInt8Tables } from '../../detection/ssd-tables.ts';
import type { SsdDetection } from '../../ir/detection.ts';
import { type Box, decodeBox, greedyNms, type Kept, mergeClasses } from './box-arithmetic.ts';

const f = Math.fround;

/** One detection: the class among the reported ones (background excluded), its score, its box and anchor. */
export interface Detection {
  classIndex: number;
  /** An f32: the converted score (a probability for sigmoid models). */
  score: number;
  /** [ymin, xmin, ymax, xmax] normalized to the image (not clipped). */
  box: Box;
  anchor: number;
}

/** How a path reads one model's outputs: scores per anchor and class, the order key, the box. */
interface ScoreReader {
  anchors: number;
  /** Reported classes. */
  classes: number;
  /** Comparable score key of (anchor, class); candidates have key > `threshold`. */
  key(anchor: number, classIndex: number): number;
  threshold: number;
  box(anchor: number): Box;
  score(key: number): number;
}

/** Anchors whose key passes the threshold, by key descending then anchor ascending. */
function candidatesBy(reader: ScoreReader, keyOf: (anchor: number) => number): number[] {
  const out: number[] = [];
  for (let i = 0; i < reader.anchors; i++) if (keyOf(i) > reader.threshold) out.push(i);
  return out.sort((a, b) => keyOf(b) - keyOf(a) || a - b);
}

/** Argmax over classes of one anchor (the first class on ties). */
function bestClass(reader: ScoreReader, anchor: number): number {
  let best = 0;
  for (let c = 1; c < reader.classes; c++) if (reader.key(anchor, c) > reader.key(anchor, best)) best = c;
  return best;
}

function postprocess(
  reader: ScoreReader,
  settings: Pick<NmsSettings, 'iouThreshold' | 'maxDetections' | 'classAgnostic'>,
): Detection[] {
  const { iouThreshold, maxDetections: max } = settings;
  let kept: Kept[];
  if (settings.classAgnostic) {
    const classOf = (a: number) => bestClass(reader, a);
    const keyOf = (a: number) => reader.key(a, classOf(a));
    kept = greedyNms(candidatesBy(reader, keyOf), keyOf, classOf, (a) => reader.box(a), iouThreshold, max);
  } else {
    const perClass = Array.from({ length: reader.classes }, (_, c) => {
      const keyOf = (a: number) => reader.key(a, c);
      return greedyNms(
        candidatesBy(reader, keyOf),
        keyOf,
        () => c,
        (a) => reader.box(a),
        iouThreshold,
        max,
      );
    });
    kept = mergeClasses(perClass, max);
  }
  return kept.map((k) => ({ classIndex: k.classIndex, score: reader.score(k.key), box: k.box, anchor: k.anchor }));
}

/** Detections of an int8 detector from its raw box encodings [anchors × 4] and score codes [anchors × columns]. */
export function ssdPostprocessInt8(t: SsdInt8Tables, boxes: Int8Array, scores: Int8Array): Detection[] {
  const at = (v: number) => v + 128;
  return postprocess(
    {
      anchors: t.anchorCount,
      classes: t.columns - t.firstClass,
      key: (a, c) => scores[a * t.columns + t.firstClass + c]!,
      threshold: t.minScoreCode - 1,
      box: (a) =>
        decodeBox(
          t.anchors,
          a,
          t.ty[at(boxes[4 * a]!)]!,
          t.tx[at(boxes[4 * a + 1]!)]!,
          t.eh[at(boxes[4 * a + 2]!)]!,
          t.ew[at(boxes[4 * a + 3]!)]!,
        ),
      score: (code) => t.score[at(code)]!,
    },
    t,
  );
}

/** Detections of a float detector from its box encodings and score logits (TF OD API's post-processing, in f32). */
export function ssdPostprocessF32(
  d: SsdDetection,
  boxes: Float32Array,
  scores: Float32Array,
  settings: Partial<NmsSettings> = {},
): Detection[] {
  const nms = {
    scoreThreshold: d.scoreThreshold,
    iouThreshold: d.iouThreshold,
    maxDetections: d.maxDetections,
    classAgnostic: d.classAgnostic,
    ...settings,
  };
  const anchors = d.anchors.length / 4;
  const columns = scores.length / anchors;
  const first = d.backgroundClass ? 1 : 0;
  const convert = d.scoreConversion === 'sigmoid' ? (x: number) => f(1 / f(1 + f(Math.exp(-x)))) : (x: number) => x;
  const { y, x, h, w } = d.boxScales;
  return postprocess(
    {
      anchors,
      classes: columns - first,
      key: (a, c) => convert(scores[a * columns + first + c]!),
      threshold: f(nms.scoreThreshold),
      box: (a) =>
        decodeBox(
          d.anchors,
          a,
          f(boxes[4 * a]! / y),
          f(boxes[4 * a + 1]! / x),
          f(Math.exp(f(boxes[4 * a + 2]! / h))),
          f(Math.exp(f(boxes[4 * a + 3]! / w))),
        ),
      score: (key) => key,
    },
    { ...nms, iouThreshold: f(nms.iouThreshold) },
  );
}
