/**
 * @fileoverview The kernel cases of the MAC ops (conv2d, pointwise, depthwise, fully connected): output and input
 * channels at tile boundaries (1, 3, 7, 8, 9, 17 and around 16/64-wide blocks), strides, padding, depth multipliers,
 * the ISA tiles' row, K and channel remainders, and requantization extremes.
 */

import { NO_CLAMP } from '../../compiler/ir/attrs.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { type KernelCase, RELU, RELU6 } from './kernel-case.ts';
import {
  convGraph,
  convGraphWith,
  depthwiseGraph,
  pads,
  single,
  weights,
  withDeadChannels,
} from './kernel-case-graphs.ts';
import { seededUniform } from './seeded.ts';

export const conv3x3: KernelCase[] = [1, 3, 7, 8, 9, 17, 63, 64, 65].map((o, i) => ({
  name: `conv2d 3×3, 3 → ${o} channels, stride ${i % 2 ? 2 : 1}, ${i % 2 ? 'VALID' : 'SAME'}, relu6`,
  graph: () => convGraph(3, o, 3, i % 2 ? 2 : 1, i % 2 ? 'VALID' : 'SAME', RELU6, o),
  seed: o,
}));

export const convInputs: KernelCase[] = [
  // 3 channels: cortex-m-dsp's 3×3×3 window-pair loop (runs of inner pairs between padded ones, rows of odd width).
  ...[1, 3, 7, 17].map((c) => ({
    name: `conv2d 3×3 stride 2 SAME from ${c} input channels, no clamp`,
    graph: () => convGraph(c, 8, 3, 2, 'SAME', NO_CLAMP, 100 + c),
    seed: 100 + c,
  })),
  // The same loop over one, three and four groups of four channels a pair (its windows widened once for all of
  // them): stride 1 and 2, VALID (no padded pair) and SAME (padded taps on every side).
  ...(
    [
      [4, 1, 'VALID'],
      [12, 2, 'VALID'],
      [16, 1, 'SAME'],
    ] as const
  ).map(([o, stride, padding]) => ({
    name: `conv2d 3×3 stride ${stride} ${padding} from 3 input channels to ${o}, no clamp`,
    graph: () => convGraph(3, o, 3, stride, padding, NO_CLAMP, 130 + o),
    seed: 130 + o,
  })),
  // Two padded taps on every side (window rows partly inside the input), K = 50 (not a multiple of 4), 5 outputs.
  {
    name: 'conv2d 5×5 stride 1 SAME, 2 → 5 channels, relu6',
    graph: () => convGraph(2, 5, 5, 1, 'SAME', RELU6, 120),
    seed: 120,
    int8Only: true,
  },
];

export const pointwise: KernelCase[] = [
  [1, 1],
  [3, 17],
  [7, 64],
  [8, 65],
  [9, 130],
  [17, 9],
  // K % 4 = 2 and out_c % 4 = 3: cortex-m-dsp's two-row step (te_matmul_row_pairs_s8) with a tail word and a part group.
  [6, 11],
  // K = 16: the four-step straight copy (te_row_pair_groups_k16), out_c % 4 = 1 for its part group.
  [16, 13],
].map(([c, o]) => ({
  name: `pointwise (1×1, stride 1) ${c} → ${o} channels, relu`,
  graph: () => convGraph(c!, o!, 1, 1, 'VALID', RELU, 200 + c!),
  seed: 200 + c!,
}));

export const depthwise: KernelCase[] = [1, 3, 4, 5, 7, 8, 9, 17, 63, 64, 65].flatMap((c) =>
  (
    [
      [1, 'SAME'],
      [2, 'VALID'],
      [2, 'SAME'],
    ] as const
  ).map(([s, p]) => ({
    name: `depthwise ${c} channels, stride ${s}, ${p}, relu6`,
    graph: () => depthwiseGraph(c, 1, s, p, RELU6, 400 + c),
    seed: 400 + c,
  })),
);

/**
 * Depthwise 3×3 over inputs so small that most or every output pixel's window is clipped (1×1, 2×2, 3×3), over
 * one-wide and one-high rows, at strides 1 and 2, multipliers 1 and 4, with the narrow relu6 clamp, relu, or none.
 */
export const depthwiseTiny: KernelCase[] = (
  [
    [1, 1, 8, 1, 1, RELU6],
    [2, 2, 9, 1, 1, RELU6],
    [3, 3, 16, 1, 1, NO_CLAMP],
    [3, 3, 5, 1, 2, RELU],
    [4, 1, 4, 1, 1, RELU6],
    [1, 5, 17, 1, 2, RELU6],
    [3, 2, 2, 4, 1, RELU6],
    [5, 6, 12, 1, 1, NO_CLAMP],
  ] as const
).map(([h, w, c, m, s, clamp], i) => ({
  name: `depthwise ${h}×${w} input, ${c} channel(s) × multiplier ${m}, stride ${s}, SAME, clamp [${clamp.min}, ${clamp.max}]`,
  graph: () => depthwiseGraph(c, m, s, 'SAME', clamp, 540 + i, undefined, undefined, [h, w]),
  seed: 540 + i,
}));

/** A fully connected layer k → o over `rows` rows (a matmul kernel's row tiles). */
export function fullyConnectedCase(k: number, o: number, rows: number): KernelCase {
  return {
    name: `fully connected ${k} → ${o}, ${rows} rows`,
    graph: () =>
      single(
        (b) => {
          weights(b, 'w', [o, k], k);
          weights(b, 'bias', [o], k + 1);
          return b.node('fully_connected', 'fc', ['x', 'w', 'bias'], { clamp: NO_CLAMP });
        },
        [rows, k],
      ),
    seed: 600 + k,
  };
}

/** Row counts 3, 2, 5 and 1: the WASM matmul computes rows four at a time, so these exercise each remainder. */
export const fullyConnected: KernelCase[] = [
  [17, 7, 3],
  [64, 65, 2],
  [33, 20, 5],
  [18, 5, 1],
].map(([k, o, rows]) => fullyConnectedCase(k!, o!, rows!));

/** An int8-only relu6 convolution case (inC → outC channels, k×k, stride), its graph and inputs seeded alike. */
const int8Conv = (
  name: string,
  [inC, outC, k, stride]: [number, number, number, number],
  padding: 'SAME' | 'VALID',
  seed: number,
): KernelCase => ({ name, graph: () => convGraph(inC, outC, k, stride, padding, RELU6, seed), seed, int8Only: true });

/**
 * Tile boundaries of the matmul tiles that take two rows × four channels and one row × eight channels with K in
 * steps of 16 (arm-mve): K a whole number of steps beside an odd output width, out_c % 8 = 4 (half a tile of
 * padding) and out_c = 4 (the second four channels all padding) on a lone row; the AArch64 tiles' row, K and
 * channel remainders (arm-neon, arm-dotprod); an average pool over more channels than a vector block.
 */
export const tiles: KernelCase[] = [
  // arm-mve reads the windows of interior pixel pairs where they lie (three runs of 48 bytes), edge pairs gathered.
  int8Conv(
    'conv2d 3×3 stride 1 SAME, 16 → 8 channels (interior windows read in place), relu6',
    [16, 8, 3, 1],
    'SAME',
    141,
  ),
  int8Conv(
    'conv2d 3×3 stride 2 SAME, 16 → 12 channels (K = 144, odd output width), relu6',
    [16, 12, 3, 2],
    'SAME',
    140,
  ),
  // arm-mve steps 32 k per loop test where rows (te_mve_matmul_rows2) or window runs (te_mve_matmul_windows3_2)
  // are a whole number of 32-byte steps (three steps here and in the K = 96 pointwise); K = 64 unrolls whole.
  int8Conv('conv2d 3×3 stride 1 SAME, 32 → 8 channels (window runs of 96 bytes), relu6', [32, 8, 3, 1], 'SAME', 142),
  int8Conv('pointwise (1×1, stride 1) 96 → 8 channels (K = 96, two rows), relu6', [96, 8, 1, 1], 'VALID', 144),
  int8Conv('pointwise (1×1, stride 1) 64 → 12 channels (K = 64, two rows), relu6', [64, 12, 1, 1], 'VALID', 143),
  ...[
    [48, 12],
    [40, 4],
  ].map(([k, o]) => ({
    name: `fully connected ${k} → ${o}, 1 row`,
    graph: () =>
      single(
        (b) => {
          weights(b, 'w', [o!, k!], k! + o!);
          weights(b, 'bias', [o!], k! + o! + 1);
          return b.node('fully_connected', 'fc', ['x', 'w', 'bias'], { clamp: RELU });
        },
        [1, k!],
      ),
    seed: 650 + k!,
  })),
  {
    // Seven rows (tiles of four, two and one), K = 47 (the SDOT tail's four groups of four k, 15 left after 32), and
    // 24 outputs (a sixteen- and an eight-channel NEON block; three SDOT groups of eight).
    name: 'fully connected 47 → 24, 7 rows',
    graph: () =>
      single(
        (b) => {
          weights(b, 'w', [24, 47], 747);
          weights(b, 'bias', [24], 748);
          return b.node('fully_connected', 'fc', ['x', 'w', 'bias'], { clamp: RELU6 });
        },
        [7, 47],
      ),
    seed: 747,
    int8Only: true,
  },
  // The NEON pairs kernel (te_matmul_pairs_s8) on one row: every weight ±127 (int16 sums of two products near their
  // limit), K = 32 (its smallest, two whole steps of 16), K = 37 (a tail of 5), out_c 9 and 13 (a part group of 8).
  ...[
    [32, 9],
    [37, 13],
  ].map(([k, o]) => ({
    name: `fully connected ${k} → ${o}, 1 row, every weight ±127`,
    graph: () =>
      single(
        (b) => {
          const signs = seededUniform(k! * o!, k! * o!, -1, 1).map((v) => (v < 0 ? -1 : 1));
          b.constant('w', [o!, k!], signs);
          weights(b, 'bias', [o!], k! + 1);
          return b.node('fully_connected', 'fc', ['x', 'w', 'bias'], { clamp: NO_CLAMP });
        },
        [1, k!],
      ),
    seed: 760 + k!,
    int8Only: true,
  })),
  {
    // The NEON 3 × 3 depthwise pairs form (two taps' int8 products summed in int16): every weight ±127, a block of 16
    // channels and one of 8, border pixels reading the zero point for their padded taps.
    name: 'depthwise 24 channels, stride 1, SAME, every weight ±127',
    graph: () => {
      const g = depthwiseGraph(24, 1, 1, 'SAME', NO_CLAMP, 780);
      const w = tensorOf(g, 'w').data!;
      w.forEach((v, i) => {
        w[i] = v < 0 ? -1 : 1;
      });
      return g;
    },
    seed: 780,
    int8Only: true,
  },
  {
    // The pairs kernel's two-row tiles over 90 pixels, K = 40 (two steps of 16, a tail of 8), out_c 13.
    name: 'pointwise (1×1, stride 1) 40 → 13 channels, relu6',
    graph: () => convGraph(40, 13, 1, 1, 'VALID', RELU6, 770),
    seed: 770,
    int8Only: true,
  },
  // arm-dotprod's SDOT tiles (4 rows × 16 or 8 channels; a run's tail in words of eight and four, then a partial
  // word): K = 12 and 28 (a word pair and one word after 0 and 16), out_c 24 and 20 (a 16- and an 8-channel block,
  // the last partly padding), 90 pixels (22 tiles of four and one of two); windows read in place a row at a time
  // with window rows of 12 bytes (c = 4) and of 15 (c = 5: a partial word, copied at the end of the input).
  ...(
    [
      [12, 24, 1, 1, 'VALID'],
      [28, 20, 1, 1, 'VALID'],
      [4, 24, 3, 1, 'SAME'],
      [5, 16, 3, 2, 'VALID'],
    ] as const
  ).map(([c, o, k, s, padding]) => ({
    name: `conv2d ${k}×${k} stride ${s} ${padding}, ${c} → ${o} channels (SDOT tile tails), relu6`,
    graph: () => convGraph(c, o, k, s, padding, RELU6, 1300 + c),
    seed: 1300 + c,
    int8Only: true,
  })),
  {
    name: 'avg_pool2d 5×6 over the whole input, 20 channels',
    graph: () =>
      single(
        (b) =>
          b.node('avg_pool2d', 'pool', ['x'], { filter: [5, 6], strides: [1, 1], pads: [0, 0, 0, 0], clamp: NO_CLAMP }),
        [1, 5, 6, 20],
      ),
    seed: 810,
  },
  {
    // The NEON average pool's sixteen-channel blocks on windows clipped by padding (counts 4, 6 and 9), a tail of 1.
    name: 'avg_pool2d 3×3 stride 2 SAME, 33 channels',
    graph: () =>
      single(
        (b) =>
          b.node('avg_pool2d', 'pool', ['x'], {
            filter: [3, 3],
            strides: [2, 2],
            pads: pads('SAME', 5, 6, 3, 2),
            clamp: NO_CLAMP,
          }),
        [1, 5, 6, 33],
      ),
    seed: 811,
  },
  // cortex-m-dsp's row pairs from their int16 copy (te_matmul_row_pairs_s8, te_conv2d_row_pairs_s8), given only where
  // it does not raise the arena's peak: behind a pool that makes the peak. K = 6 (a tail word, out_c % 4 = 3), 16
  // (the four-step straight copy), 40 (ten steps, the looped copy), 27 (VWW's first conv: 3×3 stride 2 from RGB,
  // odd output width, padded edges); dilation 2 through the window-pair gather, widened and read as int8.
  ...(
    [
      [6, 11, 1, 1, 1, true],
      [16, 13, 1, 1, 1, true],
      [40, 12, 1, 1, 1, true],
      [3, 8, 3, 2, 1, true],
      [4, 8, 3, 1, 2, true],
      [4, 8, 3, 1, 2, false],
      // Every pair in one asm loop (out_c % 4 = 0, K % 4 = 0): K = 8, 16, 32 (straight steps) and 64 (sixteen steps a
      // pass) widened; then with an output range wider than relu6's, whose bytewise clamp the pairs take one call
      // at a time (K = 16 widened, K = 64 read in place).
      [8, 12, 1, 1, 1, true],
      [16, 8, 1, 1, 1, true],
      [32, 8, 1, 1, 1, true],
      [64, 8, 1, 1, 1, true],
      [16, 8, 1, 1, 1, true, true],
      [64, 12, 1, 1, 1, false, true],
      // So that every pair variant the model's calls name (tinyedge/row_pairs.h) runs here: the clamped K = 8 and
      // any-K group loops widened, and the pair loop over rows read in place.
      [8, 12, 1, 1, 1, true, true],
      [4, 8, 3, 1, 1, true, true],
      [16, 8, 1, 1, 1, false],
    ] as const
  ).map(([c, o, k, stride, dilation, pooled, clamped], i) => ({
    name: `${k === 1 ? 'pointwise' : `conv2d ${k}×${k} stride ${stride} dilation ${dilation} SAME,`} ${c} → ${o} channels${pooled ? ' behind a pool (row pairs widened)' : ''}, relu6${clamped ? ' into [−8, 8] (clamped)' : ''}`,
    graph: () => convGraphWith(c, o, k, { stride, dilation, padding: 'SAME', pooled }, 820 + i),
    seed: 820 + i,
    ...(clamped ? { outputRange: { min: -8, max: 8 } } : {}),
    int8Only: true,
  })),
];

/**
 * Requantization extremes: per-channel shifts spread from +1 to −19 in one layer, multipliers above one
 * (left shifts, with heavy saturation) beside ordinary ones, and one channel shifting right by more than 21 (the
 * backends' vector requantization must fall back or stay exact there).
 */
export const requantization: KernelCase[] = [
  {
    name: 'pointwise 8 → 24 channels, per-channel shifts from +1 (left) to −19 (right) in one layer',
    graph: () => convGraph(8, 24, 1, 1, 'VALID', NO_CLAMP, 1200, (c) => 2 ** -(c % 21)),
    seed: 1200,
    outputRange: { min: -0.01, max: 0.01 },
  },
  {
    name: 'pointwise 8 → 20 channels, multipliers above one (left shifts) beside ordinary ones',
    graph: () => convGraph(8, 20, 1, 1, 'VALID', NO_CLAMP, 1201, (c) => (c % 2 ? 1 : 2 ** -7)),
    seed: 1201,
    outputRange: { min: -0.002, max: 0.003 },
  },
  {
    name: 'pointwise 8 → 20 channels, one channel shifting right by more than 21',
    graph: () => convGraph(8, 20, 1, 1, 'VALID', NO_CLAMP, 1202, (c) => (c === 5 ? 2 ** -18 : 1)),
    seed: 1202,
  },
  {
    name: 'pointwise 16 → 22 channels, dead channels (multiplier 0, shift 0) beside right-shifting ones',
    graph: () =>
      withDeadChannels(
        convGraph(16, 22, 1, 1, 'VALID', RELU, 1203, (c) => (c % 5 === 2 ? 2 ** -40 : 1)),
        (c) => c % 5 === 2,
      ),
    seed: 1203,
  },
  {
    name: 'depthwise 21 channels, dead channels (multiplier 0, shift 0) beside right-shifting ones',
    graph: () =>
      withDeadChannels(
        depthwiseGraph(21, 1, 1, 'SAME', RELU6, 1204, (c) => (c % 4 === 1 ? 2 ** -40 : 1)),
        (c) => c % 4 === 1,
      ),
    seed: 1204,
  },
  {
    name: 'depthwise 24 channels, per-channel shifts from +1 (left) to −19 (right) in one layer',
    graph: () => depthwiseGraph(24, 1, 1, 'SAME', RELU6, 1203, (c) => 2 ** -(c % 21)),
    seed: 1203,
    outputRange: { min: -0.01, max: 0.01 },
  },
  {
    name: 'depthwise 20 channels, multipliers above one beside ordinary ones',
    graph: () => depthwiseGraph(20, 1, 2, 'SAME', NO_CLAMP, 1204, (c) => (c % 2 ? 1 : 2 ** -7)),
    seed: 1204,
    outputRange: { min: -0.002, max: 0.003 },
  },
];
