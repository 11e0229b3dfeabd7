/** @fileoverview The library's prepareModel (load, optimize) with a progress bar on stderr, unless `quiet`. */
import type { LoadedModel } from '../../models/registry.ts';
import { prepareModel as prepare } from '../api/prepare-model.ts';
import { F32_PASSES } from '../pipeline.ts';
import { startProgress } from '../terminal/progress.ts';

/**
 * Loads a model by name or path and runs the f32 passes (an int8 artifact is already optimized); `optimized: false`
 * keeps the graph as imported; `outputs` (--outputs, comma-separated TF node names) cuts a TF.js graph model there.
 */
export function prepareModel(
  spec: string | undefined,
  options: { optimized?: boolean; quiet?: boolean; outputs?: string } = {},
): LoadedModel {
  const progress = startProgress('loading', F32_PASSES.length + 1, !options.quiet);
  try {
    return prepare(spec, {
      optimized: options.optimized,
      outputs: options.outputs,
      onProgress: (done) => progress.update(done),
    });
  } finally {
    progress.stop();
  }
}
