/** @fileoverview The reference's detections and raw outputs for one input (the int8 interpreter, then the int8 post-processing), and the C runner's record parsed for a graph. */

import { ssdOutputsOf } from '../../compiler/detection/ssd-outputs.ts';
import { type SsdInt8Tables, ssdInt8Tables } from '../../compiler/detection/ssd-tables.ts';
import type { Graph } from '../../compiler/ir/graph.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import { ssdPostprocessInt8 } from '../../compiler/reference/detection/ssd-postprocess.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { type DetectorOutputs, parseDetectionRecord as parseRecord } from '../../compiler/run/run-detector.ts';

/** The int8 reference interpreter and post-processing on one quantized input. */
export function referenceDetections(g: Graph, x: Int8Array, tables: SsdInt8Tables = ssdInt8Tables(g)): DetectorOutputs {
  const d = g.detection as NonNullable<Graph['detection']>;
  const out = runInteger(g, { [g.inputs[0]!]: x });
  const boxes = out.get(d.boxesOutput) as Int8Array;
  const scores = out.get(d.scoresOutput) as Int8Array;
  return { detections: ssdPostprocessInt8(tables, boxes, scores), boxes, scores };
}

/** What a detector run gives (detections and raw outputs). */
export type DetectorResult = DetectorOutputs;

/** Parses a C detector runner's record for the graph it was built from (the detection.json a folder holds, made from the graph). */
export function parseDetectionRecord(g: Graph, bytes: Uint8Array): DetectorOutputs {
  const { boxes, scores, detection } = ssdOutputsOf(g);
  return parseRecord(
    {
      maxDetections: detection.maxDetections,
      boxes: { name: boxes.name, length: sizeOf(boxes.shape) },
      scores: { name: scores.name, length: sizeOf(scores.shape) },
    },
    bytes,
  );
}
