/**
 * The int8 reference kernels on hand-computed cases: zero-point padding, saturation at the clamps, TFLite's
 * rounding of averages and means (ties away from zero, both signs), add's rescaling through a left shift of 20,
 * the softmax and logistic tables, and pad with the zero point. Each expected value is worked out in the comment.
 */
import { describe, expect, it } from 'vitest';
import { conv2dInt8, MacParams } from '../../compiler/reference/int8/conv.ts';
import { poolInt8, meanInt8, roundedDivide } from '../../compiler/reference/int8/reduce.ts';
import { addInt8, softmaxInt8, lookupInt8 } from '../../compiler/reference/int8/elementwise.ts';
import { padElements } from '../../compiler/reference/layout.ts';
import { Window2d } from '../../compiler/reference/window.ts';
import { Graph } from '../../compiler/ir/graph.ts';
import { Tensor } from '../../compiler/ir/tensor.ts';
import { prepareInt8Node, Int8Params } from '../../compiler/quantize/prepare-int8.ts';

/** M = 1.0 as TFLite encodes it: 2^30 · 2^(1−31). */
const ONE = { multiplier: 1 << 30, shift: 1 };

function mac(inputOffset: number, outputOffset = 0, actMin = -128, actMax = 127): MacParams {
  return { inputOffset, outputOffset, multipliers: Int32Array.of(ONE.multiplier), shifts: Int32Array.of(ONE.shift), actMin, actMax };
}

const window3x3Padded: Window2d = { n: 1, h: 1, w: 1, c: 1, oh: 1, ow: 1, kh: 3, kw: 3, strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1] };

describe('conv2d int8', () => {
  const w = new Int8Array(9).fill(1);
  it('padding reads the zero point: only the centre tap counts, (10 + 5)·1 = 15, not 15 + 8·5', () => {
    expect(Array.from(conv2dInt8(Int8Array.of(10), w, undefined, window3x3Padded, 1, mac(5)))).toEqual([15]);
  });
  it('bias adds before requantization: 15 + 7 = 22', () => {
    expect(Array.from(conv2dInt8(Int8Array.of(10), w, Int32Array.of(7), window3x3Padded, 1, mac(5)))).toEqual([22]);
  });
  it('saturates at the int8 range and at a fused clamp: 127 + 127 = 254 → 127, → 100 under actMax 100, −200 offset → −128', () => {
    expect(Array.from(conv2dInt8(Int8Array.of(127), w, undefined, window3x3Padded, 1, mac(127)))).toEqual([127]);
    expect(Array.from(conv2dInt8(Int8Array.of(127), w, undefined, window3x3Padded, 1, mac(127, 0, -128, 100)))).toEqual([100]);
    expect(Array.from(conv2dInt8(Int8Array.of(1), w, undefined, window3x3Padded, 1, mac(0, -200)))).toEqual([-128]);
  });
});

describe('average pooling and mean round like TFLite', () => {
  it('roundedDivide: ties away from zero for both signs, others to nearest', () => {
    expect([roundedDivide(3, 2), roundedDivide(-3, 2), roundedDivide(5, 2), roundedDivide(-5, 2)]).toEqual([2, -2, 3, -3]);
    expect([roundedDivide(7, 3), roundedDivide(-7, 3), roundedDivide(8, 3), roundedDivide(-8, 3), roundedDivide(0, 5)]).toEqual([2, -2, 3, -3, 0]);
  });
  it('avg pool over [1, 2] is 2 and over [−1, −2] is −2 (1.5 rounds away from zero)', () => {
    const g: Window2d = { n: 1, h: 1, w: 2, c: 2, oh: 1, ow: 1, kh: 1, kw: 2, strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0] };
    expect(Array.from(poolInt8(Int8Array.of(1, -1, 2, -2), g, 'avg', -128, 127))).toEqual([2, -2]);
  });
  it('avg pool does not count padding: a 3×3 window over a single 7 averages to 7', () => {
    expect(Array.from(poolInt8(Int8Array.of(7), window3x3Padded, 'avg', -128, 127))).toEqual([7]);
  });
  it('max pool over padding ignores it: max of −100 alone is −100', () => {
    expect(Array.from(poolInt8(Int8Array.of(-100), window3x3Padded, 'max', -128, 127))).toEqual([-100]);
  });
  it('mean of [1, 2] and of [−1, −2] with the same scale in and out: 2 and −2', () => {
    const p = { inputOffset: 0, multiplier: ONE.multiplier, shift: ONE.shift, count: 2, outputOffset: 0 };
    expect(Array.from(meanInt8(Int8Array.of(1, 2, -1, -2), [2, 2], [1], p))).toEqual([2, -2]);
  });
});

/** A graph holding one node over inputs with the given (scale, zero point), for prepareInt8Node. */
function oneNodeGraph(op: 'add' | 'softmax' | 'logistic', inputs: [number, number][], out: [number, number], shape: number[]): { g: Graph; p: Int8Params } {
  const tensors = new Map<string, Tensor>();
  const names = inputs.map(([s, z], i) => {
    const name = `x${i}`;
    tensors.set(name, { name, shape, dtype: 'int8', quant: { scale: [s], zeroPoint: [z] } });
    return name;
  });
  tensors.set('y', { name: 'y', shape, dtype: 'int8', quant: { scale: [out[0]], zeroPoint: [out[1]] } });
  const attrs = op === 'add' ? { clamp: { min: null, max: null } } : op === 'softmax' ? { beta: 1 } : {};
  const node = { name: 'n', op, inputs: names, outputs: ['y'], attrs } as Graph['nodes'][number];
  const g: Graph = { source: 'test', tensors, nodes: [node], inputs: names, outputs: ['y'] };
  return { g, p: prepareInt8Node(g, node) };
}

describe('add rescales both inputs to twice the larger scale through a left shift of 20', () => {
  it('same scales: 3 + 4 = 7, and 100 + 100 saturates at 127', () => {
    const { p } = oneNodeGraph('add', [[0.5, 0], [0.5, 0]], [0.5, 0], [2]);
    expect(Array.from(addInt8(Int8Array.of(3, 100), [2], Int8Array.of(4, 100), [2], [2], p as never))).toEqual([7, 127]);
  });
  it('different scales: 3·1.0 + 3·0.5 = 4.5 → 5 and −4.5 → −5 (rounding half away from zero)', () => {
    const { p } = oneNodeGraph('add', [[1, 0], [0.5, 0]], [1, 0], [2]);
    expect(Array.from(addInt8(Int8Array.of(3, -3), [2], Int8Array.of(3, -3), [2], [2], p as never))).toEqual([5, -5]);
  });
  it('zero points: (10 − 4)·0.25 + (−20 + 8)·0.25 = −1.5 → output zero point 3 gives 3 − 6 = −3', () => {
    const { p } = oneNodeGraph('add', [[0.25, 4], [0.25, -8]], [0.25, 3], [1]);
    expect(Array.from(addInt8(Int8Array.of(10), [1], Int8Array.of(-20), [1], [1], p as never))).toEqual([-3]);
  });
});

describe('softmax and logistic by table (output scale 1/256, zero point −128)', () => {
  it('two equal logits: ⌊(256·e + e)/(2e)⌋ − 128 = 0 each (one half)', () => {
    const { p } = oneNodeGraph('softmax', [[0.1, 0]], [1 / 256, -128], [1, 2]);
    expect(Array.from(softmaxInt8(Int8Array.of(5, 5), 2, (p as Extract<Int8Params, { kind: 'softmax' }>).expTable))).toEqual([0, 0]);
  });
  it('a single class is probability 1: 256 − 128 saturates at 127', () => {
    const { p } = oneNodeGraph('softmax', [[0.1, 0]], [1 / 256, -128], [1, 1]);
    expect(Array.from(softmaxInt8(Int8Array.of(-40), 1, (p as Extract<Int8Params, { kind: 'softmax' }>).expTable))).toEqual([127]);
  });
  it('one logit far below: its exponent rounds to 0 in the table, the other class takes 127', () => {
    const { p } = oneNodeGraph('softmax', [[0.5, 0]], [1 / 256, -128], [1, 2]);
    expect(Array.from(softmaxInt8(Int8Array.of(127, -128), 2, (p as Extract<Int8Params, { kind: 'softmax' }>).expTable))).toEqual([127, -128]);
  });
  it('logistic: real 0 → σ = 0.5 → 128 − 128 = 0; large positive saturates at 127, large negative at −128', () => {
    const { p } = oneNodeGraph('logistic', [[0.1, 10]], [1 / 256, -128], [3]);
    expect(Array.from(lookupInt8(Int8Array.of(10, 127, -128), (p as Extract<Int8Params, { kind: 'lut' }>).table))).toEqual([0, 127, -128]);
  });
});

describe('pad', () => {
  it('fills with the given value (the quantized zero, i.e. the zero point), keeping the data', () => {
    expect(Array.from(padElements(Int8Array.of(5), [1, 1, 1, 1], [[0, 0], [0, 0], [1, 1], [0, 0]], -7))).toEqual([-7, 5, -7]);
  });
});
