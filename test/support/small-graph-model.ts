/**
 * @fileoverview Small hand-written TF.js graph models for frontend tests: a float placeholder 'x', int32 constants
 * stored as weights (as the converter does) and the nodes under test; and TF.js's own loading of them.
 */

import { loadGraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { concatShards, type TfjsArtifacts } from '../../compiler/frontends/tfjs-common/artifacts.ts';
import { importTfjsGraph } from '../../compiler/frontends/tfjs-graph/import.ts';
import type { TfAttr, TfNode } from '../../compiler/frontends/tfjs-graph/tf-node.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import { runF32 } from '../../compiler/reference/f32/interpreter.ts';
import { seededUniform } from './seeded.ts';

/** The placeholder 'x''s shape. */
export const INPUT = [1, 4, 5, 3];

/** A TF.js graph model: a float placeholder 'x', int32 constants (stored as weights, as the converter does) and nodes. */
export function graphModel(consts: Record<string, number[]>, nodes: TfNode[]): TfjsArtifacts {
  const weights = Object.entries(consts).map(([name, v]) => ({ name, shape: [v.length], dtype: 'int32' }));
  const bytes = new Uint8Array(Int32Array.from(Object.values(consts).flat()).buffer);
  const constNodes: TfNode[] = Object.keys(consts).map((name) => ({
    name,
    op: 'Const',
    attr: {
      dtype: { type: 'DT_INT32' },
      value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: [{ size: consts[name]!.length }] } } },
    },
  }));
  const placeholder: TfNode = {
    name: 'x',
    op: 'Placeholder',
    attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: INPUT.map((size) => ({ size })) } } },
  };
  return {
    file: 'test:small-graph.json',
    json: {
      format: 'graph-model',
      modelTopology: { node: [placeholder, ...constNodes, ...nodes], versions: { producer: 1395 } },
      weightsManifest: [{ paths: ['w.bin'], weights }],
    },
    shards: [[{ file: 'test:w.bin', bytes }]],
  };
}

/** A bool attribute. */
export const flag = (b: boolean): TfAttr => ({ b });
/** An int attribute. */
export const int = (i: number): TfAttr => ({ i: String(i) });

/** The same model loaded by TF.js (the oracle). */
export function loadSmallGraph(a: TfjsArtifacts) {
  return loadGraphModel({
    load: async () => ({
      modelTopology: a.json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: a.json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
      weightData: concatShards(a.shards.flat()),
      format: 'graph-model',
    }),
  });
}

/**
 * Runs the small graph in TF.js and through the TF.js graph importer and the f32 reference on one seeded input:
 * the imported graph's ops are `ops`, and every output has TF.js's shape and values within `tolerance`.
 */
export async function expectF32MatchesTfjs(a: TfjsArtifacts, outputs: string[], ops: string[], tolerance: number) {
  const x = seededUniform(5, sizeOf(INPUT), -1, 1);
  const m = await loadSmallGraph(a);
  const input = tf.tensor(x, INPUT);
  const theirs = m.execute(input, outputs) as tf.Tensor[];
  const expected = theirs.map((t) => ({ shape: t.shape, data: Array.from(t.dataSync()) }));
  tf.dispose([input, ...theirs]);
  const g = importTfjsGraph(a, { outputs });
  expect(g.nodes.map((n) => n.op)).toEqual(ops);
  const ours = runF32(g, { x });
  g.outputs.forEach((o, i) => {
    expect(tensorOf(g, o).shape, outputs[i]).toEqual(expected[i]!.shape);
    const got = Array.from(ours.get(o)!);
    expect(Math.max(...got.map((v, k) => Math.abs(v - expected[i]!.data[k]!))), outputs[i]).toBeLessThanOrEqual(
      tolerance,
    );
  });
}
