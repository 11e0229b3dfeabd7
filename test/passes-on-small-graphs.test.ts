/**
 * The passes on small hand-built graphs, where the edge cases are easy to reach: input scaling folded into a conv
 * whose SAME padding is on all four sides, a depthwise conv as first op, batch norm after a depthwise conv and
 * after a fully connected layer, and clamps that must not be fused because their producer has another reader.
 */
import { describe, expect, it } from 'vitest';
import { NO_CLAMP } from '../compiler/ir/attrs.ts';
import { type Graph, GraphBuilder } from '../compiler/ir/graph.ts';
import { optimize } from '../compiler/pipeline.ts';
import { runF32 } from '../compiler/reference/f32/interpreter.ts';
import { seededUniform } from './support/seeded.ts';

function expectSameOutputs(a: Graph, b: Graph, x: Float32Array, tol = 1e-5): void {
  const ya = runF32(a, { x }).get(a.outputs[0]!)!;
  const yb = runF32(b, { x }).get(b.outputs[0]!)!;
  expect(yb.length).toBe(ya.length);
  ya.forEach((v, i) => {
    expect(Math.abs(v - yb[i]!), `element ${i}`).toBeLessThanOrEqual(tol);
  });
}

describe('foldInputAffine', () => {
  it.each([
    ['conv2d 3×3 stride 1, padding on all sides', 'conv2d', 1],
    ['conv2d 3×3 stride 2, padding bottom/right only', 'conv2d', 2],
    ['depthwise 3×3 stride 1', 'depthwise_conv2d', 1],
  ] as const)('%s: same output, no mul/add left', (_name, op, stride) => {
    const b = new GraphBuilder('test');
    b.input('x', [1, 6, 6, 3]);
    b.constant('a', [], Float32Array.of(2));
    b.constant('b', [], Float32Array.of(1));
    const m = b.node('mul', 'mul', ['x', 'a'], { clamp: NO_CLAMP });
    const s = b.node('sub', 'sub', [m, 'b'], { clamp: NO_CLAMP });
    const pads: [number, number, number, number] = stride === 1 ? [1, 1, 1, 1] : [0, 1, 0, 1];
    if (op === 'conv2d') {
      b.constant('w', [4, 3, 3, 3], seededUniform(1, 108, -1, 1));
      b.constant('bias', [4], seededUniform(2, 4, -1, 1));
      b.graph.outputs.push(
        b.node('conv2d', 'conv', [s, 'w', 'bias'], {
          strides: [stride, stride],
          dilations: [1, 1],
          pads,
          clamp: NO_CLAMP,
        }),
      );
    } else {
      b.constant('w', [1, 3, 3, 3], seededUniform(1, 27, -1, 1));
      b.graph.outputs.push(
        b.node('depthwise_conv2d', 'conv', [s, 'w'], {
          strides: [stride, stride],
          dilations: [1, 1],
          pads,
          depthMultiplier: 1,
          clamp: NO_CLAMP,
        }),
      );
    }
    const folded = optimize(b.graph);
    expect(folded.nodes.map((n) => n.op)).toEqual(['pad', op]);
    expectSameOutputs(b.graph, folded, seededUniform(3, 108));
  });
});

describe('foldBatchNorm', () => {
  it.each(['depthwise_conv2d', 'fully_connected'] as const)(
    'after %s: folded into weights and bias, same output',
    (op) => {
      const b = new GraphBuilder('test');
      b.input('x', [1, 4, 4, 5]);
      let y: string;
      if (op === 'depthwise_conv2d') {
        b.constant('w', [1, 3, 3, 10], seededUniform(1, 90, -1, 1));
        y = b.node('depthwise_conv2d', 'dw', ['x', 'w'], {
          strides: [1, 1],
          dilations: [1, 1],
          pads: [1, 1, 1, 1],
          depthMultiplier: 2,
          clamp: NO_CLAMP,
        });
      } else {
        b.constant('w', [10, 5], seededUniform(1, 50, -1, 1));
        b.constant('fcb', [10], seededUniform(9, 10, -1, 1));
        y = b.node('fully_connected', 'fc', ['x', 'w', 'fcb'], { clamp: NO_CLAMP });
      }
      b.constant('mean', [10], seededUniform(2, 10, -1, 1));
      b.constant('var', [10], seededUniform(3, 10, 0.1, 2));
      b.constant('beta', [10], seededUniform(4, 10, -1, 1));
      b.constant('gamma', [10], seededUniform(5, 10, 0.5, 2));
      const bn = b.node('batch_norm', 'bn', [y, 'mean', 'var', 'beta', 'gamma'], { epsilon: 1e-3 });
      b.graph.outputs.push(b.node('clamp', 'relu6', [bn], { clamp: { min: 0, max: 6 } }));
      const folded = optimize(b.graph);
      expect(folded.nodes.map((n) => n.op)).toEqual([op]);
      expectSameOutputs(b.graph, folded, seededUniform(6, 80, -2, 2));
    },
  );
});

describe('fuseActivation', () => {
  it('keeps a relu standalone when the conv output is also read elsewhere', () => {
    const b = new GraphBuilder('test');
    b.input('x', [1, 2, 2, 2]);
    b.constant('w', [2, 1, 1, 2], seededUniform(1, 4, -1, 1));
    const c = b.node('conv2d', 'conv', ['x', 'w'], {
      strides: [1, 1],
      dilations: [1, 1],
      pads: [0, 0, 0, 0],
      clamp: NO_CLAMP,
    });
    const r = b.node('clamp', 'relu', [c], { clamp: { min: 0, max: null } });
    b.graph.outputs.push(b.node('add', 'sum', [c, r], { clamp: NO_CLAMP }));
    const g = optimize(b.graph);
    expect(g.nodes.map((n) => n.op)).toEqual(['conv2d', 'clamp', 'add']);
  });
});
