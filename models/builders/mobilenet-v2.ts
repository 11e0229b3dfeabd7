/**
 * @fileoverview Builder of MobileNetV2 (Sandler et al., 2018) at any width and input size, for architectures no npm
 * package ships: `builder:mobilenet_v2_0.35_96` is the MCU-sized net (width 0.35, 96×96, 1000 classes, as Keras
 * applications defines it). Weights are seeded and scaled He-style (uniform, variance 2/fan-in before ReLU6, 1/fan-in
 * for linear projections, the residual branch halved), so activations stay in a realistic range through all 17
 * blocks; they are not trained, so its classes mean nothing. Use it for sizes, speed and bit-exactness.
 */

import { NO_CLAMP } from '../../compiler/ir/attrs.ts';
import { type Graph, GraphBuilder } from '../../compiler/ir/graph.ts';
import { SeededWeights } from './seeded-weights.ts';

/** Inverted residual settings (expansion t, output channels c, repeats n, first stride s) of the paper's Table 2. */
const BLOCKS: [number, number, number, number][] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

const RELU6 = { min: 0, max: 6 };

/** Channels rounded to a multiple of 8, never down by more than 10% (the reference implementation's _make_divisible). */
function divisible(v: number): number {
  const rounded = Math.max(8, Math.floor((v + 4) / 8) * 8);
  return rounded < 0.9 * v ? rounded + 8 : rounded;
}

/** MobileNetV2 with width multiplier `alpha` on size×size RGB in [-1, 1], `classes` outputs (softmax). */
export function buildMobileNetV2(alpha: number, size: number, classes: number, seed = 1): Graph {
  const b = new GraphBuilder(`builder:mobilenet_v2_${alpha}_${size}`);
  const seeded = new SeededWeights(b, seed);
  const weights = (shape: number[], fanIn: number, gain: number) =>
    seeded.layer(shape, shape[0] === 1 ? shape[3]! : shape[0]!, fanIn, gain);
  const conv = (
    x: string,
    inC: number,
    outC: number,
    k: number,
    stride: number,
    relu: boolean,
    name: string,
    gain = relu ? 2 : 1,
  ) => {
    const pad = k === 1 ? 0 : stride === 1 ? 1 : 0;
    const pads: [number, number, number, number] =
      k === 1 ? [0, 0, 0, 0] : stride === 1 ? [pad, pad, pad, pad] : [0, 1, 0, 1];
    return b.node('conv2d', name, [x, ...weights([outC, k, k, inC], k * k * inC, gain)], {
      strides: [stride, stride],
      dilations: [1, 1],
      pads,
      clamp: relu ? RELU6 : NO_CLAMP,
    });
  };
  const depthwise = (x: string, c: number, stride: number, name: string) =>
    b.node('depthwise_conv2d', name, [x, ...weights([1, 3, 3, c], 9, 2)], {
      strides: [stride, stride],
      dilations: [1, 1],
      pads: stride === 1 ? [1, 1, 1, 1] : [0, 1, 0, 1],
      depthMultiplier: 1,
      clamp: RELU6,
    });

  let x = b.input('input', [1, size, size, 3]);
  let channels = divisible(32 * alpha);
  x = conv(x, 3, channels, 3, 2, true, 'Conv1');
  let block = 0;
  for (const [t, c, n, s] of BLOCKS) {
    const out = divisible(c * alpha);
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1;
      const id = `block_${block++}`;
      let y = x;
      if (t !== 1) y = conv(y, channels, channels * t, 1, 1, true, `${id}_expand`);
      y = depthwise(y, channels * t, stride, `${id}_depthwise`);
      const residual = stride === 1 && channels === out;
      y = conv(y, channels * t, out, 1, 1, false, `${id}_project`, residual ? 0.5 : 1);
      x = residual ? b.node('add', `${id}_add`, [x, y], { clamp: NO_CLAMP }) : y;
      channels = out;
    }
  }
  const last = alpha > 1 ? divisible(1280 * alpha) : 1280;
  x = conv(x, channels, last, 1, 1, true, 'Conv_1');
  x = b.node('mean', 'global_average_pooling', [x], { axes: [1, 2], keepDims: false });
  x = b.node('fully_connected', 'predictions', [x, ...weights([classes, last], last, 1)], { clamp: NO_CLAMP });
  b.graph.outputs.push(b.node('softmax', 'softmax', [x], { beta: 1 }));
  return b.graph;
}
