/**
 * @fileoverview The int4-weight kernel cases: chains of MAC layers whose filters are narrowed to int4 after
 * quantization, at te_matmul_w4_s8's tile boundaries.
 */

import { NO_CLAMP } from '../../compiler/ir/attrs.ts';
import { type Graph, GraphBuilder } from '../../compiler/ir/graph.ts';
import { type KernelCase, RELU } from './kernel-case.ts';
import { weights } from './kernel-case-graphs.ts';

/**
 * A chain of MAC layers with int4 weights after `first` (a 3 × 3 conv from 3 channels for an NHWC input, else
 * nothing): pointwise convs over `pixels` [h, w] or fully connected layers over `rows`, through `channels` (each
 * layer's K the previous count), relu and no clamp alternating.
 */
function int4Chain(channels: number[], seed: number, shape: { pixels: [number, number] } | { rows: number }): Graph {
  const b = new GraphBuilder('test');
  const image = 'pixels' in shape;
  b.input('x', image ? [1, ...shape.pixels, 3] : [shape.rows, channels[0]!]);
  let y = 'x';
  let k = image ? 3 : channels[0]!;
  channels.slice(image ? 0 : 1).forEach((o, i) => {
    const w = `w${i}`;
    const kxk = image && i === 0 ? 3 : 1;
    weights(b, w, image ? [o, kxk, kxk, k] : [o, k], seed + 2 * i);
    weights(b, `b${i}`, [o], seed + 2 * i + 1);
    const clamp = i % 2 ? NO_CLAMP : RELU;
    y = image
      ? b.node('conv2d', `conv${i}`, [y, w, `b${i}`], {
          strides: [1, 1],
          dilations: [1, 1],
          pads: kxk === 3 ? [1, 1, 1, 1] : [0, 0, 0, 0],
          clamp,
        })
      : b.node('fully_connected', `fc${i}`, [y, w, `b${i}`], { clamp });
    k = o;
  });
  b.graph.outputs.push(y);
  return b.graph;
}

/**
 * te_matmul_w4_s8's tile boundaries, a chain of layers a case (one build each): K odd and even, below four, not a
 * multiple of 4 (DSP steps), 16 or 32 (Helium's two half-blocks: tails of 1, 6, 15, 17, 18), K = 1; out_c % 4 = 0…3;
 * one row and several pixels. The 3 × 3 conv in front has int4 weights too, stored one per byte (te_conv2d_s8).
 */
export const INT4_MATMUL_CASES: KernelCase[] = [
  {
    name: 'int4 weights: 3×3 conv 3 → 17, pointwise 17 → 50 → 47 → 32 → 33 → 6 → 13 over 15 pixels',
    graph: () => int4Chain([17, 50, 47, 32, 33, 6, 13], 1400, { pixels: [3, 5] }),
    seed: 1400,
    int4Weights: true,
  },
  {
    name: 'int4 weights: fully connected 37 → 11 → 20 → 1 → 3, 1 row',
    graph: () => int4Chain([37, 11, 20, 1, 3], 1420, { rows: 1 }),
    seed: 1420,
    int4Weights: true,
  },
  {
    name: 'int4 weights: fully connected 64 → 9 → 16 → 7, 3 rows',
    graph: () => int4Chain([64, 9, 16, 7], 1440, { rows: 3 }),
    seed: 1440,
    int4Weights: true,
  },
];
