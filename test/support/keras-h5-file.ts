/**
 * @fileoverview Writes a Keras 2 .h5 file with h5wasm as Keras 2 lays one out: the `model_config` JSON attribute,
 * and under `model_weights/<layer>/` each weight as the dataset `<layer>/<param>:0`, listed by `weight_names`.
 */
import h5wasm from 'h5wasm/node';

/** One layer's weights, in Keras's order for that layer (what `layer.setWeights` takes). */
export interface KerasLayerWeights {
  layer: string;
  params: { name: string; shape: number[]; data: Float32Array }[];
}

/** Writes the model to `path`. */
export async function writeKerasH5(
  path: string,
  modelConfig: object,
  weights: readonly KerasLayerWeights[],
): Promise<void> {
  await h5wasm.ready;
  const f = new h5wasm.File(path, 'w');
  try {
    f.create_attribute('keras_version', '2.15.0');
    f.create_attribute('backend', 'tensorflow');
    f.create_attribute('model_config', JSON.stringify(modelConfig));
    const root = f.create_group('model_weights');
    root.create_attribute(
      'layer_names',
      weights.map((w) => w.layer),
    );
    for (const { layer, params } of weights) {
      const group = root.create_group(layer);
      const names = params.map((p) => `${layer}/${p.name}:0`);
      group.create_attribute('weight_names', names);
      // h5py creates the '<layer>/' folder inside the layer's group itself; HDF5's C API needs it made first.
      const folder = group.create_group(layer);
      for (const p of params) folder.create_dataset({ name: `${p.name}:0`, data: p.data, shape: p.shape, dtype: '<f' });
    }
  } finally {
    f.close();
  }
}
