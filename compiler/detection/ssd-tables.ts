/**
 * @fileoverview What the compiler precomputes for an int8 detector's post-processing. With per-tensor int8 outputs
 * every score and every box encoding has only 256 values, so the score conversion and the box coder's divisions
 * and exponentials become 256-entry f32 tables, and the score threshold becomes a minimum code (the conversion is
 * monotonic). The device then needs no exp and no division but IoU's: the same tables feed TS, C and WASM.
 */

import { TinyedgeError } from '../errors.ts';
import type { Graph } from '../ir/graph.ts';
import type { Quantization, Tensor } from '../ir/tensor.ts';
import { type SsdOutputs, ssdOutputsOf } from './ssd-outputs.ts';

const f = Math.fround;

/** The NMS settings a user may override at run time (defaults: the model's). */
export interface NmsSettings {
  scoreThreshold: number;
  iouThreshold: number;
  maxDetections: number;
  classAgnostic: boolean;
}

/** Everything the int8 post-processing reads; tables are indexed by code + 128. */
export interface SsdInt8Tables {
  anchors: Float32Array;
  anchorCount: number;
  /** Score columns per anchor, background included. */
  columns: number;
  /** First reported column: 1 when column 0 is the background, else 0. */
  firstClass: number;
  /** Probability (or identity score) of each score code. */
  score: Float32Array;
  /** Candidates have a score code ≥ this (128: none); the smallest code whose score exceeds the threshold. */
  minScoreCode: number;
  /** ty / yScale and tx / xScale of each box code. */
  ty: Float32Array;
  tx: Float32Array;
  /** exp(th / hScale) and exp(tw / wScale) of each box code. */
  eh: Float32Array;
  ew: Float32Array;
  /** An f32. */
  iouThreshold: number;
  maxDetections: number;
  classAgnostic: boolean;
}

/** The model's own NMS settings. */
export function defaultNmsSettings(g: Graph): NmsSettings {
  const { scoreThreshold, iouThreshold, maxDetections, classAgnostic } = ssdOutputsOf(g).detection;
  return { scoreThreshold, iouThreshold, maxDetections, classAgnostic };
}

function perTensorInt8(t: Tensor, file: string): { scale: number; zeroPoint: number } {
  const q = t.quant as Quantization | undefined;
  if (t.dtype !== 'int8' || !q || q.scale.length !== 1) {
    throw new TinyedgeError(
      'TE403',
      `output '${t.name}' is ${t.dtype}${q && q.scale.length > 1 ? ' quantized per channel' : ''}: on-device SSD post-processing needs per-tensor int8 outputs`,
      { file },
    );
  }
  return { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0]! };
}

/** A 256-entry f32 table of fn(real value of the code). */
function codeTable(q: { scale: number; zeroPoint: number }, fn: (real: number) => number): Float32Array {
  return Float32Array.from({ length: 256 }, (_, i) => fn(q.scale * (i - 128 - q.zeroPoint)));
}

/** The tables of an int8 detector (outputs checked), with `settings` overriding the model's NMS defaults. */
export function ssdInt8Tables(g: Graph, settings: Partial<NmsSettings> = {}): SsdInt8Tables {
  const outs: SsdOutputs = ssdOutputsOf(g);
  const d = outs.detection;
  const nms = { ...defaultNmsSettings(g), ...settings };
  const b = perTensorInt8(outs.boxes, g.source);
  const s = perTensorInt8(outs.scores, g.source);
  const score = codeTable(s, d.scoreConversion === 'sigmoid' ? (x) => 1 / (1 + Math.exp(-x)) : (x) => x);
  const threshold = f(nms.scoreThreshold);
  let minScoreCode = 128;
  while (minScoreCode > -128 && score[minScoreCode - 1 + 128]! > threshold) minScoreCode--;
  const { y, x, h, w } = d.boxScales;
  return {
    anchors: d.anchors,
    anchorCount: outs.anchors,
    columns: outs.columns,
    firstClass: d.backgroundClass ? 1 : 0,
    score,
    minScoreCode,
    ty: codeTable(b, (v) => v / y),
    tx: codeTable(b, (v) => v / x),
    eh: codeTable(b, (v) => Math.exp(v / h)),
    ew: codeTable(b, (v) => Math.exp(v / w)),
    iouThreshold: f(nms.iouThreshold),
    maxDetections: nms.maxDetections,
    classAgnostic: nms.classAgnostic,
  };
}
