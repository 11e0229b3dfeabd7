/** @fileoverview The default model quantized the way `tinyedge quantize` does it (bundled photos, seeded augmentations), for the int8 tests. */
import { prepareModel } from '../../compiler/cli/prepare-model.ts';
import { tensorOf, Graph } from '../../compiler/ir/graph.ts';
import { quantize } from '../../compiler/pipeline.ts';
import { imageSet } from '../../models/calibration-set.ts';
import { LoadedModel } from '../../models/registry.ts';
import { SAMPLE_PHOTOS } from './samples.ts';

/** The f32 model (default, or `spec`) and its int8 graph, calibrated with minmax on the photos and `augment` seeded crops of each (seed 1). */
export async function quantizedDefaultModel(augment = 4, spec?: string): Promise<{ model: LoadedModel; int8: Graph }> {
  const model = prepareModel(spec, { quiet: true });
  const g = model.graph;
  const set = await imageSet(SAMPLE_PHOTOS, tensorOf(g, g.inputs[0]).shape, model.preprocessing, augment, 1);
  const int8 = quantize(g, set.map((s) => s.input), { method: 'minmax', biasCorrection: true });
  return { model, int8 };
}
