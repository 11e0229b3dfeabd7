/**
 * @fileoverview The load stage's format dispatch: a model file on disk becomes a LoadedModel by what its bytes and
 * name say it is (an int8, 16×8 or float .tflite, a float or int8 .onnx, a tinyedge artifact, a TF.js model.json).
 * Model names (`nsfwjs:…`, `builder:…`) are resolved to graphs or files by models/registry.ts, which calls this.
 */
import { extname } from 'node:path';
import { decodeArtifact, isArtifactBytes } from '../artifact/int8-artifact.ts';
import { TinyedgeError } from '../errors.ts';
import { importKerasH5Sync, isKerasH5Path, readyKerasH5Reader } from '../frontends/keras-h5/import.ts';
import { importTfjs } from '../frontends/load.ts';
import { readTfjsModelFiles, readUserFile, userFileSize } from '../frontends/tfjs-common/artifacts.ts';
import type { TfjsGraphOptions } from '../frontends/tfjs-graph/import.ts';
import { isTfliteBytes } from '../frontends/tflite/import.ts';
import { loadOnnx, loadTflite } from './checked-imports.ts';
import type { LoadedModel } from './loaded-model.ts';

/** Loads the model file at `file` (no passes run yet); `options.outputs` cuts a TF.js graph model. */
export function loadModelFile(file: string, options: TfjsGraphOptions = {}): LoadedModel {
  // Keras 2 .h5: images scaled to [0,1], as for a layers model.json.
  if (isKerasH5Path(file)) {
    userFileSize(file, 'model');
    return {
      spec: file,
      graph: importKerasH5Sync(file),
      preprocessing: { scale: 1 / 255, offset: 0 },
      quantized: false,
    };
  }
  const bytes = readUserFile(file, 'model');
  if (isTfliteBytes(bytes) || /\.tflite$/i.test(file)) {
    const { graph, preprocessing, quantized } = loadTflite(bytes, file);
    return { spec: file, graph, preprocessing, quantized };
  }
  // A float ONNX model's image preprocessing is unknown: pixels/255, as for a model.json (--input FILE.f32 says exactly).
  if (/\.onnx$/i.test(file)) return { spec: file, ...loadOnnx(bytes, file) };
  if (isArtifactBytes(bytes)) {
    const a = decodeArtifact(bytes, file);
    return {
      spec: file,
      graph: a.graph,
      ...(a.labels ? { labels: a.labels } : {}),
      preprocessing: a.preprocessing,
      quantized: true,
      madeFrom: a.model,
      ...(a.audio ? { audio: a.audio } : {}),
    };
  }
  const ext = extname(file).toLowerCase();
  if (ext !== '.json')
    throw new TinyedgeError(
      'TE102',
      `unknown model format '${ext || '(no extension)'}': expected a TF.js model.json, a .tflite, an .onnx or a Keras .h5`,
      { file },
    );
  // A user's own model.json: images are scaled to [0,1], the common TF.js convention.
  return {
    spec: file,
    graph: importTfjs(readTfjsModelFiles(file), options),
    preprocessing: { scale: 1 / 255, offset: 0 },
    quantized: false,
  };
}

/**
 * Loads a Keras 2 .h5 file, starting HDF5's reader first (asynchronous: it is WebAssembly); loadModelFile takes .h5
 * files too once the reader has started.
 */
export async function loadKerasH5(file: string): Promise<LoadedModel> {
  await readyKerasH5Reader();
  return loadModelFile(file);
}
