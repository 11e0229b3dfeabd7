/**
 * @fileoverview The default model quantized the way `tinyedge quantize` does it (bundled photos, seeded
 * augmentations), for the int8 and 16×8 tests; each variant is made once for the current sources
 * (test/support/fixture-cache.ts) and shared by every test file that asks for it.
 */
import { prepareModel } from '../../compiler/cli/prepare-model.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { quantize } from '../../compiler/pipeline.ts';
import type { ActivationType } from '../../compiler/quantize/prepare/quant-params.ts';
import { imageSet } from '../../models/calibration-set.ts';
import type { LoadedModel } from '../../models/registry.ts';
import { cachedFixture } from './fixture-cache.ts';
import { SAMPLE_PHOTOS } from './samples.ts';

/** The f32 model (default, or `spec`) quantized with `activations`, calibrated with minmax on the photos and `augment` seeded crops of each (seed 1). */
function quantizedWith(
  augment: number,
  spec: string | undefined,
  activations: ActivationType,
): Promise<{ model: LoadedModel; q: Graph }> {
  return cachedFixture(`quantized ${spec ?? 'default'} ${activations} augment ${augment}`, async () => {
    const model = prepareModel(spec, { quiet: true });
    const g = model.graph;
    const set = await imageSet(SAMPLE_PHOTOS, tensorOf(g, g.inputs[0]!).shape, model.preprocessing, augment, 1);
    return {
      model,
      q: quantize(
        g,
        set.map((s) => s.input),
        { method: 'minmax', biasCorrection: true, activations },
      ),
    };
  });
}

/** The f32 model (default, or `spec`) and its int8 graph, calibrated on the photos and `augment` seeded crops of each. */
export async function quantizedDefaultModel(augment = 4, spec?: string): Promise<{ model: LoadedModel; int8: Graph }> {
  const { model, q } = await quantizedWith(augment, spec, 'int8');
  return { model, int8: q };
}

/** The default model's 16×8 graph (int16 activations, int8 weights, int64 biases), calibrated the same way. */
export async function quantized16x8DefaultModel(augment = 0): Promise<{ model: LoadedModel; q16: Graph }> {
  const { model, q } = await quantizedWith(augment, undefined, 'int16');
  return { model, q16: q };
}
