/**
 * The ten models @vladmandic/human ships, through the TF.js graph frontend: each feed-forward CNN loads (signature
 * outputs resolved by their tensor names, as TF.js does) and every output of the f32 reference on the optimized graph
 * is within 1e-4 (relative above 1) of TF.js cpu executing the same files on the same seeded input; handtrack's equality is
 * handtrack-tfjs.test.ts's. centernet and movenet-lightning end in post-processing (a peak mask, TopK and gathers;
 * ArgMax and gathers) and are refused naming file, node, op and why; centernet's CNN outputs load when cut there.
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
  const x = seededUniform(7, sizeOf(shape));
  const ours = runF32(g, { [g.inputs[0]!]: x });
  const model = await loadGraphModel(handlerOf(artifacts));
  const input = tf.tensor(x, shape, 'float32');
  const theirs = [model.execute(input, names) as tf.Tensor | tf.Tensor[]].flat();
  const tfjs = theirs.map((t) => t.dataSync() as Float32Array);
  tf.dispose([input, ...theirs]);
  model.dispose();
  return { g, names, ours, tfjs };
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
 */
function differences(r: Awaited<ReturnType<typeof bothRuns>>): Record<string, number> {
  return Object.fromEntries(
    r.names.map((o, i) => {
      const a = r.ours.get(r.g.outputs[i]!)!;
      const b = r.tfjs[i]!;
      expect(a.length, o).toBe(b.length);
      let m = 0;
      for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k]! - b[k]!) / Math.max(1, Math.abs(b[k]!)));
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

  it('centernet is refused at its peak mask (Equal), naming file, node, op and why; cut at its CNN outputs it loads', () => {
    const e = refusal('centernet');
    expect(e.code).toBe('TE109');
    expect(e.place).toMatchObject({ node: 'tower_0/Equal', op: 'Equal' });
    expect(e.place.file).toMatch(/centernet\.json$/);
    expect(e.message).toMatch(/it compares computed values into a mask \(post-processing/);
    const g = importTfjsGraph(readHumanModel('centernet'), { outputs: ['tower_0/wh', 'tower_0/keypoints'] });
    expect(g.outputs.map((o) => tensorOf(g, o).shape)).toEqual([
      [1, 128, 128, 4],
      [1, 128, 128, 80],
    ]);
  });

  it('movenet-lightning is refused at its keypoint ArgMax, naming file, node, op and why', () => {
    const e = refusal('movenet-lightning');
    expect(e.code).toBe('TE109');
    expect(e.place).toMatchObject({ node: 'StatefulPartitionedCall/ArgMax', op: 'ArgMax' });
    expect(e.place.file).toMatch(/movenet-lightning\.json$/);
    expect(e.message).toMatch(/it picks indices from the computed values \(post-processing/);
  });

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
