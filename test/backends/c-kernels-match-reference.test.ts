/**
 * Every C kernel equals the TypeScript int8 reference exactly, on shapes at tile boundaries (channels 1, 3, 7, 8,
 * 9, 17 and around the 64-wide blocks of the matmul and depthwise loops), strides 1 and 2, SAME and VALID padding,
 * depth multipliers, broadcasting, and fused clamps narrower than the int8 range (relu, relu6). Each graph is
 * built with gcc -std=c99 -Wall -Wextra -Werror -pedantic, so the generated code and runtime compile clean.
 */
import { describe, expect, it } from 'vitest';
import { Graph, GraphBuilder, tensorOf } from '../../compiler/ir/graph.ts';
import { Clamp, NO_CLAMP, Pads4 } from '../../compiler/ir/attrs.ts';
import { Quantization, sizeOf } from '../../compiler/ir/tensor.ts';
import { calibrate } from '../../compiler/quantize/calibrate.ts';
import { quantizeGraph } from '../../compiler/quantize/quantize-graph.ts';
import { quantizeArray } from '../../compiler/quantize/quant-params.ts';
import { runInt8 } from '../../compiler/reference/int8/interpreter.ts';
import { verifyGraph } from '../../compiler/ir/verify.ts';
import { seededUniform } from '../support/seeded.ts';
import { buildC, firstDifference, runC } from '../support/c-build.ts';

const RELU6: Clamp = { min: 0, max: 6 };
const RELU: Clamp = { min: 0, max: null };

/** SAME padding of a k-window with stride s over n (TF: extra on the bottom/right) or none for VALID. */
function pads(kind: 'SAME' | 'VALID', h: number, w: number, k: number, s: number): Pads4 {
  if (kind === 'VALID') return [0, 0, 0, 0];
  const total = (n: number) => Math.max((Math.ceil(n / s) - 1) * s + k - n, 0);
  const th = total(h);
  const tw = total(w);
  return [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
}

/**
 * Quantizes with ranges from seeded inputs, widening clamped outputs so the fused clamp is narrower than the int8
 * range (the kernels' act_min/act_max then really clip), then checks C against the reference on each input.
 */
function expectCMatchesReference(g: Graph, seed: number): void {
  verifyGraph(g);
  const shape = tensorOf(g, g.inputs[0]).shape;
  const inputs = [0, 1, 2].map((k) => seededUniform(seed * 10 + k, sizeOf(shape), -2, 2));
  const ranges = calibrate(g, inputs, 'minmax');
  for (const n of g.nodes) {
    const clamp = (n.attrs as { clamp?: Clamp }).clamp;
    const r = ranges.get(n.outputs[0]);
    if (clamp && (clamp.min !== null || clamp.max !== null) && r) ranges.set(n.outputs[0], { min: r.min - 3, max: r.max + 7 });
  }
  const q = quantizeGraph(g, ranges);
  const dir = buildC(q);
  const inQuant = tensorOf(q, q.inputs[0]).quant as Quantization;
  for (const x of inputs) {
    const xi = quantizeArray(x, inQuant);
    const reference = runInt8(q, { [q.inputs[0]]: xi }).get(q.outputs[0]) as Int8Array;
    const c = runC(dir, xi);
    expect(firstDifference(c, reference)).toBeNull();
  }
}

function weights(b: GraphBuilder, name: string, shape: number[], seed: number): string {
  return b.constant(name, shape, seededUniform(seed, sizeOf(shape), -1, 1));
}

function convGraph(inC: number, outC: number, k: number, stride: number, padding: 'SAME' | 'VALID', clamp: Clamp, seed: number): Graph {
  const b = new GraphBuilder('test');
  b.input('x', [1, 9, 10, inC]);
  weights(b, 'w', [outC, k, k, inC], seed);
  weights(b, 'bias', [outC], seed + 1);
  b.graph.outputs.push(b.node('conv2d', 'conv', ['x', 'w', 'bias'], { strides: [stride, stride], dilations: [1, 1], pads: pads(padding, 9, 10, k, stride), clamp }));
  return b.graph;
}

function depthwiseGraph(c: number, multiplier: number, stride: number, padding: 'SAME' | 'VALID', clamp: Clamp, seed: number): Graph {
  const b = new GraphBuilder('test');
  b.input('x', [1, 9, 10, c]);
  weights(b, 'w', [1, 3, 3, c * multiplier], seed);
  weights(b, 'bias', [c * multiplier], seed + 1);
  b.graph.outputs.push(b.node('depthwise_conv2d', 'dw', ['x', 'w', 'bias'], { strides: [stride, stride], dilations: [1, 1], pads: pads(padding, 9, 10, 3, stride), depthMultiplier: multiplier, clamp }));
  return b.graph;
}

describe('conv2d (im2col patch + [K][O] matmul) equals the reference', () => {
  const outs = [1, 3, 7, 8, 9, 17, 63, 64, 65];
  it.each(outs.map((o, i) => [o, i % 2 ? 2 : 1, i % 2 ? 'VALID' : 'SAME'] as const))('3×3, 3 → %i channels, stride %i, %s, relu6', (o, s, p) => {
    expectCMatchesReference(convGraph(3, o, 3, s, p, RELU6, o), o);
  });
  it.each([1, 7, 17])('3×3 stride 2 SAME from %i input channels, no clamp', (c) => {
    expectCMatchesReference(convGraph(c, 8, 3, 2, 'SAME', NO_CLAMP, 100 + c), 100 + c);
  });
  it.each([
    [1, 1],
    [3, 17],
    [7, 64],
    [8, 65],
    [9, 130],
    [17, 9],
  ])('pointwise (1×1, stride 1) %i → %i channels, relu', (c, o) => {
    expectCMatchesReference(convGraph(c, o, 1, 1, 'VALID', RELU, 200 + c), 200 + c);
  });
  it('1×1 stride 2 takes the patch path', () => {
    expectCMatchesReference(convGraph(5, 6, 1, 2, 'VALID', NO_CLAMP, 300), 300);
  });
});

describe('depthwise conv2d equals the reference', () => {
  const channels = [1, 3, 7, 8, 9, 17, 63, 64, 65];
  it.each(channels.flatMap((c) => [[c, 1, 'SAME'] as const, [c, 2, 'VALID'] as const, [c, 2, 'SAME'] as const]))('%i channels, stride %i, %s, relu6', (c, s, p) => {
    expectCMatchesReference(depthwiseGraph(c, 1, s, p, RELU6, 400 + c), 400 + c);
  });
  it.each([2, 3])('depth multiplier %i', (m) => {
    expectCMatchesReference(depthwiseGraph(5, m, 1, 'SAME', NO_CLAMP, 500 + m), 500 + m);
  });
});

describe('the other ops equal the reference', () => {
  it('fully connected 17 → 7 and 64 → 65', () => {
    for (const [k, o] of [
      [17, 7],
      [64, 65],
    ]) {
      const b = new GraphBuilder('test');
      b.input('x', [2, k]);
      weights(b, 'w', [o, k], k);
      weights(b, 'bias', [o], k + 1);
      b.graph.outputs.push(b.node('fully_connected', 'fc', ['x', 'w', 'bias'], { clamp: NO_CLAMP }));
      expectCMatchesReference(b.graph, 600 + k);
    }
  });

  it('add of two differently quantized branches, with relu; and broadcast add and mul with a per-channel constant', () => {
    const b = new GraphBuilder('test');
    b.input('x', [1, 5, 6, 9]);
    weights(b, 'w', [9, 1, 1, 9], 1);
    const y = b.node('conv2d', 'pw', ['x', 'w'], { strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], clamp: NO_CLAMP });
    const s = b.node('add', 'add', ['x', y], { clamp: RELU });
    weights(b, 'k', [9], 2);
    const t = b.node('add', 'add_c', [s, 'k'], { clamp: NO_CLAMP });
    weights(b, 'm', [1, 1, 1, 9], 3);
    b.graph.outputs.push(b.node('mul', 'mul', [t, 'm'], { clamp: RELU6 }));
    expectCMatchesReference(b.graph, 700);
  });

  it('average pooling 3×3 stride 2 SAME (border windows count fewer elements), 2×2 VALID, global 5×6; max pooling', () => {
    const cases: [string, [number, number], [number, number], 'SAME' | 'VALID'][] = [
      ['avg_pool2d', [3, 3], [2, 2], 'SAME'],
      ['avg_pool2d', [2, 2], [2, 2], 'VALID'],
      ['avg_pool2d', [5, 6], [1, 1], 'VALID'],
      ['max_pool2d', [3, 3], [2, 2], 'SAME'],
    ];
    cases.forEach(([op, filter, strides, padding], i) => {
      const b = new GraphBuilder('test');
      b.input('x', [1, 5, 6, 7]);
      const p = padding === 'SAME' ? pads('SAME', 5, 6, filter[0], strides[0]) : ([0, 0, 0, 0] as Pads4);
      b.graph.outputs.push(b.node(op as 'avg_pool2d', 'pool', ['x'], { filter, strides, pads: p, clamp: NO_CLAMP }));
      expectCMatchesReference(b.graph, 800 + i);
    });
  });

  it('mean over height and width, with its own output scale', () => {
    const b = new GraphBuilder('test');
    b.input('x', [1, 5, 6, 7]);
    b.graph.outputs.push(b.node('mean', 'mean', ['x'], { axes: [1, 2], keepDims: true }));
    expectCMatchesReference(b.graph, 900);
  });

  it('pad (asymmetric, with the zero point), concat of differently quantized inputs, reshape', () => {
    const b = new GraphBuilder('test');
    b.input('x', [1, 4, 5, 3]);
    const p = b.node('pad', 'pad', ['x'], { pads: [[0, 0], [1, 2], [2, 1], [0, 0]], value: 0 });
    weights(b, 'w', [4, 1, 1, 3], 5);
    const y = b.node('conv2d', 'pw', [p, 'w'], { strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], clamp: NO_CLAMP });
    const c = b.node('concat', 'concat', [p, y], { axis: 3 });
    b.graph.outputs.push(b.node('reshape', 'reshape', [c], { shape: [1, -1] }));
    expectCMatchesReference(b.graph, 1000);
  });

  it('softmax over 10 classes and logistic', () => {
    for (const op of ['softmax', 'logistic'] as const) {
      const b = new GraphBuilder('test');
      b.input('x', [3, 10]);
      b.graph.outputs.push(op === 'softmax' ? b.node('softmax', 'sm', ['x'], { beta: 1 }) : b.node('logistic', 'lg', ['x'], {}));
      expectCMatchesReference(b.graph, op === 'softmax' ? 1100 : 1101);
    }
  });
});
