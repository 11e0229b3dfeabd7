/**
 * @fileoverview The Keras .h5 frontend: a Keras 2 HDF5 file (the `model_config` attribute, and each layer's weights
 * under `model_weights/<layer>/` as `weight_names` lists them) read with h5wasm (HDF5's own C library in
 * WebAssembly; the only file importing it) and mapped through the layers-model tables, as a TF.js layers model is.
 */

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
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

let readerReady = false;

/** HDF5's format signature, at offset 0 or after a user block of 512 · 2^k bytes. */
const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Refuses a file without HDF5's signature before HDF5's library sees it (it would print its own diagnostics). */
function checkHdf5Signature(file: string): void {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(HDF5_SIGNATURE.length);
    // Only the signature's candidate places are read, not the whole (possibly large) file.
    for (let at = 0; at + head.length <= size; at = at === 0 ? 512 : at * 2)
      if (readSync(fd, head, 0, head.length, at) === head.length && head.equals(HDF5_SIGNATURE)) return;
  } finally {
    closeSync(fd);
  }
  throw new TinyedgeError('TE104', 'not an HDF5 file (no HDF5 signature): a Keras .h5 model is HDF5');
}

/** Starts HDF5's reader (WebAssembly, which starts asynchronously); after it resolves .h5 files load synchronously. */
export async function readyKerasH5Reader(): Promise<void> {
  await h5wasm.ready;
  readerReady = true;
}

/** Whether a path names an HDF5 file by its extension. */
export function isKerasH5Path(file: string): boolean {
  return /\.(h5|hdf5)$/i.test(file);
}

/**
 * Imports the Keras 2 .h5 file at `file` (a whole model, not weights only) into the f32 IR, once readyKerasH5Reader
 * has resolved (loadKerasH5 and the CLI ready it); errors name the file.
 */
export function importKerasH5Sync(file: string): Graph {
  if (!readerReady)
    throw new TinyedgeError(
      'TE102',
      'the .h5 reader is not started: load .h5 files with loadKerasH5, or await readyKerasH5Reader() first',
      { file },
    );
  return withPlace({ file }, () => {
    checkHdf5Signature(file);
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
