/**
 * @fileoverview TF.js as a peer: runs the same model artifacts tinyedge reads with @tensorflow/tfjs-converter or
 * tfjs-layers on the cpu or wasm (XNNPACK, SIMD) backend. Used by the equality tests and the benchmark.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { concatShards, type TfjsArtifacts } from '../../compiler/frontends/tfjs-common/artifacts.ts';
import { importOptional } from './optional-package.ts';

tf.env().set('PROD', true);

/** A TF.js backend usable in Node. */
export type TfjsBackend = 'cpu' | 'wasm';

let wasmReady: Promise<void> | undefined;

/** Selects a backend; the wasm one is loaded from the package's own .wasm files (no network). */
export async function useTfjsBackend(backend: TfjsBackend): Promise<void> {
  if (backend === 'wasm') {
    wasmReady ??= (async () => {
      const wasm = await importOptional('@tensorflow/tfjs-backend-wasm', () => import('@tensorflow/tfjs-backend-wasm'));
      const dir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
      wasm.setWasmPaths(join(dir, '/'));
    })();
    await wasmReady;
  }
  await tf.setBackend(backend);
  await tf.ready();
}

/** A loaded TF.js model that maps an NHWC f32 input to its first output. */
export interface TfjsModel {
  predict(input: Float32Array, shape: number[]): Float32Array;
  /**
   * The graph model's `outputs` (its first one returned) by executeAsync, which graphs with control flow need, fed in
   * the placeholder's own dtype (a uint8 image travels as int32): the same work as a tinyedge graph cut there.
   */
  executeTo(outputs: string[], input: Float32Array, shape: number[]): Promise<Float32Array>;
  dispose(): void;
}

/** Loads the artifacts with TF.js itself (graph or layers, from the model.json format). */
export async function loadTfjsModel(artifacts: TfjsArtifacts): Promise<TfjsModel> {
  const handler: tf.io.IOHandler = {
    load: async () => ({
      modelTopology: artifacts.json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: artifacts.json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
      weightData: concatShards(artifacts.shards.flat()),
      format: artifacts.json.format,
    }),
  };
  const isGraph = Array.isArray((artifacts.json.modelTopology as { node?: unknown }).node);
  const { GraphModel, loadGraphModel } = await importOptional(
    '@tensorflow/tfjs-converter',
    () => import('@tensorflow/tfjs-converter'),
  );
  const model = isGraph
    ? await loadGraphModel(handler)
    : await (await importOptional('@tensorflow/tfjs-layers', () => import('@tensorflow/tfjs-layers'))).loadLayersModel(
        handler,
      );
  return {
    predict(input, shape) {
      return tf.tidy(() => {
        const y = model.predict(tf.tensor(input, shape, 'float32')) as tf.Tensor | tf.Tensor[];
        const first = Array.isArray(y) ? y[0]! : y;
        return first.dataSync() as Float32Array;
      });
    },
    async executeTo(outputs, input, shape) {
      if (!(model instanceof GraphModel)) throw new Error('executeTo needs a graph model');
      const x = tf.tensor(input, shape, model.inputs[0]!.dtype === 'int32' ? 'int32' : 'float32');
      const ys = [(await model.executeAsync(x, outputs)) as tf.Tensor | tf.Tensor[]].flat();
      const first = ys[0]!.dataSync() as Float32Array;
      tf.dispose([x, ...ys]);
      return first;
    },
    dispose: () => model.dispose(),
  };
}
