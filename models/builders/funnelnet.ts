/**
 * @fileoverview Builder of a FunnelNet-style audio net (heart-sound classification from a CWT scalogram): a squeeze
 * net of strided convolutions compressing the scalogram, a depthwise-separable bottleneck, an expansion net that
 * upsamples back with a transposed convolution and a nearest-neighbour resize, and a classifier head (normal /
 * murmur). Its input is the CWT front end's scalogram [1, rows, columns, 1] (compiler/audio/cwt-kernels.ts).
 * Weights are seeded (mulberry32) and scaled He-style (uniform, variance 2/fan-in before ReLU6, 1/fan-in before a
 * linear output), so activations keep a steady range; they are not trained: the classes mean nothing. Use it for
 * sizes, speed and bit-exactness. FunnelNet's layer sizes are not published in a form we can copy: these are
 * MCU-sized (14.5 K parameters, 6.3 M MACs on 32×64; the CWT before it adds 2.6 M).
 */

import type { CwtConfig } from '../../compiler/audio/cwt-kernels.ts';
import { type Clamp, NO_CLAMP } from '../../compiler/ir/attrs.ts';
import { type Graph, GraphBuilder } from '../../compiler/ir/graph.ts';
import { tupleOf } from '../../compiler/ir/tuple.ts';
import { SeededWeights } from './seeded-weights.ts';

/** The classifier's classes. */
export const FUNNELNET_LABELS = ['normal', 'murmur'];

const RELU6: Clamp = { min: 0, max: 6 };

/** FunnelNet on the scalogram of `cwt`, seeded by `seed`. */
export function buildFunnelNet(cwt: CwtConfig, seed = 1): Graph {
  const b = new GraphBuilder('builder:funnelnet');
  const seeded = new SeededWeights(b, seed);
  const weights = (shape: number[], outC: number, fanIn: number, gain: number) =>
    seeded.layer(shape, outC, fanIn, gain);
  const channels = (x: string) => b.shapeOf(x)[3]!;
  // Stride 2 pads only bottom/right (TF's SAME on even sizes); stride 1 pads all sides.
  const conv = (x: string, outC: number, k: number, stride: number, name: string, relu = true) =>
    b.node('conv2d', name, [x, ...weights([outC, k, k, channels(x)], outC, k * k * channels(x), relu ? 2 : 1)], {
      strides: [stride, stride],
      dilations: [1, 1],
      pads: k === 1 ? [0, 0, 0, 0] : stride === 2 ? [0, 1, 0, 1] : [1, 1, 1, 1],
      clamp: relu ? RELU6 : NO_CLAMP,
    });
  const separable = (x: string, outC: number, name: string) => {
    const c = channels(x);
    const d = b.node('depthwise_conv2d', `${name}_depthwise`, [x, ...weights([1, 3, 3, c], c, 9, 2)], {
      strides: [1, 1],
      dilations: [1, 1],
      pads: [1, 1, 1, 1],
      depthMultiplier: 1,
      clamp: RELU6,
    });
    return conv(d, outC, 1, 1, `${name}_pointwise`);
  };

  let x = b.input('scalogram', [1, cwt.rows, cwt.columns, 1]);
  // Squeeze: 32×64×1 → 16×32×16 → 8×16×32.
  x = conv(x, 16, 3, 2, 'squeeze_1');
  x = conv(x, 32, 3, 2, 'squeeze_2');
  // Bottleneck: two depthwise-separable blocks at the narrowest point.
  x = separable(x, 32, 'bottleneck_1');
  x = separable(x, 32, 'bottleneck_2');
  // Expansion: a 3×3 stride-2 transposed conv (8×16 → 16×32, the full 17×33 output cropped at the bottom and right),
  // then a nearest resize back to the scalogram's size and a conv mixing the upsampled features.
  const [, h, w] = tupleOf(b.shapeOf(x), 3);
  const up = weights([16, 3, 3, channels(x)], 16, (9 * channels(x)) / 4, 2);
  x = b.node('transpose_conv2d', 'expand_1', [x, ...up], { strides: [2, 2], pads: [0, 1, 0, 1], clamp: RELU6 });
  x = b.node('resize_nearest', 'expand_2_resize', [x], {
    size: [2 * 2 * h, 2 * 2 * w],
    alignCorners: false,
    halfPixelCenters: false,
  });
  x = conv(x, 16, 3, 1, 'expand_2');
  // Head: global average, dense to the classes, softmax.
  x = b.node('mean', 'global_average_pooling', [x], { axes: [1, 2], keepDims: false });
  x = b.node(
    'fully_connected',
    'classifier',
    [x, ...weights([FUNNELNET_LABELS.length, 16], FUNNELNET_LABELS.length, 16, 1)],
    { clamp: NO_CLAMP },
  );
  b.graph.outputs.push(b.node('softmax', 'softmax', [x], { beta: 1 }));
  return b.graph;
}
