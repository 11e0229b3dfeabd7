/**
 * @fileoverview A small f32 graph with every kind of precision boundary, and the plan that makes it mixed: a 16×8
 * first conv (int16 input), an int4w depthwise and pointwise conv (K = 17: odd rows, as packed int4 splits them), an
 * add of an int8 and an int16 tensor (one side requantized), a pool, and a 16×8 classifier whose softmax follows it.
 */

import { NO_CLAMP } from '../../compiler/ir/attrs.ts';
import { type Graph, GraphBuilder } from '../../compiler/ir/graph.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import type { PrecisionPlan } from '../../compiler/quantize/precision-plan.ts';
import { type KernelCase, RELU6 } from './kernel-case.ts';
import { seededUniform } from './seeded.ts';

/** The plan of the mixed case: every precision and both directions of conversion. */
export const MIXED_PLAN: PrecisionPlan = { conv1: '16x8', dw: 'int4w', project: 'int4w', fc: '16x8' };

/** conv1 (3×3, 17 channels) → dw (3×3) → project (1×1, 17 → 17) → add(conv1, project) → mean → fc → softmax. */
export function mixedGraph(): Graph {
  const b = new GraphBuilder('mixed');
  b.input('x', [1, 7, 6, 3]);
  let seed = 1;
  const w = (name: string, shape: number[]) => b.constant(name, shape, seededUniform(seed++, sizeOf(shape), -0.6, 0.6));
  const window = { strides: [1, 1] as [number, number], dilations: [1, 1] as [number, number] };
  w('w1', [17, 3, 3, 3]);
  w('b1', [17]);
  const conv1 = b.node('conv2d', 'conv1', ['x', 'w1', 'b1'], { ...window, pads: [1, 1, 1, 1], clamp: RELU6 });
  w('w2', [1, 3, 3, 17]);
  w('b2', [17]);
  const dw = b.node('depthwise_conv2d', 'dw', [conv1, 'w2', 'b2'], {
    ...window,
    pads: [1, 1, 1, 1],
    depthMultiplier: 1,
    clamp: RELU6,
  });
  w('w3', [17, 1, 1, 17]);
  w('b3', [17]);
  const project = b.node('conv2d', 'project', [dw, 'w3', 'b3'], { ...window, pads: [0, 0, 0, 0], clamp: NO_CLAMP });
  const sum = b.node('add', 'add', [project, conv1], { clamp: NO_CLAMP });
  const pooled = b.node('mean', 'mean', [sum], { axes: [1, 2], keepDims: false });
  w('w4', [10, 17]);
  w('b4', [10]);
  const fc = b.node('fully_connected', 'fc', [pooled, 'w4', 'b4'], { clamp: NO_CLAMP });
  b.graph.outputs.push(b.node('softmax', 'softmax', [fc], { beta: 1 }));
  return b.graph;
}

/** The mixed graph as a kernel case, for the targets' kernel tests. */
export const MIXED_CASE: KernelCase = {
  name: 'mixed precision (16×8 conv and classifier, int4w depthwise and pointwise)',
  graph: mixedGraph,
  seed: 3,
  activations: MIXED_PLAN,
};
