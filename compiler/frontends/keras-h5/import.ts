/**
 * @fileoverview The Keras .h5 frontend: a Keras 2 HDF5 file (the `model_config` attribute, and each layer's weights
 * under `model_weights/<layer>/` as `weight_names` lists them) read with h5wasm (HDF5's own C library in
 * WebAssembly; the only file importing it) and mapped through the layers-model tables, as a TF.js layers model is.
 */

import h5wasm, { Dataset, Group } from 'h5wasm/node';
import { TinyedgeError, withPlace } from '../../errors.ts';
import type { Graph } from '../../ir/graph.ts';
import { verifyFiniteConstants } from '../../ir/verify-quantized.ts';
import type { DecodedWeight } from '../tfjs-common/weights.ts';
import { importKerasModel } from '../tfjs-layers/import.ts';

/** The string list an attribute holds (h5wasm gives one string for a list of one). */
function stringsOf(group: Group, attribute: string): string[] {
  const value = group.attrs[attribute]?.value;
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** Every layer's weights by 'layer/param' (Keras 2 names them 'layer/param:0'), as f32. */
function readWeights(root: Group): Map<string, DecodedWeight> {
  const weights = new Map<string, DecodedWeight>();
  for (const layer of stringsOf(root, 'layer_names')) {
    const group = root.get(layer);
    if (!(group instanceof Group)) throw new TinyedgeError('TE106', `layer '${layer}' has no weights group`);
    for (const name of stringsOf(group, 'weight_names')) {
      const dataset = group.get(name);
      if (!(dataset instanceof Dataset))
        throw new TinyedgeError('TE106', `weight '${layer}/${name}' is listed but not stored`);
      const values = dataset.value;
      if (!(values instanceof Float32Array || values instanceof Float64Array))
        throw new TinyedgeError('TE108', `weight '${layer}/${name}' is ${dataset.dtype}; a layer's weights are float`);
      weights.set(name.replace(/:\d+$/, ''), {
        shape: dataset.shape ?? [],
        dtype: 'float32',
        data: Float32Array.from(values),
      });
    }
  }
  return weights;
}

/** Imports the Keras 2 .h5 file at `file` (a whole model, not weights only) into the f32 IR; errors name the file. */
export async function importKerasH5(file: string): Promise<Graph> {
  await h5wasm.ready;
  return withPlace({ file }, () => {
    const h5 = new h5wasm.File(file, 'r');
    try {
      const config = h5.attrs.model_config?.value;
      if (typeof config !== 'string')
        throw new TinyedgeError(
          'TE104',
          "not a Keras model: the file has no 'model_config' attribute (a weights-only .h5, or not Keras 2)",
        );
      const root = h5.get('model_weights');
      if (!(root instanceof Group)) throw new TinyedgeError('TE104', "the file has no 'model_weights' group");
      const graph = importKerasModel(file, { model_config: JSON.parse(config) }, readWeights(root));
      verifyFiniteConstants(graph);
      return graph;
    } finally {
      h5.close();
    }
  });
}
