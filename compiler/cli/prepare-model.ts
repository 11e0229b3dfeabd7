/** @fileoverview The model-loading front half every command shares: resolve, import, optimize, with a progress bar. */
import { LoadedModel, loadModel } from '../../models/registry.ts';
import { optimize, F32_PASSES } from '../pipeline.ts';
import { startProgress } from './progress.ts';

/** Loads a model by name or path and runs the f32 passes (an int8 artifact is already optimized); `optimized: false` keeps the graph as imported. */
export function prepareModel(spec: string | undefined, options: { optimized?: boolean; quiet?: boolean } = {}): LoadedModel {
  const progress = startProgress('loading', F32_PASSES.length + 1, !options.quiet);
  const model = loadModel(spec);
  progress.update(1);
  if (options.optimized !== false && !model.quantized) {
    let done = 1;
    model.graph = optimize(model.graph, () => progress.update(++done));
  }
  progress.stop();
  return model;
}
