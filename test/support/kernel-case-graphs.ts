/**
 * @fileoverview The seeded f32 graphs the kernel cases are built from: convolutions, depthwise and transpose
 * convolutions with seeded weights and SAME/VALID padding, a pointwise branch of 'x', one node over an input.
 */

import { type Clamp, NO_CLAMP, type Pads4 } from '../../compiler/ir/attrs.ts';
import { type Graph, GraphBuilder, tensorOf } from '../../compiler/ir/graph.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import { RELU6 } from './kernel-case.ts';
import { seededUniform } from './seeded.ts';

/** SAME padding of a k-window with stride s over n (TF: extra on the bottom/right) or none for VALID. */
export function pads(kind: 'SAME' | 'VALID', h: number, w: number, k: number, s: number): Pads4 {
  if (kind === 'VALID') return [0, 0, 0, 0];
  const total = (n: number) => Math.max((Math.ceil(n / s) - 1) * s + k - n, 0);
  const th = total(h);
  const tw = total(w);
  return [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
}

/** Seeded weights in [-1, 1]; `channelScale` scales output channel c (the first axis, or the last for depthwise). */
export function weights(
  b: GraphBuilder,
  name: string,
  shape: number[],
  seed: number,
  channelScale?: { scale: (c: number) => number; lastAxis: boolean },
): string {
  const data = seededUniform(seed, sizeOf(shape), -1, 1);
  if (channelScale) {
    const channels = channelScale.lastAxis ? shape[shape.length - 1]! : shape[0]!;
    const inner = sizeOf(shape) / channels;
    data.forEach((v, i) => {
      data[i] = v * channelScale.scale(channelScale.lastAxis ? i % channels : Math.floor(i / inner));
    });
  }
  return b.constant(name, shape, data);
}

export function convGraph(
  inC: number,
  outC: number,
  k: number,
  stride: number,
  padding: 'SAME' | 'VALID',
  clamp: Clamp,
  seed: number,
  channelScale?: (c: number) => number,
): Graph {
  const b = new GraphBuilder('test');
  b.input('x', [1, 9, 10, inC]);
  weights(b, 'w', [outC, k, k, inC], seed, channelScale && { scale: channelScale, lastAxis: false });
  weights(b, 'bias', [outC], seed + 1);
  b.graph.outputs.push(
    b.node('conv2d', 'conv', ['x', 'w', 'bias'], {
      strides: [stride, stride],
      dilations: [1, 1],
      pads: pads(padding, 9, 10, k, stride),
      clamp,
    }),
  );
  return b.graph;
}

/**
 * A relu6 conv (k×k, `dilation`) of inC → outC channels over a 9×10 input that is, when `pooled`, a 2×2 average pool
 * of an 18×20 one: the pool's tensors are then the arena's peak, so the conv's optional scratch (cortex-m-dsp's int16
 * copy of two rows, cScratchQuery) fits beneath it and is given; without the pool it would raise the peak and is not.
 */
export function convGraphWith(
  inC: number,
  outC: number,
  k: number,
  {
    stride,
    dilation,
    padding,
    pooled,
  }: { stride: number; dilation: number; padding: 'SAME' | 'VALID'; pooled: boolean },
  seed: number,
): Graph {
  const b = new GraphBuilder('test');
  const x = pooled
    ? b.node('avg_pool2d', 'pool', [b.input('x', [1, 18, 20, inC])], {
        filter: [2, 2],
        strides: [2, 2],
        pads: [0, 0, 0, 0],
        clamp: NO_CLAMP,
      })
    : b.input('x', [1, 9, 10, inC]);
  weights(b, 'w', [outC, k, k, inC], seed);
  weights(b, 'bias', [outC], seed + 1);
  b.graph.outputs.push(
    b.node('conv2d', 'conv', [x, 'w', 'bias'], {
      strides: [stride, stride],
      dilations: [dilation, dilation],
      pads: pads(padding, 9, 10, (k - 1) * dilation + 1, stride),
      clamp: RELU6,
    }),
  );
  return b.graph;
}

/** A depthwise conv over a 9×10 input; `window` changes the 3×3, dilation-1 default, `size` the input's height and width. */
export function depthwiseGraph(
  c: number,
  multiplier: number,
  stride: number,
  padding: 'SAME' | 'VALID',
  clamp: Clamp,
  seed: number,
  channelScale?: (c: number) => number,
  window: { k: number; dilation: number } = { k: 3, dilation: 1 },
  size: readonly [number, number] = [9, 10],
): Graph {
  const [h, w] = size;
  const b = new GraphBuilder('test');
  b.input('x', [1, h, w, c]);
  const { k, dilation } = window;
  weights(b, 'w', [1, k, k, c * multiplier], seed, channelScale && { scale: channelScale, lastAxis: true });
  weights(b, 'bias', [c * multiplier], seed + 1);
  const span = (k - 1) * dilation + 1;
  b.graph.outputs.push(
    b.node('depthwise_conv2d', 'dw', ['x', 'w', 'bias'], {
      strides: [stride, stride],
      dilations: [dilation, dilation],
      pads: pads(padding, h, w, span, stride),
      depthMultiplier: multiplier,
      clamp,
    }),
  );
  return b.graph;
}

/**
 * `g` with the bias of each `dead` channel zeroed: with weights scaled far down (by 2^-40) its multiplier underflows
 * to TFLite's dead form (M = 0, shift 0), as in VWW's pointwise layers.
 */
export function withDeadChannels(g: Graph, dead: (c: number) => boolean): Graph {
  const bias = tensorOf(g, 'bias').data!;
  bias.forEach((_v, c) => {
    if (dead(c)) bias[c] = 0;
  });
  return g;
}

/** A pointwise conv of the input 'x' (c → c channels, seeded weights 'w'): the other branch of an add. */
export function pointwiseOfX(b: GraphBuilder, c: number, seed: number): string {
  weights(b, 'w', [c, 1, 1, c], seed);
  return b.node('conv2d', 'pw', ['x', 'w'], {
    strides: [1, 1],
    dilations: [1, 1],
    pads: [0, 0, 0, 0],
    clamp: NO_CLAMP,
  });
}

export function single(build: (b: GraphBuilder) => string, input: number[]): Graph {
  const b = new GraphBuilder('test');
  b.input('x', input);
  b.graph.outputs.push(build(b));
  return b.graph;
}

/** A transpose conv from a 5×6 input: SAME gives 5s × 6s (TF's rule on the output, extra crop at the bottom/right). */
export function transposeGraph(
  inC: number,
  outC: number,
  k: number,
  stride: number,
  padding: 'SAME' | 'VALID',
  clamp: Clamp,
  seed: number,
  withBias: boolean,
): Graph {
  const b = new GraphBuilder('test');
  b.input('x', [1, 5, 6, inC]);
  weights(b, 'w', [outC, k, k, inC], seed);
  if (withBias) weights(b, 'bias', [outC], seed + 1);
  const total = padding === 'SAME' ? Math.max(k - stride, 0) : 0;
  const p: Pads4 = [
    Math.floor(total / 2),
    total - Math.floor(total / 2),
    Math.floor(total / 2),
    total - Math.floor(total / 2),
  ];
  b.graph.outputs.push(
    b.node('transpose_conv2d', 'tconv', withBias ? ['x', 'w', 'bias'] : ['x', 'w'], {
      strides: [stride, stride],
      pads: p,
      clamp,
    }),
  );
  return b.graph;
}
