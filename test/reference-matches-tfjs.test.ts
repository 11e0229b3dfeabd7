/**
 * The f32 reference interpreter, on the optimized graph, gives TF.js's answers: softmax outputs within 1e-4 of
 * @tensorflow/tfjs-backend-cpu running the same model files on the same input tensor, for both nsfwjs models,
 * on every sample photo and on seeded random inputs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensorOf } from '../compiler/ir/graph.ts';
import { sizeOf } from '../compiler/ir/tensor.ts';
import { optimize } from '../compiler/pipeline.ts';
import { runF32 } from '../compiler/reference/f32/interpreter.ts';
import { readNsfwjsModel } from '../models/nsfwjs.ts';
import { type LoadedModel, loadModel } from '../models/registry.ts';
import { loadTfjsModel, type TfjsModel, useTfjsBackend } from '../tools/peers/tfjs.ts';
import { photoInput, SAMPLE_PHOTOS } from './support/samples.ts';
import { seededUniform } from './support/seeded.ts';

const TOLERANCE = 1e-4;

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe.each([
  ['nsfwjs:mobilenet_v2_mid', 'mobilenet_v2_mid'],
  ['nsfwjs:mobilenet_v2', 'mobilenet_v2'],
])('%s: f32 reference vs TF.js cpu', (spec, folder) => {
  let model: LoadedModel;
  let tfjs: TfjsModel;
  let shape: number[];

  beforeAll(async () => {
    model = loadModel(spec);
    model.graph = optimize(model.graph);
    shape = tensorOf(model.graph, model.graph.inputs[0]!).shape;
    await useTfjsBackend('cpu');
    tfjs = await loadTfjsModel(readNsfwjsModel(folder));
  });
  afterAll(() => tfjs?.dispose());

  const ours = (x: Float32Array) =>
    runF32(model.graph, { [model.graph.inputs[0]!]: x }).get(model.graph.outputs[0]!) as Float32Array;

  it.each(SAMPLE_PHOTOS.map((p) => [p.split('/').pop() as string, p]))(
    'photo %s: softmax within 1e-4 of TF.js',
    async (_name, file) => {
      const x = await photoInput(model, file);
      const diff = maxAbsDiff(ours(x), tfjs.predict(x, shape));
      expect(diff).toBeLessThanOrEqual(TOLERANCE);
    },
  );

  it.each([1, 2, 3])('seeded random input %i in [0,1): softmax within 1e-4 of TF.js', (seed) => {
    const x = seededUniform(seed, sizeOf(shape));
    const diff = maxAbsDiff(ours(x), tfjs.predict(x, shape));
    expect(diff).toBeLessThanOrEqual(TOLERANCE);
  });
});
