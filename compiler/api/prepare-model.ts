/** @fileoverview The model-loading front half every command shares: resolve, import, optimize; progress through a callback. */
import { type LoadedModel, loadModel } from '../../models/registry.ts';
import { F32_PASSES, optimize as optimizeGraph } from '../pipeline.ts';

/** How to load a model. */
export interface PrepareModelOptions {
  /** false keeps the graph as imported (no f32 passes). */
  optimized?: boolean;
  /** Cut a TF.js graph model after these nodes (TF node names; a string is a comma-separated list). */
  outputs?: readonly string[] | string;
  /** Steps done of `total`: the import, then each f32 pass. */
  onProgress?: (done: number, total: number) => void;
}

/** Runs the f32 passes on a float model into a new model (an int8 model is already optimized and returned as it is). */
export function optimizeModel(model: LoadedModel, onPass?: () => void): LoadedModel {
  if (model.quantized) return model;
  return { ...model, graph: optimizeGraph(model.graph, onPass) };
}

/** Loads a model by name or path and runs the f32 passes (unless `optimized: false`). */
export function prepareModel(spec: string | undefined, options: PrepareModelOptions = {}): LoadedModel {
  const total = F32_PASSES.length + 1;
  const list = typeof options.outputs === 'string' ? options.outputs.split(',') : options.outputs;
  const outputs = list?.map((s) => s.trim()).filter((s) => s.length > 0);
  const model = loadModel(spec, outputs ? { outputs } : {});
  options.onProgress?.(1, total);
  if (options.optimized === false) return model;
  let done = 1;
  return optimizeModel(model, () => options.onProgress?.(++done, total));
}
