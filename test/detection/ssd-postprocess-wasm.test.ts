/**
 * The AssemblyScript SSD post-processing (runtime/wasm/assembly/ssd-postprocess.ts through its JS wrapper) gives
 * detections identical to the TypeScript reference (count, classes, anchors, f32 boxes and scores) on the synthetic
 * detector's raw outputs: per class and class-agnostic, thresholds from none to most, one detection to many. The
 * detector compiled for wasm32 and loaded by the shipped loader detects the same, from the same raw outputs.
 */

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ssdInt8Tables } from '../../compiler/detection/ssd-tables.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { quantizeForTensor } from '../../compiler/quantize/prepare/quant-params.ts';
import { ssdPostprocessInt8 } from '../../compiler/reference/detection/ssd-postprocess.ts';
import { SsdPostprocessor } from '../../runtime/wasm/ssd-postprocess.js';
import { instantiateWasm } from '../support/wasm-build.ts';
import { referenceDetections } from './detection-record.ts';
import { quantizedSyntheticDetector, seededImages } from './synthetic-detector.ts';

const WASM = readFileSync(new URL('../../runtime/wasm/assembly/build/ssd-postprocess.wasm', import.meta.url));

const SETTINGS = [
  { scoreThreshold: 0.35, iouThreshold: 0.4, maxDetections: 12, classAgnostic: false },
  { scoreThreshold: 0.35, iouThreshold: 0.4, maxDetections: 12, classAgnostic: true },
  { scoreThreshold: 0, iouThreshold: 0.2, maxDetections: 100, classAgnostic: false },
  { scoreThreshold: 0.8, iouThreshold: 0.6, maxDetections: 5, classAgnostic: true },
  { scoreThreshold: 0.5, iouThreshold: 0, maxDetections: 1, classAgnostic: false },
  { scoreThreshold: 0.93, iouThreshold: 0.5, maxDetections: 10, classAgnostic: false },
];

describe('WASM SSD post-processing equals the TypeScript reference', () => {
  let g: Graph;
  let outputs: { boxes: Int8Array; scores: Int8Array }[];
  beforeAll(() => {
    g = quantizedSyntheticDetector();
    outputs = seededImages(6, 900).map((image) =>
      referenceDetections(g, quantizeForTensor(image, tensorOf(g, g.inputs[0]!)) as Int8Array),
    );
  });

  it('the wasm32 build of the detector, through the loader: raw outputs and detections equal the reference', async () => {
    const model = await instantiateWasm(g);
    for (const image of seededImages(4, 900)) {
      const x = quantizeForTensor(image, tensorOf(g, g.inputs[0]!)) as Int8Array;
      const ref = referenceDetections(g, x);
      model.setInput(x);
      model.run();
      expect(model.detectorOutputs()).toEqual({ boxes: ref.boxes, scores: ref.scores });
      expect(model.detect()).toEqual(ref.detections);
    }
  });

  for (const s of SETTINGS) {
    it(`threshold ${s.scoreThreshold}, IoU ${s.iouThreshold}, at most ${s.maxDetections}, ${s.classAgnostic ? 'class-agnostic' : 'per class'}: bit for bit`, async () => {
      const tables = ssdInt8Tables(g, s);
      const wasm = await SsdPostprocessor.load(WASM, tables);
      const counts: number[] = [];
      for (const { boxes, scores } of outputs) {
        const ref = ssdPostprocessInt8(tables, boxes, scores);
        expect(wasm.detect(boxes, scores)).toEqual(ref);
        counts.push(ref.length);
      }
      expect(counts.every((c) => c <= s.maxDetections)).toBe(true);
    });
  }
});
