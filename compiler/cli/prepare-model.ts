/** @fileoverview The model-loading front half every command shares: resolve, import, optimize, with a progress bar. */
import { LoadedModel, loadModel } from '../../models/registry.ts';
import { optimize, F32_PASSES } from '../pipeline.ts';
import { startProgress } from './progress.ts';

/**
 * Loads a model by name or path and runs the f32 passes (an int8 artifact is already optimized); `optimized: false`
 * keeps the graph as imported; `outputs` (--outputs, comma-separated TF node names) cuts a TF.js graph model there.
 */
export function prepareModel(spec: string | undefined, options: { optimized?: boolean; quiet?: boolean; outputs?: string } = {}): LoadedModel {
  const progress = startProgress('loading', F32_PASSES.length + 1, !options.quiet);
  const outputs = options.outputs?.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const model = loadModel(spec, outputs ? { outputs } : {});
  progress.update(1);
  if (options.optimized !== false && !model.quantized) {
    let done = 1;
    model.graph = optimize(model.graph, () => progress.update(++done));
  }
  progress.stop();
  return model;
}
