/**
 * @fileoverview What model.json says about an int8 detector's on-device post-processing: the two outputs' addresses
 * in model.wasm's memory, labels, and the compiler's tables for runtime/wasm/ssd-postprocess.js.
 */

import { ssdOutputsOf } from '../../../detection/ssd-outputs.ts';
import { ssdInt8Tables } from '../../../detection/ssd-tables.ts';
import type { Graph } from '../../../ir/graph.ts';
import { sizeOf } from '../../../ir/tensor.ts';
import type { MemoryPlan } from '../../../plan/plan-memory.ts';

/** model.json's `detection`: where the raw outputs are, and the tables of runtime/wasm/ssd-postprocess.js. */
export interface WasmDetectionInfo {
  boxes: { name: string; ptr: number; length: number };
  scores: { name: string; ptr: number; length: number };
  labels?: string[];
  tables: {
    anchors: number[];
    anchorCount: number;
    columns: number;
    firstClass: number;
    score: number[];
    minScoreCode: number;
    ty: number[];
    tx: number[];
    eh: number[];
    ew: number[];
    iouThreshold: number;
    maxDetections: number;
    classAgnostic: boolean;
  };
}

/** The detection part of model.json; `inputPtr` is the input's address in model.wasm (the arena's base is found from it). */
export function wasmDetectionInfo(g: Graph, plan: MemoryPlan, inputPtr: number): WasmDetectionInfo {
  const { boxes, scores, detection } = ssdOutputsOf(g);
  const base = inputPtr - (plan.offsets.get(g.inputs[0]!) as number);
  const where = (name: string, shape: number[]) => ({
    name,
    ptr: base + (plan.offsets.get(name) as number),
    length: sizeOf(shape),
  });
  const t = ssdInt8Tables(g);
  return {
    boxes: where(boxes.name, boxes.shape),
    scores: where(scores.name, scores.shape),
    ...(detection.labels ? { labels: detection.labels } : {}),
    tables: {
      ...t,
      anchors: Array.from(t.anchors),
      score: Array.from(t.score),
      ty: Array.from(t.ty),
      tx: Array.from(t.tx),
      eh: Array.from(t.eh),
      ew: Array.from(t.ew),
    },
  };
}
