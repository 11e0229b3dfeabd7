/**
 * The TF ops the hand detector needed, each on a small hand-written TF.js graph model run by TF.js cpu and by the
 * f32 reference: ResizeBilinear and ResizeNearestNeighbor honour align_corners and half_pixel_centers exactly (up and
 * down), TF OD API's stack-and-reshape upsampling becomes one nearest resize, and StridedSlice / ExpandDims / Unpack /
 * Squeeze that only add or drop unit axes vanish; a StridedSlice that crops is refused naming its node and op.
 */

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import type { TfjsArtifacts } from '../../compiler/frontends/tfjs-common/artifacts.ts';
import { importTfjsGraph } from '../../compiler/frontends/tfjs-graph/import.ts';
import { runF32 } from '../../compiler/reference/f32/interpreter.ts';
import { useTfjsBackend } from '../../tools/peers/tfjs.ts';
import { seededUniform } from '../support/seeded.ts';
import { flag, graphModel, INPUT, int, loadSmallGraph } from '../support/small-graph-model.ts';

/** Runs the model's output with TF.js and with tinyedge's import + f32 reference; also returns the IR ops. */
async function both(
  a: TfjsArtifacts,
  output: string,
): Promise<{ ours: Float32Array; theirs: Float32Array; ops: string[] }> {
  const x = seededUniform(
    5,
    INPUT.reduce((p, d) => p * d, 1),
    -1,
    1,
  );
  const m = await loadSmallGraph(a);
  const input = tf.tensor(x, INPUT);
  const y = m.execute(input, output) as tf.Tensor;
  const theirs = y.dataSync() as Float32Array;
  tf.dispose([input, y]);
  const g = importTfjsGraph(a, { outputs: [output] });
  return { ours: runF32(g, { x }).get(g.outputs[0]!) as Float32Array, theirs, ops: g.nodes.map((n) => n.op) };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

const MODES = [
  [false, false],
  [true, false],
  [false, true],
] as const;

describe('TF ops of the hand detector, against TF.js cpu', () => {
  beforeAll(() => useTfjsBackend('cpu'));

  for (const op of ['ResizeBilinear', 'ResizeNearestNeighbor']) {
    for (const [alignCorners, halfPixel] of MODES) {
      for (const size of [
        [7, 9],
        [3, 2],
      ]) {
        it(`${op} to ${size.join('×')}, align_corners ${alignCorners}, half_pixel_centers ${halfPixel}: within 1e-6`, async () => {
          const a = graphModel({ size }, [
            {
              name: 'y',
              op,
              input: ['x', 'size'],
              attr: { align_corners: flag(alignCorners), half_pixel_centers: flag(halfPixel) },
            },
          ]);
          const r = await both(a, 'y');
          expect(r.ops).toEqual([op === 'ResizeBilinear' ? 'resize_bilinear' : 'resize_nearest']);
          expect(maxAbsDiff(r.ours, r.theirs)).toBeLessThanOrEqual(1e-6);
        });
      }
    }
  }

  it("a resize to the input's own size is no op at all", async () => {
    const r = await both(
      graphModel({ size: [4, 5] }, [
        { name: 'y', op: 'ResizeBilinear', input: ['x', 'size'] },
        { name: 'z', op: 'Relu', input: ['y'] },
      ]),
      'z',
    );
    expect(r.ops).toEqual(['clamp']);
    expect(maxAbsDiff(r.ours, r.theirs)).toBe(0);
  });

  it("TF OD API's nearest_neighbor_upsampling (stack ×3 on axis 3, ×2 on axis 2, reshape) is one resize_nearest, exactly", async () => {
    const a = graphModel({ shape: [1, 8, 15, 3] }, [
      { name: 'cols', op: 'Pack', input: ['x', 'x', 'x'], attr: { axis: int(3), N: int(3) } },
      { name: 'rows', op: 'Pack', input: ['cols', 'cols'], attr: { axis: int(2), N: int(2) } },
      { name: 'y', op: 'Reshape', input: ['rows', 'shape'] },
    ]);
    const r = await both(a, 'y');
    expect(r.ops).toEqual(['resize_nearest']);
    expect(maxAbsDiff(r.ours, r.theirs)).toBe(0);
  });

  it('StridedSlice (new axis, then index 0), ExpandDims, Unpack of one and Squeeze cancel out: no reshape left', async () => {
    const a = graphModel({ zeros: [0, 0, 0, 0, 0], ones: [1, 1, 1, 1, 1], begin0: [0], end1: [1], axis0: [0] }, [
      {
        name: 'a',
        op: 'StridedSlice',
        input: ['x', 'zeros', 'zeros', 'ones'],
        attr: { new_axis_mask: int(1), begin_mask: int(30), end_mask: int(30) },
      },
      { name: 'b', op: 'StridedSlice', input: ['a', 'begin0', 'end1', 'end1'], attr: { shrink_axis_mask: int(1) } },
      { name: 'c', op: 'Unpack', input: ['b'], attr: { num: int(1), axis: int(0) } },
      { name: 'd', op: 'ExpandDims', input: ['c', 'axis0'] },
      { name: 'e', op: 'Squeeze', input: ['d'], attr: { squeeze_dims: { list: { i: ['0'] } } } },
      { name: 'f', op: 'ExpandDims', input: ['e', 'axis0'] },
      { name: 'y', op: 'Relu6', input: ['f'] },
    ]);
    const r = await both(a, 'y');
    expect(r.ops).toEqual(['clamp']);
    expect(maxAbsDiff(r.ours, r.theirs)).toBe(0);
  });

  it('a StridedSlice that crops is refused, naming the file, node and op', () => {
    const a = graphModel({ begin: [0, 1], end: [1, 3], strides: [1, 1] }, [
      { name: 'crop', op: 'StridedSlice', input: ['x', 'begin', 'end', 'strides'] },
    ]);
    expect(() => importTfjsGraph(a, { outputs: ['crop'] })).toThrow(
      expect.objectContaining({
        place: { file: 'test:small-graph.json', node: 'crop', op: 'StridedSlice' },
        message: expect.stringMatching(/takes part of axis 1 of 1×4×5×3: slicing is not supported/),
      }),
    );
  });
});
