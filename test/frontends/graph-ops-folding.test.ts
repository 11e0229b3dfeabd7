/**
 * TF ops the graph frontend folds or rewrites, on one small hand-written TF.js graph model run by TF.js cpu and by the
 * f32 reference: Equal/NotEqual, SelectV2, Where, Transpose and Cast of constants fold away at import, Sum becomes
 * mean×count, Max a max reduction (reduce_max; over other axes: test/backends/reduce-max.test.ts), a transpose of unit axes a reshape (others: test/backends/transpose.test.ts), and ArgMax as a model output runs in
 * the f32 reference (and quantizes; read by another node, quantize refuses it). With computed inputs, or with its
 * indices read further, each is refused
 * naming the node and the reason. MirrorPad of a constant folds to the examples of TF's documentation.
 */

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { TF_CONSTANT_FOLDERS } from '../../compiler/frontends/tfjs-graph/constant-folding.ts';
import { importTfjsGraph } from '../../compiler/frontends/tfjs-graph/import.ts';
import { type TfAttr, TfAttrs, type TfNode } from '../../compiler/frontends/tfjs-graph/tf-node.ts';
import { assertQuantizable } from '../../compiler/quantize/quantize-graph.ts';
import { runF32 } from '../../compiler/reference/f32/interpreter.ts';
import { useTfjsBackend } from '../../tools/peers/tfjs.ts';
import { seededUniform } from '../support/seeded.ts';
import { flag, graphModel, INPUT, loadSmallGraph } from '../support/small-graph-model.ts';

const type = (t: string): TfAttr => ({ type: t });
const cast = (name: string, input: string, from: string): TfNode => ({
  name,
  op: 'Cast',
  input: [input],
  attr: { SrcT: type(from), DstT: type('DT_FLOAT') },
});

const CONSTS = { a: [1, 2, 3], b: [1, 0, 3], c: [10, 20, 30], zero: [0, 0, 0], axes12: [1, 2], axis3: [3] };
const PERMS = { perm10: [1, 0], perm0312: [0, 3, 1, 2] };

/** x + select(a == b, a, c) + transpose(where(a != 0)), Sum and Max over H×W, a unit-axes Transpose, ArgMax over C. */
const NODES: TfNode[] = [
  { name: 'eq', op: 'Equal', input: ['a', 'b'] },
  { name: 'sel', op: 'SelectV2', input: ['eq', 'a', 'c'] },
  cast('selF', 'sel', 'DT_INT32'),
  { name: 'nz', op: 'NotEqual', input: ['a', 'zero'] },
  { name: 'where', op: 'Where', input: ['nz'] },
  { name: 'whereT', op: 'Transpose', input: ['where', 'perm10'] },
  cast('whereF', 'whereT', 'DT_INT64'),
  { name: 'plusSel', op: 'AddV2', input: ['x', 'selF'] },
  { name: 'shifted', op: 'AddV2', input: ['plusSel', 'whereF'] },
  { name: 'sum', op: 'Sum', input: ['x', 'axes12'], attr: { keep_dims: flag(false) } },
  { name: 'max', op: 'Max', input: ['x', 'axes12'], attr: { keep_dims: flag(true) } },
  { name: 'maxT', op: 'Transpose', input: ['max', 'perm0312'] },
  { name: 'argmax', op: 'ArgMax', input: ['x', 'axis3'], attr: { output_type: type('DT_INT32') } },
];
const OUTPUTS = ['shifted', 'sum', 'maxT', 'argmax'];

const model = (nodes: TfNode[]) => graphModel({ ...CONSTS, ...PERMS }, nodes);

function refusal(nodes: TfNode[], output: string): unknown {
  try {
    importTfjsGraph(model(nodes), { outputs: [output] });
  } catch (e) {
    return e;
  }
  throw new Error(`${output} loaded`);
}

describe('TF ops folded at import or rewritten into IR ops, against TF.js cpu', () => {
  beforeAll(() => useTfjsBackend('cpu'));

  it('constants fold away; Sum, Max, Transpose and ArgMax equal TF.js (1e-5; indices exactly)', async () => {
    const a = model(NODES);
    const x = seededUniform(
      11,
      INPUT.reduce((p, d) => p * d, 1),
      -1,
      1,
    );
    const m = await loadSmallGraph(a);
    const input = tf.tensor(x, INPUT);
    // Where has a data-dependent shape: TF.js runs it only asynchronously.
    const theirs = (await m.executeAsync(input, OUTPUTS)) as tf.Tensor[];
    const expected = theirs.map((t) => ({ shape: t.shape, data: Array.from(t.dataSync()) }));
    tf.dispose([input, ...theirs]);
    const g = importTfjsGraph(a, { outputs: OUTPUTS });
    expect(g.nodes.map((n) => n.op)).toEqual(['add', 'add', 'mean', 'mul', 'reduce_max', 'reshape', 'arg_max']);
    const ours = runF32(g, { x });
    g.outputs.forEach((o, i) => {
      expect(g.tensors.get(o)!.shape, OUTPUTS[i]).toEqual(expected[i]!.shape);
      const got = Array.from(ours.get(o)!);
      const diff = got.reduce((d, v, k) => Math.max(d, Math.abs(v - expected[i]!.data[k]!)), 0);
      expect(diff, OUTPUTS[i]).toBeLessThanOrEqual(OUTPUTS[i] === 'argmax' ? 0 : 1e-5);
    });
    expect(() => assertQuantizable(g)).not.toThrow();
    // The same indices read by a reshape: an int8 ArgMax is a model output only.
    const argmax = g.outputs.at(-1)!;
    const read = { name: 'r', op: 'reshape' as const, inputs: [argmax], outputs: ['r'], attrs: { shape: [-1] } };
    expect(() => assertQuantizable({ ...g, nodes: [...g.nodes, read], outputs: ['r'] })).toThrow(
      /the indices 'argmax' are read by the graph; int8 ArgMax and TopK indices can only be a model output/,
    );
  });

  it('computed inputs are refused with the reason: a mask, indices read further', () => {
    expect(refusal([{ name: 'm', op: 'Equal', input: ['x', 'x'] }], 'm')).toMatchObject({
      code: 'TE109',
      place: { node: 'm', op: 'Equal' },
      message: expect.stringMatching(
        /compares computed values into a mask .*folds it only when all its inputs are constants/,
      ),
    });
    const read = [
      { name: 'i', op: 'ArgMax', input: ['x', 'axis3'], attr: { output_type: type('DT_INT32') } },
      cast('f', 'i', 'DT_INT32'),
    ];
    expect(refusal(read, 'f')).toMatchObject({
      code: 'TE109',
      place: { node: 'i', op: 'ArgMax' },
      message: expect.stringMatching(/computes it only as a model output, and 'f' \(Cast\) reads its indices/),
    });
  });

  it("MirrorPad of a constant folds to TF's documented REFLECT and SYMMETRIC examples", () => {
    const t = { shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6), dtype: 'f32' as const };
    const paddings = { shape: [2, 2], data: Float32Array.of(1, 1, 2, 2), dtype: 'int32' as const };
    const fold = (mode: string) => {
      const node = { name: 'p', op: 'MirrorPad', attr: { mode: { s: Buffer.from(mode).toString('base64') } } };
      const r = TF_CONSTANT_FOLDERS.MirrorPad!([t, paddings], new TfAttrs(node));
      return { shape: r.shape, rows: Array.from({ length: 4 }, (_, i) => Array.from(r.data.slice(i * 7, i * 7 + 7))) };
    };
    expect(fold('REFLECT')).toEqual({
      shape: [4, 7],
      rows: [
        [6, 5, 4, 5, 6, 5, 4],
        [3, 2, 1, 2, 3, 2, 1],
        [6, 5, 4, 5, 6, 5, 4],
        [3, 2, 1, 2, 3, 2, 1],
      ],
    });
    expect(fold('SYMMETRIC').rows).toEqual([
      [2, 1, 1, 2, 3, 3, 2],
      [2, 1, 1, 2, 3, 3, 2],
      [5, 4, 4, 5, 6, 6, 5],
      [5, 4, 4, 5, 6, 6, 5],
    ]);
  });
});
