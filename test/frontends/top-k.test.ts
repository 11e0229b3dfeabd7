/**
 * TF.js TopKV2 as a model output: its values and indices outputs map to top_k_values and top_k_indices, and the f32
 * reference equals TF.js's topk exactly (ties → the lower index first), on seeded inputs rounded so rows hold ties,
 * and the graph quantizes (int8 TopK: test/backends/top-k-output.test.ts); the importer refuses a TopKV2 whose outputs
 * another node reads. A float ONNX TopK (along the channels of an NCHW activation, or a plain last axis) equals
 * onnxruntime-node the same way.
 */

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from '../../compiler/exporters/onnx/onnx-builder.ts';
import { importOnnx } from '../../compiler/frontends/onnx/import.ts';
import { importTfjsGraph } from '../../compiler/frontends/tfjs-graph/import.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import { assertQuantizable } from '../../compiler/quantize/quantize-graph.ts';
import { runF32 } from '../../compiler/reference/f32/interpreter.ts';
import { useTfjsBackend } from '../../tools/peers/tfjs.ts';
import { seededUniform } from '../support/seeded.ts';
import { nhwcOfNchw } from '../support/seeded-conv-graph.ts';
import { graphModel, INPUT, loadSmallGraph } from '../support/small-graph-model.ts';

const NODES = [
  { name: 'flat', op: 'Reshape', input: ['x', 'rows'] },
  { name: 'top', op: 'TopKV2', input: ['flat', 'k'], attr: { sorted: { b: true } } },
];
const CONSTS = { rows: [4, 15], k: [4] };
const OUTPUTS = ['top', 'top:1'];

describe('TF.js TopKV2 as a model output', () => {
  beforeAll(() => useTfjsBackend('cpu'));

  it('maps to top_k_values and top_k_indices, equal to TF.js topk (ties: the lower index first)', async () => {
    const a = graphModel(CONSTS, NODES);
    const m = await loadSmallGraph(a);
    const g = importTfjsGraph(a, { outputs: OUTPUTS });
    expect(g.nodes.map((n) => n.op)).toEqual(['reshape', 'top_k_values', 'top_k_indices']);
    for (const seed of [1, 2, 3]) {
      // Steps of 0.5 in [−2, 2]: most rows of 15 hold equal values.
      const x = Float32Array.from(seededUniform(seed, sizeOf(INPUT), -2, 2), (v) => Math.round(2 * v) / 2);
      const input = tf.tensor(x, INPUT);
      const theirs = m.execute(input, OUTPUTS) as tf.Tensor[];
      const expected = theirs.map((t) => ({ shape: t.shape, data: Array.from(t.dataSync()) }));
      tf.dispose([input, ...theirs]);
      const ours = runF32(g, { x });
      g.outputs.forEach((o, i) => {
        expect(tensorOf(g, o).shape).toEqual(expected[i]!.shape);
        expect(Array.from(ours.get(o)!), `${OUTPUTS[i]}, seed ${seed}`).toEqual(expected[i]!.data);
      });
    }
    expect(() => assertQuantizable(g)).not.toThrow();
  });

  it('is refused when another node reads its outputs', () => {
    const read = [...NODES, { name: 'plus', op: 'AddV2', input: ['top', 'top'] }];
    expect(() => importTfjsGraph(graphModel(CONSTS, read), { outputs: ['plus'] })).toThrow(
      expect.objectContaining({
        code: 'TE109',
        place: expect.objectContaining({ node: 'top', op: 'TopKV2' }),
        message: expect.stringMatching(/computes it only as a model output, and 'plus' \(AddV2\) reads its indices/),
      }),
    );
  });
});

describe('ONNX TopK', () => {
  it('maps along the channels of an NCHW activation and a flat last axis, equal to onnxruntime-node', async () => {
    const [c, h, w] = [6, 2, 3];
    const b = new OnnxGraphBuilder();
    b.input('x', 'float', [1, c, h, w]);
    const k = b.constant('k', 'int64', [1], [2]);
    for (const name of ['values', 'indices', 'flatValues', 'flatIndices']) b.reserve(name);
    const [values, indices] = b.nodeOutputs('TopK', ['x', k], ['top_v', 'top_i'], 'top', { axis: 1 });
    // tinyedge's 4-D outputs are NHWC: the model moves the channels last itself.
    const channelsLast = (v: string, base: string) => b.node('Transpose', [v], base, { perm: [0, 2, 3, 1] });
    b.output(channelsLast(values!, 'values_nhwc'), 'values', 'float', [1, h, w, 2]);
    b.output(channelsLast(indices!, 'indices_nhwc'), 'indices', 'int64', [1, h, w, 2]);
    const flat = b.node('Flatten', [b.node('Transpose', ['x'], 'nhwc', { perm: [0, 2, 3, 1] })], 'flat', { axis: 1 });
    const [fv, fi] = b.nodeOutputs('TopK', [flat, k], ['flat_v', 'flat_i'], 'flat_top', {});
    b.output(fv!, 'flatValues', 'float', [1, 2]);
    b.output(fi!, 'flatIndices', 'int64', [1, 2]);
    const bytes = b.encode('top-k', 'test');
    const { graph } = importOnnx(bytes, 'top-k.onnx');
    // Steps of 0.5: ties among the channels.
    const x = Float32Array.from(seededUniform(4, c * h * w, -2, 2), (v) => Math.round(2 * v) / 2);
    const session = await ort.InferenceSession.create(bytes);
    const theirs = await session.run({ x: new ort.Tensor('float32', x, [1, c, h, w]) });
    const nhwc = nhwcOfNchw(x, c, h, w);
    const ours = runF32(graph, { [graph.inputs[0]!]: nhwc });
    ['values', 'indices', 'flatValues', 'flatIndices'].forEach((name, i) => {
      const got = ours.get(graph.outputs[i]!)!;
      const want = Array.from(theirs[name]!.data as ArrayLike<number | bigint>, Number);
      expect(Array.from(got), name).toEqual(want);
    });
  });
});
