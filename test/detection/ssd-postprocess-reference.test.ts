/**
 * The TypeScript reference of SSD post-processing on hand-computed cases: box decoding and IoU in f32; NMS per
 * class and class-agnostic on four anchors (an overlapping pair, an identical twin with a tied score, a far box);
 * ties broken by anchor; the score threshold at its edge (a score equal to it is not a candidate); top-k; the f32
 * path agrees with the int8 path on dequantized outputs; SsdDetection survives the passes and the int8 artifact.
 */
import { describe, expect, it } from 'vitest';
import { decodeArtifact, encodeArtifact } from '../../compiler/artifact/int8-artifact.ts';
import { type SsdInt8Tables, ssdInt8Tables } from '../../compiler/detection/ssd-tables.ts';
import type { SsdDetection } from '../../compiler/ir/detection.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import type { Tensor } from '../../compiler/ir/tensor.ts';
import { optimize } from '../../compiler/pipeline.ts';
import { dequantizeArray, quantizeForTensor } from '../../compiler/quantize/prepare/quant-params.ts';
import { decodeBox, iou } from '../../compiler/reference/detection/box-arithmetic.ts';
import { ssdPostprocessF32, ssdPostprocessInt8 } from '../../compiler/reference/detection/ssd-postprocess.ts';
import { referenceDetections } from './detection-record.ts';
import { quantizedSyntheticDetector, seededImages, syntheticDetector } from './synthetic-detector.ts';

const isF32 = (v: number) => Math.fround(v) === v;

/** Anchors (y, x, h, w): 0 and 3 the same box, 1 overlapping them (IoU 0.818), 2 far away. */
const ANCHORS = Float32Array.from([0.5, 0.5, 0.2, 0.2, 0.5, 0.52, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1, 0.5, 0.5, 0.2, 0.2]);
/** Score codes per anchor: background, class 0, class 1. */
const SCORES = Int8Array.from([0, 100, 90, 0, 110, -100, 0, 50, 100, 0, 110, 0]);
const BOXES = new Int8Array(16);

/** Tables where every box code decodes to its anchor and a code's score is (code + 128) / 256. */
function tables(settings: Partial<SsdInt8Tables>): SsdInt8Tables {
  return {
    anchors: ANCHORS,
    anchorCount: 4,
    columns: 3,
    firstClass: 1,
    score: Float32Array.from({ length: 256 }, (_, i) => i / 256),
    minScoreCode: 40,
    ty: new Float32Array(256),
    tx: new Float32Array(256),
    eh: new Float32Array(256).fill(1),
    ew: new Float32Array(256).fill(1),
    iouThreshold: Math.fround(0.5),
    maxDetections: 10,
    classAgnostic: false,
    ...settings,
  };
}

const picked = (t: SsdInt8Tables) =>
  ssdPostprocessInt8(t, BOXES, SCORES).map((d) => [d.anchor, d.classIndex, d.score * 256 - 128]);

describe('SSD post-processing reference', () => {
  it('decodes a box: center = t·size + anchor, size = e·anchor size, corners center ∓ size/2, every value an f32', () => {
    const box = decodeBox(Float32Array.from([0.5, 0.5, 0.2, 0.4]), 0, 0.1, -0.25, 2, 0.5);
    [0.32, 0.3, 0.72, 0.5].forEach((v, i) => {
      expect(box[i]).toBeCloseTo(v, 6);
    });
    expect(box.every(isF32)).toBe(true);
  });

  it('IoU: 1/7 for unit squares offset by half, 0 when disjoint or one is empty', () => {
    expect(iou([0, 0, 1, 1], [0.5, 0.5, 1.5, 1.5])).toBe(Math.fround(0.25 / 1.75));
    expect(iou([0, 0, 1, 1], [2, 2, 3, 3])).toBe(0);
    expect(iou([0, 0, 0, 1], [0, 0, 1, 1])).toBe(0);
    expect(iou([0.4, 0.4, 0.6, 0.6], [0.4, 0.42, 0.6, 0.62])).toBeCloseTo(0.036 / 0.044, 5);
  });

  it('per class: each class suppresses its own overlaps (the tie 110/110 goes to the lower anchor), merged by score', () => {
    expect(picked(tables({}))).toEqual([
      [1, 0, 110],
      [2, 1, 100],
      [0, 1, 90],
      [2, 0, 50],
    ]);
  });

  it("class-agnostic: one NMS over each anchor's best class, ties by anchor", () => {
    expect(picked(tables({ classAgnostic: true }))).toEqual([
      [1, 0, 110],
      [2, 1, 100],
    ]);
  });

  it('top-k: at most maxDetections, best first', () => {
    expect(picked(tables({ classAgnostic: true, maxDetections: 1 }))).toEqual([[1, 0, 110]]);
    expect(picked(tables({ maxDetections: 2 }))).toEqual([
      [1, 0, 110],
      [2, 1, 100],
    ]);
  });

  it('threshold: codes at the minimum pass, below it do not; IoU equal to the threshold does not suppress', () => {
    expect(picked(tables({ minScoreCode: 110 }))).toEqual([[1, 0, 110]]);
    expect(picked(tables({ minScoreCode: 111 }))).toEqual([]);
    expect(picked(tables({ minScoreCode: 100, iouThreshold: 1 }))).toEqual([
      [1, 0, 110],
      [3, 0, 110],
      [0, 0, 100],
      [2, 1, 100],
    ]);
  });

  it('the minimum score code: the first whose sigmoid exceeds the threshold; a score equal to the threshold is out', () => {
    const scores: Tensor = { name: 's', shape: [1, 4, 3], dtype: 'int8', quant: { scale: [0.1], zeroPoint: [0] } };
    const boxes: Tensor = { name: 'b', shape: [1, 4, 4], dtype: 'int8', quant: { scale: [0.05], zeroPoint: [0] } };
    const detection: SsdDetection = {
      boxesOutput: 'b',
      scoresOutput: 's',
      anchors: ANCHORS,
      boxScales: { y: 10, x: 10, h: 5, w: 5 },
      scoreConversion: 'sigmoid',
      backgroundClass: true,
      scoreThreshold: 0.5,
      iouThreshold: 0.5,
      maxDetections: 10,
      classAgnostic: false,
    };
    const g: Graph = {
      source: 'hand',
      tensors: new Map([
        ['s', scores],
        ['b', boxes],
      ]),
      nodes: [],
      inputs: [],
      outputs: ['b', 's'],
      detection,
    };
    const t = ssdInt8Tables(g);
    expect(t.minScoreCode).toBe(1);
    expect(ssdInt8Tables(g, { scoreThreshold: t.score[3 + 128] }).minScoreCode).toBe(4);
    expect(t.score[128 + 20]).toBe(Math.fround(1 / (1 + Math.exp(-2))));
    expect(t.eh[128 + 20]).toBe(Math.fround(Math.exp((0.05 * 20) / 5)));
    expect(t.ty[128 - 20]).toBe(Math.fround((-0.05 * 20) / 10));
    expect(ssdInt8Tables(g, { scoreThreshold: 0.9999 }).minScoreCode).toBe(93);
  });

  it("the f32 path (TF OD API semantics) on dequantized outputs picks the int8 path's detections, boxes and scores within 1e-6", () => {
    const g = quantizedSyntheticDetector();
    const d = g.detection as SsdDetection;
    for (const image of seededImages(3, 40)) {
      const ref = referenceDetections(g, quantizeForTensor(image, tensorOf(g, g.inputs[0]!)) as Int8Array);
      const f32 = ssdPostprocessF32(
        d,
        dequantizeArray(ref.boxes, tensorOf(g, d.boxesOutput).quant!),
        dequantizeArray(ref.scores, tensorOf(g, d.scoresOutput).quant!),
      );
      expect(f32.map((x) => [x.anchor, x.classIndex])).toEqual(ref.detections.map((x) => [x.anchor, x.classIndex]));
      f32.forEach((x, i) => {
        expect(x.score).toBeCloseTo(ref.detections[i]!.score, 6);
        x.box.forEach((v, k) => {
          expect(v).toBeCloseTo(ref.detections[i]!.box[k]!, 6);
        });
      });
    }
  });

  it('the passes keep the detection description and its outputs', () => {
    const g = optimize(syntheticDetector());
    expect(g.detection).toEqual(syntheticDetector().detection);
    expect(g.outputs).toEqual(['box_encodings', 'class_predictions']);
  });

  it('the int8 artifact keeps the detection description, anchors bit for bit', () => {
    const g = quantizedSyntheticDetector();
    const back = decodeArtifact(
      encodeArtifact({
        model: 't',
        graph: g,
        preprocessing: { scale: 1, offset: 0 },
        calibration: { method: 'minmax', images: 1, biasCorrection: false },
      }),
      't.tedge',
    ).graph;
    expect(back.detection).toEqual(g.detection);
    expect(ssdInt8Tables(back)).toEqual(ssdInt8Tables(g));
  });
});
