/**
 * The ten models @vladmandic/human ships, through the TF.js graph frontend: each feed-forward CNN loads (signature
 * outputs resolved by their tensor names, as TF.js does) and every output of the f32 reference on the optimized graph
 * is within 1e-4 (relative above 1) of TF.js cpu executing the same files on the same seeded input; handtrack's equality is
 * handtrack-tfjs.test.ts's. centernet and movenet-lightning end in post-processing (a peak mask of computed values,
 * TopK and gathers; ArgMax indices read by int arithmetic and gathers) and are refused naming file, node, op and why;
 * cut at their CNN heads both load and match TF.js within 1e-4 of each head's range (movenet's int32 image enters as
 * f32 values, its Cast to float the identity).
 * PReLU is f32 only: quantizing iris is refused with TE201.
 */

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { beforeAll, describe, expect, it } from 'vitest';
import { TinyedgeError } from '../../compiler/errors.ts';
import { concatShards, type TfjsArtifacts } from '../../compiler/frontends/tfjs-common/artifacts.ts';
import { importTfjsGraph, type TfjsGraphOptions } from '../../compiler/frontends/tfjs-graph/import.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import { optimize } from '../../compiler/pipeline.ts';
import { assertQuantizable } from '../../compiler/quantize/quantize-graph.ts';
import { runF32 } from '../../compiler/reference/f32/interpreter.ts';
import { readHumanModel } from '../../models/human.ts';
import { useTfjsBackend } from '../../tools/peers/tfjs.ts';
import { seededUniform } from '../support/seeded.ts';

const TOLERANCE = 1e-4;

/** Every output of the optimized graph: the f32 reference's and TF.js's, by output name. */
async function bothRuns(name: string, options: TfjsGraphOptions = {}) {
  const artifacts = readHumanModel(name);
  const imported = importTfjsGraph(artifacts, options);
  // The passes rename an output to the tensor an Identity copied; TF.js is asked by the model's own names.
  const names = [...imported.outputs];
  const g = optimize(imported);
  const shape = tensorOf(g, g.inputs[0]!).shape;
  const image = integerImage(artifacts);
  // An int32 image input gets whole values 0..255, which our graph takes as f32 and TF.js as int32.
  const x = image ? seededUniform(7, sizeOf(shape), 0, 256).map(Math.floor) : seededUniform(7, sizeOf(shape));
  const ours = runF32(g, { [g.inputs[0]!]: x });
  const model = await loadGraphModel(handlerOf(artifacts));
  const input = image ? tf.tensor(Int32Array.from(x), shape, 'int32') : tf.tensor(x, shape, 'float32');
  const theirs = [model.execute(input, names) as tf.Tensor | tf.Tensor[]].flat();
  const tfjs = theirs.map((t) => t.dataSync() as Float32Array);
  tf.dispose([input, ...theirs]);
  model.dispose();
  return { g, names, ours, tfjs };
}

/** Whether the model's placeholder is an int32 image (movenet's), which the importer takes as f32 values. */
function integerImage(a: TfjsArtifacts): boolean {
  const nodes = (a.json.modelTopology as { node: { op: string; attr?: { dtype?: { type?: string } } }[] }).node;
  return nodes.some((n) => n.op === 'Placeholder' && n.attr?.dtype?.type === 'DT_INT32');
}

function handlerOf(a: TfjsArtifacts): tf.io.IOHandler {
  return {
    load: async () => ({
      modelTopology: a.json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: a.json.weightsManifest.flatMap((w) => w.weights) as tf.io.WeightsManifestEntry[],
      weightData: concatShards(a.shards.flat()),
      format: a.json.format,
    }),
  };
}

/**
 * Each output's largest difference from TF.js, by output name, in units of max(1, |TF.js's value|): 1e-4 absolute for
 * probabilities and logits, relative where a regression head's values reach hundreds (blazeface's box offsets).
 * `perTensor` takes the unit from the output's largest |value| instead: a head that sums large features into values
 * near 0 (movenet's keypoint regression reaches 54) carries f32 rounding of its largest terms into every element.
 */
function differences(r: Awaited<ReturnType<typeof bothRuns>>, perTensor = false): Record<string, number> {
  return Object.fromEntries(
    r.names.map((o, i) => {
      const a = r.ours.get(r.g.outputs[i]!)!;
      const b = r.tfjs[i]!;
      expect(a.length, o).toBe(b.length);
      const range = perTensor ? b.reduce((x, v) => Math.max(x, Math.abs(v)), 0) : 0;
      let m = 0;
      for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k]! - b[k]!) / Math.max(1, range, Math.abs(b[k]!)));
      return [o, m];
    }),
  );
}

function refusal(name: string): TinyedgeError {
  try {
    importTfjsGraph(readHumanModel(name));
  } catch (e) {
    if (e instanceof TinyedgeError) return e;
    throw e;
  }
  throw new Error(`${name} loaded`);
}

describe('@vladmandic/human models: f32 reference vs TF.js cpu, 1e-4 on a seeded input', () => {
  beforeAll(() => useTfjsBackend('cpu'));

  it.each([
    ['antispoof', ['Identity']],
    ['blazeface', ['Identity_3', 'Identity', 'Identity_1', 'Identity_2']],
    ['emotion', ['Identity']],
    ['facemesh', ['Identity_2', 'Identity_1', 'Identity']],
    ['faceres', ['gender_pred/Sigmoid', 'global_pooling/Mean', 'age_pred/Softmax']],
    ['handlandmark-lite', ['Identity_1', 'Identity', 'Identity_2', 'Identity_3']],
    ['iris', ['Identity']],
    ['liveness', ['Identity']],
  ])(
    '%s loads; every output within 1e-4 of TF.js',
    async (name, outputs) => {
      const r = await bothRuns(name);
      expect(r.names).toEqual(outputs);
      for (const [output, diff] of Object.entries(differences(r)))
        expect(diff, `${name} ${output}`).toBeLessThanOrEqual(TOLERANCE);
    },
    120_000,
  );

  it('handtrack loads cut before its SSD post-processing (equality: handtrack-tfjs.test.ts)', () => {
    const g = importTfjsGraph(readHumanModel('handtrack'));
    expect(g.outputs).toEqual(['StatefulPartitionedCall/concat', 'StatefulPartitionedCall/concat_1']);
    expect(g.detection).toBeDefined();
  });

  it('centernet is refused at its peak mask (Equal of computed values), naming file, node, op and why', () => {
    const e = refusal('centernet');
    expect(e.code).toBe('TE109');
    expect(e.place).toMatchObject({ node: 'tower_0/Equal', op: 'Equal' });
    expect(e.place.file).toMatch(/centernet\.json$/);
    expect(e.message).toMatch(/it compares computed values into a mask \(post-processing/);
    expect(e.message).toMatch(/folds it only when all its inputs are constants/);
  });

  it('centernet cut at its CNN outputs (wh, keypoints) loads; both within 1e-4 of TF.js (of their range)', async () => {
    const r = await bothRuns('centernet', { outputs: ['tower_0/wh', 'tower_0/keypoints'] });
    expect(r.g.outputs.map((o) => tensorOf(r.g, o).shape)).toEqual([
      [1, 128, 128, 4],
      [1, 128, 128, 80],
    ]);
    for (const [output, diff] of Object.entries(differences(r, true)))
      expect(diff, `centernet ${output}`).toBeLessThanOrEqual(TOLERANCE);
  }, 120_000);

  it('movenet-lightning is refused at its keypoint ArgMax, naming file, node, op and why', () => {
    const e = refusal('movenet-lightning');
    expect(e.code).toBe('TE109');
    expect(e.place).toMatchObject({ node: 'StatefulPartitionedCall/ArgMax', op: 'ArgMax' });
    expect(e.place.file).toMatch(/movenet-lightning\.json$/);
    expect(e.message).toMatch(/it picks indices from the computed values \(post-processing/);
    expect(e.message).toMatch(/only as a model output, and 'StatefulPartitionedCall\/floordiv' \(FloorDiv\) reads/);
  });

  it('movenet-lightning cut at its CNN heads (int32 image cast to float) loads; every head within 1e-4 of TF.js (of its range)', async () => {
    const heads = ['Sigmoid', 'Sigmoid_1', 'kpt_regress_0/conv2d_6/BiasAdd', 'kpt_offset_0/conv2d_7/BiasAdd'];
    const r = await bothRuns('movenet-lightning', { outputs: heads.map((h) => `StatefulPartitionedCall/${h}`) });
    expect(r.g.outputs.map((o) => tensorOf(r.g, o).shape)).toEqual([
      [1, 48, 48, 17],
      [1, 48, 48, 1],
      [1, 48, 48, 34],
      [1, 48, 48, 34],
    ]);
    for (const [output, diff] of Object.entries(differences(r, true)))
      expect(diff, `movenet-lightning ${output}`).toBeLessThanOrEqual(TOLERANCE);
  }, 120_000);

  it('PReLU is f32 only: quantizing iris (compile quantizes first) is refused with TE201, naming the node', () => {
    const g: Graph = optimize(importTfjsGraph(readHumanModel('iris')));
    expect(() => assertQuantizable(g)).toThrow(
      /cannot be quantized: tinyedge has no int8 prelu \(PReLU runs in f32 only/,
    );
  });

  it("faceres's relu6 (Relu, Minimum 6, Maximum 0) fuses into its producers: no clamp node is left", () => {
    const g = optimize(importTfjsGraph(readHumanModel('faceres')));
    expect(g.nodes.filter((n) => n.op === 'clamp')).toEqual([]);
  });
});
