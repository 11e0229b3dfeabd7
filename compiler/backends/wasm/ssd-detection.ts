/**
 * @fileoverview The WebAssembly side of an int8 detector's on-device post-processing: what model.json says about it
 * (the two outputs' addresses in model.wasm's memory, labels, the compiler's tables) and the AssemblyScript module
 * the folder ships beside model.wasm.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Graph } from '../../ir/graph.ts';
import { sizeOf } from '../../ir/tensor.ts';
import { TinyedgeError } from '../../errors.ts';
import { MemoryPlan } from '../../plan/plan-memory.ts';
import { ssdInt8Tables } from '../../reference/detection/ssd-tables.ts';
import { ssdOutputsOf } from '../../reference/detection/ssd-outputs.ts';

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

const RUNTIME_WASM = new URL('../../../runtime/wasm/', import.meta.url);

/** The detection part of model.json; `inputPtr` is the input's address in model.wasm (the arena's base is found from it). */
export function wasmDetectionInfo(g: Graph, plan: MemoryPlan, inputPtr: number): WasmDetectionInfo {
  const { boxes, scores, detection } = ssdOutputsOf(g);
  const base = inputPtr - (plan.offsets.get(g.inputs[0]) as number);
  const where = (name: string, shape: number[]) => ({ name, ptr: base + (plan.offsets.get(name) as number), length: sizeOf(shape) });
  const t = ssdInt8Tables(g);
  return {
    boxes: where(boxes.name, boxes.shape),
    scores: where(scores.name, scores.shape),
    ...(detection.labels ? { labels: detection.labels } : {}),
    tables: { ...t, anchors: Array.from(t.anchors), score: Array.from(t.score), ty: Array.from(t.ty), tx: Array.from(t.tx), eh: Array.from(t.eh), ew: Array.from(t.ew) },
  };
}

/** The post-processing module a detector's wasm32 folder ships (the loader's wrapper of it ships with every loader). */
export function wasmDetectionFiles(): Record<string, Uint8Array> {
  const module = fileURLToPath(new URL('assembly/build/ssd-postprocess.wasm', RUNTIME_WASM));
  if (!existsSync(module)) throw new TinyedgeError('is missing: build the runtime\'s AssemblyScript parts with `npm run prepare`', { file: module });
  return { 'ssd-postprocess.wasm': readFileSync(module) };
}
