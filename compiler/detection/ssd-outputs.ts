/**
 * @fileoverview Finds a detector's box and score outputs from its SsdDetection and checks they fit the anchors, so
 * every post-processing (TS reference, C, WASM) starts from shapes that were checked once, with a clear error.
 */

import { TinyedgeError } from '../errors.ts';
import type { SsdDetection } from '../ir/detection.ts';
import type { Graph } from '../ir/graph.ts';
import { formatShape, sizeOf, type Tensor } from '../ir/tensor.ts';

/** The checked outputs of an SSD detector. */
export interface SsdOutputs {
  detection: SsdDetection;
  boxes: Tensor;
  scores: Tensor;
  anchors: number;
  /** Score columns, the background's included when the model has one. */
  columns: number;
  /** Classes reported: the columns without the background. */
  classes: number;
}

/** The detector's outputs, or a TinyedgeError naming the model and what is missing or inconsistent. */
export function ssdOutputsOf(g: Graph): SsdOutputs {
  const d = g.detection;
  const fail = (what: string): never => {
    throw new TinyedgeError('TE403', `cannot post-process detections: ${what}`, { file: g.source });
  };
  if (!d)
    return fail(
      'the model has no SSD box and score outputs (no detection description: not a detector tinyedge recognizes)',
    );
  const output = (name: string, role: string): Tensor => {
    const t = g.tensors.get(name);
    if (!t || !g.outputs.includes(name))
      return fail(`the ${role} '${name}' is not an output of the model (outputs: ${g.outputs.join(', ')})`);
    return t;
  };
  const boxes = output(d.boxesOutput, 'box encodings');
  const scores = output(d.scoresOutput, 'class scores');
  const anchors = d.anchors.length / 4;
  if (!Number.isInteger(anchors) || anchors === 0)
    fail(`${d.anchors.length} anchor values are not a whole number of (y, x, h, w) boxes`);
  if (sizeOf(boxes.shape) !== anchors * 4 || boxes.shape[boxes.shape.length - 1] !== 4) {
    fail(`box encodings '${boxes.name}' are ${formatShape(boxes.shape)}, ${anchors} anchors need ${anchors}×4`);
  }
  const columns = sizeOf(scores.shape) / anchors;
  if (!Number.isInteger(columns) || scores.shape[scores.shape.length - 1] !== columns) {
    fail(`class scores '${scores.name}' are ${formatShape(scores.shape)}, not one row per anchor (${anchors})`);
  }
  const classes = columns - (d.backgroundClass ? 1 : 0);
  if (classes < 1) fail(`class scores '${scores.name}' have no class besides the background`);
  if (d.labels && d.labels.length !== classes) fail(`${d.labels.length} labels for ${classes} classes`);
  if (!(d.maxDetections >= 1 && Number.isInteger(d.maxDetections)))
    fail(`maxDetections must be a whole number ≥ 1, got ${d.maxDetections}`);
  return { detection: d, boxes, scores, anchors, columns, classes };
}
