/** @fileoverview Reads the detections record the C detector runner writes (count, te_detection records, raw outputs) and the reference's detections for an input. */
import { Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import { runInt8 } from '../../compiler/reference/int8/interpreter.ts';
import { Detection, ssdPostprocessInt8 } from '../../compiler/reference/detection/ssd-postprocess.ts';
import { SsdInt8Tables, ssdInt8Tables } from '../../compiler/reference/detection/ssd-tables.ts';
import { DETECTION_RECORD_BYTES } from '../../compiler/backends/c/ssd-detection.ts';

/** What a detector run gives: detections and the raw int8 outputs. */
export interface DetectorResult {
  detections: Detection[];
  boxes: Int8Array;
  scores: Int8Array;
}

/** Parses the record of a C detector runner (little-endian). */
export function parseDetectionRecord(g: Graph, bytes: Uint8Array): DetectorResult {
  const d = g.detection as NonNullable<Graph['detection']>;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getInt32(0, true);
  const detections = Array.from({ length: count }, (_, i): Detection => {
    const at = 4 + i * DETECTION_RECORD_BYTES;
    const f = (k: number) => view.getFloat32(at + 4 * k, true);
    return { classIndex: view.getInt32(at + 20, true), score: f(4), box: [f(0), f(1), f(2), f(3)], anchor: view.getInt32(at + 24, true) };
  });
  const rawAt = 4 + DETECTION_RECORD_BYTES * d.maxDetections;
  const nBoxes = sizeOf(tensorOf(g, d.boxesOutput).shape);
  const boxes = new Int8Array(bytes.buffer, bytes.byteOffset + rawAt, nBoxes).slice();
  const scores = new Int8Array(bytes.buffer, bytes.byteOffset + rawAt + nBoxes, sizeOf(tensorOf(g, d.scoresOutput).shape)).slice();
  return { detections, boxes, scores };
}

/** The int8 reference interpreter and post-processing on one quantized input. */
export function referenceDetections(g: Graph, x: Int8Array, tables: SsdInt8Tables = ssdInt8Tables(g)): DetectorResult {
  const d = g.detection as NonNullable<Graph['detection']>;
  const out = runInt8(g, { [g.inputs[0]]: x });
  const boxes = out.get(d.boxesOutput) as Int8Array;
  const scores = out.get(d.scoresOutput) as Int8Array;
  return { detections: ssdPostprocessInt8(tables, boxes, scores), boxes, scores };
}
