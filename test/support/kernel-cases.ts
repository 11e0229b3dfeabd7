/**
 * @fileoverview The kernel test cases every backend runs against the int8 reference: shapes at tile boundaries
 * (channels 1, 3, 7, 8, 9, 17 and around 16/64-wide blocks), strides 1 and 2, SAME and VALID padding, depth
 * multipliers, broadcasting, fused clamps narrower than the int8 range, and every other op. One list, so the C and
 * WASM tests (and later targets) check the same cases.
 */

import { describe, expect, it } from 'vitest';
import { NO_CLAMP, type Pads4 } from '../../compiler/ir/attrs.ts';
import { loadTarget } from '../../targets/target.ts';
import { withInt4Weights } from '../../tools/bench/int4-weights.ts';
import { buildC, firstDifference, runC } from './c-build.ts';
import { type KernelCase, quantizeCase, RELU, RELU6, referenceOutputs } from './kernel-case.ts';
import {
  convGraph,
  convGraphWith,
  depthwiseGraph,
  pads,
  pointwiseOfX,
  single,
  transposeGraph,
  weights,
} from './kernel-case-graphs.ts';
import {
  conv3x3,
  convInputs,
  depthwise,
  depthwiseTiny,
  fullyConnected,
  fullyConnectedCase,
  pointwise,
  requantization,
  tiles,
} from './mac-kernel-cases.ts';

const pools: KernelCase[] = (
  [
    ['avg_pool2d', [3, 3], [2, 2], 'SAME'],
    ['avg_pool2d', [2, 2], [2, 2], 'VALID'],
    ['avg_pool2d', [5, 6], [1, 1], 'VALID'],
    ['max_pool2d', [3, 3], [2, 2], 'SAME'],
  ] as const
).map(([op, filter, strides, padding], i) => ({
  name: `${op} ${filter.join('×')} stride ${strides[0]} ${padding}`,
  graph: () =>
    single(
      (b) => {
        const p = padding === 'SAME' ? pads('SAME', 5, 6, filter[0], strides[0]) : ([0, 0, 0, 0] as Pads4);
        return b.node(op, 'pool', ['x'], { filter: [...filter], strides: [...strides], pads: p, clamp: NO_CLAMP });
      },
      [1, 5, 6, 7],
    ),
  seed: 800 + i,
}));

const others: KernelCase[] = [
  ...[2, 3].map((m) => ({
    name: `depthwise with depth multiplier ${m}`,
    graph: () => depthwiseGraph(5, m, 1, 'SAME', NO_CLAMP, 500 + m),
    seed: 500 + m,
  })),
  // Multipliers that are multiples of four take vector paths on some targets (TFLM's person detection starts with 1 × 8).
  ...(
    [
      [1, 8, 2],
      [2, 4, 1],
      [3, 12, 2],
      [1, 16, 1],
    ] as const
  ).map(([c, m, s]) => ({
    name: `depthwise ${c} channel(s) × multiplier ${m}, stride ${s}, relu6`,
    graph: () => depthwiseGraph(c, m, s, 'SAME', RELU6, 510 + m + c),
    seed: 510 + m + c,
  })),
  {
    name: 'depthwise 5×5, 12 channels, stride 2 SAME',
    graph: () => depthwiseGraph(12, 1, 2, 'SAME', RELU, 530, undefined, { k: 5, dilation: 1 }),
    seed: 530,
  },
  {
    name: 'depthwise 3×3 dilation 2, 16 channels, SAME',
    graph: () => depthwiseGraph(16, 1, 1, 'SAME', RELU6, 531, undefined, { k: 3, dilation: 2 }),
    seed: 531,
  },
  // Helium's 3×3 path takes two inside windows at a time (channels a multiple of 8) and at most 512 channels.
  {
    name: 'depthwise 3×3 dilation 2, 24 channels, stride 2 VALID',
    graph: () => depthwiseGraph(24, 1, 2, 'VALID', RELU6, 532, undefined, { k: 3, dilation: 2 }),
    seed: 532,
  },
  // Cortex-M4/M7 run whole windows at strides 1 and 2 without a narrow clamp two pixels at a time: even and odd runs.
  {
    name: 'depthwise 3×3, 8 channels, stride 1 SAME, no clamp',
    graph: () => depthwiseGraph(8, 1, 1, 'SAME', NO_CLAMP, 534),
    seed: 534,
  },
  {
    name: 'depthwise 3×3 over 6×9, 12 channels, stride 1 VALID, no clamp',
    graph: () => depthwiseGraph(12, 1, 1, 'VALID', NO_CLAMP, 535, undefined, undefined, [6, 9]),
    seed: 535,
  },
  ...(['SAME', 'VALID'] as const).map((padding, i) => ({
    name: `depthwise 3×3 over 9×11, ${8 + 4 * i} channels, stride 2 ${padding}, no clamp`,
    graph: () => depthwiseGraph(8 + 4 * i, 1, 2, padding, NO_CLAMP, 536 + i, undefined, undefined, [9, 11]),
    seed: 536 + i,
  })),
  {
    name: 'depthwise 3×3, 520 channels, stride 1 SAME',
    graph: () => depthwiseGraph(520, 1, 1, 'SAME', RELU6, 533),
    seed: 533,
  },
  {
    name: 'conv2d 1×1 stride 2 (the patch path)',
    graph: () => convGraph(5, 6, 1, 2, 'VALID', NO_CLAMP, 300),
    seed: 300,
  },
  {
    name: 'add of two differently quantized branches with relu; broadcast add and mul with per-channel constants',
    graph: () =>
      single(
        (b) => {
          const s = b.node('add', 'add', ['x', pointwiseOfX(b, 9, 1)], { clamp: RELU });
          weights(b, 'k', [9], 2);
          const t = b.node('add', 'add_c', [s, 'k'], { clamp: NO_CLAMP });
          weights(b, 'm', [1, 1, 1, 9], 3);
          return b.node('mul', 'mul', [t, 'm'], { clamp: RELU6 });
        },
        [1, 5, 6, 9],
      ),
    seed: 700,
  },
  {
    name: 'residual add of same-shape branches, 105 elements, relu6 (the unbroadcast fast path)',
    graph: () =>
      single(
        (b) => {
          return b.node('add', 'add', [pointwiseOfX(b, 7, 4), 'x'], { clamp: RELU6 });
        },
        [1, 3, 5, 7],
      ),
    seed: 701,
  },
  // The same two branches the other way round: one of the two cases has the larger scale first, the other second
  // (the NEON add's fast form swaps its operands for the second).
  {
    name: 'residual add of same-shape branches, operands swapped, 105 elements, relu6',
    graph: () => single((b) => b.node('add', 'add', ['x', pointwiseOfX(b, 7, 4)], { clamp: RELU6 }), [1, 3, 5, 7]),
    seed: 701,
  },
  // One tensor added to itself: both inputs at the larger scale, both multipliers exactly one half.
  {
    name: 'add of a tensor to itself, 105 elements, relu6 (both inputs halved)',
    graph: () => single((b) => b.node('add', 'add', ['x', 'x'], { clamp: RELU6 }), [1, 3, 5, 7]),
    seed: 702,
  },
  {
    name: 'mean over height and width, with its own output scale',
    graph: () => single((b) => b.node('mean', 'mean', ['x'], { axes: [1, 2], keepDims: true }), [1, 5, 6, 7]),
    seed: 900,
  },
  // The NEON mean's sixteen-lane blocks with a scalar tail, int16 partial sums over more than 256 rows, two outer rows.
  {
    name: 'mean over 17 × 16 = 272 positions of 21 channels',
    graph: () => single((b) => b.node('mean', 'mean', ['x'], { axes: [1, 2], keepDims: true }), [1, 17, 16, 21]),
    seed: 901,
    int8Only: true,
  },
  {
    name: 'mean over height and width of two images of 40 channels',
    graph: () => single((b) => b.node('mean', 'mean', ['x'], { axes: [1, 2], keepDims: false }), [2, 3, 4, 40]),
    seed: 902,
    int8Only: true,
  },
  // Padding in every dimension but the batch, the innermost too (row runs of the NEON pad with padding beside them).
  {
    name: 'pad of height, width and channels',
    graph: () =>
      single(
        (b) =>
          b.node('pad', 'pad', ['x'], {
            pads: [
              [0, 0],
              [1, 0],
              [0, 2],
              [2, 3],
            ],
            value: 0,
          }),
        [1, 3, 4, 5],
      ),
    seed: 1001,
    int8Only: true,
  },
  // Padding of the outermost axis alone, rank 3 (WASM: the whole input is one contiguous copy after the fill).
  {
    name: 'pad of the first axis of a rank-3 tensor',
    graph: () =>
      single(
        (b) =>
          b.node('pad', 'pad', ['x'], {
            pads: [
              [2, 1],
              [0, 0],
              [0, 0],
            ],
            value: 0,
          }),
        [3, 5, 7],
      ),
    seed: 1002,
    int8Only: true,
  },
  // Runs of 9 and 17 channels on 6 rows (WASM: eight a step and a tail of one), then the whole 156-byte tensor
  // requantized by a clamp (19 steps and a tail of four).
  {
    name: 'concat of 9 and 17 differently quantized channels, clamp',
    graph: () =>
      single(
        (b) => {
          weights(b, 'w', [17, 1, 1, 9], 7);
          const y = b.node('conv2d', 'pw', ['x', 'w'], {
            strides: [1, 1],
            dilations: [1, 1],
            pads: [0, 0, 0, 0],
            clamp: NO_CLAMP,
          });
          const c = b.node('concat', 'concat', ['x', y], { axis: 3 });
          return b.node('clamp', 'clamp', [c], { clamp: RELU6 });
        },
        [1, 2, 3, 9],
      ),
    seed: 1003,
    int8Only: true,
  },
  {
    name: 'pad (asymmetric, with the zero point), concat of differently quantized inputs, reshape',
    graph: () =>
      single(
        (b) => {
          const p = b.node('pad', 'pad', ['x'], {
            pads: [
              [0, 0],
              [1, 2],
              [2, 1],
              [0, 0],
            ],
            value: 0,
          });
          weights(b, 'w', [4, 1, 1, 3], 5);
          const y = b.node('conv2d', 'pw', [p, 'w'], {
            strides: [1, 1],
            dilations: [1, 1],
            pads: [0, 0, 0, 0],
            clamp: NO_CLAMP,
          });
          const c = b.node('concat', 'concat', [p, y], { axis: 3 });
          return b.node('reshape', 'reshape', [c], { shape: [1, -1] });
        },
        [1, 4, 5, 3],
      ),
    seed: 1000,
  },
  {
    name: 'softmax over 10 classes',
    graph: () => single((b) => b.node('softmax', 'sm', ['x'], { beta: 1 }), [64, 10]),
    seed: 1100,
  },
  // Sums of exponentials near 256: the output shift n + 23 reaches 31, the largest TFLM allows.
  {
    name: 'softmax over 1000 classes',
    graph: () => single((b) => b.node('softmax', 'sm', ['x'], { beta: 1 }), [2, 1000]),
    seed: 1102,
  },
  // β·scale large enough that differences past TFLite's diff_min are skipped (zero table entries).
  {
    name: 'softmax with β = 8 over 40 classes',
    graph: () => single((b) => b.node('softmax', 'sm', ['x'], { beta: 8 }), [3, 40]),
    seed: 1103,
  },
  // Sums above 512, where TFLM aborts and every output is −128.
  {
    name: 'softmax with β = 0.25 over 1000 classes',
    graph: () => single((b) => b.node('softmax', 'sm', ['x'], { beta: 0.25 }), [1, 1000]),
    seed: 1104,
  },
  { name: 'logistic', graph: () => single((b) => b.node('logistic', 'lg', ['x'], {}), [3, 10]), seed: 1101 },
];

/** Upsampling: both resizes ×2 and to non-integer ratios (up and down) in each coordinate mode; transpose convs. */
const upsampling: KernelCase[] = [
  ...(['resize_nearest', 'resize_bilinear'] as const).flatMap((op, i) =>
    (
      [
        [[10, 12], false, false],
        [[10, 12], true, false],
        [[10, 12], false, true],
        [[8, 9], false, false],
        [[8, 9], true, false],
        [[8, 9], false, true],
        [[3, 4], false, true],
        [[3, 4], true, false],
      ] as const
    ).map(([size, alignCorners, halfPixelCenters], j) => ({
      name: `${op} 5×6 → ${size.join('×')}${alignCorners ? ', align_corners' : ''}${halfPixelCenters ? ', half_pixel_centers' : ''}`,
      graph: () =>
        single((b) => b.node(op, 'resize', ['x'], { size: [...size], alignCorners, halfPixelCenters }), [1, 5, 6, 7]),
      seed: 1300 + 10 * i + j,
    })),
  ),
  ...(
    [
      [3, 8, 3, 2, 'SAME', RELU6, true],
      [8, 5, 3, 2, 'VALID', NO_CLAMP, true],
      [3, 8, 3, 2, 'VALID', NO_CLAMP, false],
      [17, 3, 2, 2, 'SAME', RELU, true],
      [7, 9, 2, 2, 'VALID', NO_CLAMP, false],
      [4, 6, 3, 1, 'SAME', RELU6, false],
    ] as const
  ).map(([inC, outC, k, s, padding, clamp, withBias], i) => ({
    name: `transpose conv ${k}×${k} stride ${s} ${padding}, ${inC} → ${outC} channels, ${withBias ? 'bias' : 'no bias'}, ${clamp === NO_CLAMP ? 'no clamp' : clamp === RELU ? 'relu' : 'relu6'}`,
    graph: () => transposeGraph(inC, outC, k, s, padding, clamp, 1400 + i, withBias),
    seed: 1400 + i,
  })),
];

/** Ops with a 16×8 form: every case of theirs again with int16 activations. */
const HAS_16X8 = /^(conv2d|pointwise|depthwise|fully connected|max_pool2d|avg_pool2d|add|mean|pad|softmax)/;
export const KERNEL_CASES_16X8: KernelCase[] = [
  ...conv3x3,
  ...convInputs,
  ...pointwise,
  ...depthwise,
  ...fullyConnected,
  ...pools,
  ...tiles,
  ...requantization,
  ...others,
]
  .filter((c) => HAS_16X8.test(c.name) && !c.int8Only)
  .map((c) => ({ ...c, name: `${c.name} (16×8)`, activations: 'int16' as const }));

/**
 * The 16×8 cases the cross targets run (each costs a build per target): every op, the MACs both wide (int64 bias,
 * every depthwise) and not (the convolutions without bias in the add and pad cases), an output block past 64, a depth
 * multiplier, per-channel shifts from left to far right, softmax16.
 */
const CROSS_16X8 = [
  'conv2d 3×3, 3 → 65 channels, stride 1, SAME, relu6',
  'pointwise (1×1, stride 1) 9 → 130 channels, relu',
  'fully connected 17 → 7, 3 rows',
  'depthwise with depth multiplier 3',
  'pointwise 8 → 24 channels, per-channel shifts from +1 (left) to −19 (right) in one layer',
  'avg_pool2d 3×3 stride 2 SAME',
  'max_pool2d 3×3 stride 2 SAME',
  'add of two differently quantized branches with relu; broadcast add and mul with per-channel constants',
  'mean over height and width, with its own output scale',
  'pad (asymmetric, with the zero point), concat of differently quantized inputs, reshape',
  'softmax over 10 classes',
].map((name) => `${name} (16×8)`);
export const KERNEL_CASES_16X8_CROSS: KernelCase[] = KERNEL_CASES_16X8.filter((c) => CROSS_16X8.includes(c.name));
if (KERNEL_CASES_16X8_CROSS.length !== CROSS_16X8.length)
  throw new Error('internal: a CROSS_16X8 name matches no 16×8 kernel case');

/**
 * The 16×8 cases of the Armv7E-M DSP kernels (kernels/cortex-m-dsp/int16_mac.c) beyond CROSS_16X8: K % 4 tails of
 * 0 to 3, out_c % 4 ≠ 0, output blocks past 64, padding and stride 2, depthwise channel tails and multipliers, dead
 * channels, and K past 511 (the int32 chunks that add into the int64 accumulator: 1102, 511 and 1023 inputs, 3×3 windows of
 * 60 and 29 channels, and a depthwise window of 23×23 = 529 taps, which sums one channel at a time in int64). Conv
 * windows are gathered whole into the planned patch (te_conv2d_patch_s16): odd K (9, 27, 153, 261) padded to even,
 * even K (144), pairs of windows across output rows, a lone last window, dilation.
 */
const DSP_16X8 = [
  'conv2d 3×3, 3 → 7 channels, stride 1, SAME, relu6',
  // The RGB first conv's odd K = 27 (padded to 28 in the patch), stride 2 over an odd output width (pairs of windows
  // across rows) and a lone last window; K = 9 from one channel.
  'conv2d 3×3, 3 → 8 channels, stride 2, VALID, relu6',
  'conv2d 3×3 stride 2 SAME from 1 input channels, no clamp',
  'conv2d 3×3 stride 2 SAME from 17 input channels, no clamp',
  'conv2d 1×1 stride 2 (the patch path)',
  'pointwise (1×1, stride 1) 6 → 11 channels, relu',
  'pointwise (1×1, stride 1) 16 → 13 channels, relu',
  'pointwise 16 → 22 channels, dead channels (multiplier 0, shift 0) beside right-shifting ones',
  'fully connected 64 → 65, 2 rows',
  'fully connected 18 → 5, 1 rows',
  'depthwise 7 channels, stride 2, SAME, relu6',
  'depthwise 65 channels, stride 2, VALID, relu6',
  'depthwise 21 channels, dead channels (multiplier 0, shift 0) beside right-shifting ones',
  'depthwise 2 channel(s) × multiplier 4, stride 1, relu6',
  'depthwise 5×5, 12 channels, stride 2 SAME',
  'depthwise 3×3 dilation 2, 16 channels, SAME',
  // The 3×3 window in asm and its border windows: stride 1 both paddings, stride 2 over odd widths.
  'depthwise 3×3, 8 channels, stride 1 SAME, no clamp',
  'depthwise 3×3 over 6×9, 12 channels, stride 1 VALID, no clamp',
  'depthwise 3×3 over 9×11, 8 channels, stride 2 SAME, no clamp',
  'depthwise 3×3 over 9×11, 12 channels, stride 2 VALID, no clamp',
].map((name) => `${name} (16×8)`);
const LONG_K_16X8: KernelCase[] = [
  { ...fullyConnectedCase(1102, 6, 2), name: 'fully connected 1102 → 6, 2 rows (K > 508)' },
  {
    name: 'conv2d 3×3 stride 2 SAME, 60 → 5 channels (K = 540 > 508)',
    graph: () => convGraph(60, 5, 3, 2, 'SAME', NO_CLAMP, 1500),
    seed: 1500,
  },
  // The two-row 16×8 matmul's int32 chunk of 255 pairs of k and an odd K's last k (511 products), and an odd K
  // past two chunks, with an odd last row; a conv window of odd K past one 256-k patch chunk, in pairs of windows.
  { ...fullyConnectedCase(511, 7, 3), name: 'fully connected 511 → 7, 3 rows (one int32 chunk and the odd k)' },
  { ...fullyConnectedCase(1023, 6, 3), name: 'fully connected 1023 → 6, 3 rows (K odd, past two chunks)' },
  {
    name: 'conv2d 3×3 stride 1 SAME, 29 → 6 channels (K = 261 past a 256-k window chunk)',
    graph: () => convGraph(29, 6, 3, 1, 'SAME', NO_CLAMP, 1502),
    seed: 1502,
  },
  // Even K with every border padded, and a dilated window (its rows dilation_h apart in the inner pairs' copy).
  {
    name: 'conv2d 3×3 stride 1 SAME, 16 → 12 channels (K = 144)',
    graph: () => convGraph(16, 12, 3, 1, 'SAME', NO_CLAMP, 1504),
    seed: 1504,
  },
  {
    name: 'conv2d 3×3 dilation 2 stride 1 SAME, 4 → 6 channels',
    graph: () => convGraphWith(4, 6, 3, { stride: 1, dilation: 2, padding: 'SAME', pooled: false }, 1505),
    seed: 1505,
  },
  {
    name: 'depthwise 23×23, 8 channels, stride 1 SAME (529 taps)',
    graph: () => depthwiseGraph(8, 1, 1, 'SAME', RELU6, 1501, undefined, { k: 23, dilation: 1 }),
    seed: 1501,
  },
].map((c) => ({ ...c, name: `${c.name} (16×8)`, activations: 'int16' as const }));
/** One input row: every 3×3 window cut to its middle row, out_c % 4 = 2. */
const ONE_ROW_16X8: KernelCase = {
  name: 'depthwise 3×3 over 1×7, 6 channels, stride 1 SAME, relu6 (16×8)',
  graph: () => depthwiseGraph(6, 1, 1, 'SAME', RELU6, 1503, undefined, undefined, [1, 7]),
  seed: 1503,
  activations: 'int16',
};
/**
 * The 16×8 residual adds of kernels/cortex-m-dsp/int16_add.c (two elements a word, four a pass): ReLU's USAT and no
 * clamp's SSAT with n % 4 of 0 to 3, relu6's clamp after the asm, either operand the halved one, outputs saturating
 * (a narrow output range) and a far right output shift (a wide one); one element and both inputs halved (a tensor
 * added to itself) take the reference's loop. Only the Cortex-M4/M7 run them: other targets' int16 add is ref's.
 */
const ADD_16X8: KernelCase[] = [
  {
    name: 'residual add, 105 elements, relu6',
    graph: () => single((b) => b.node('add', 'add', [pointwiseOfX(b, 7, 4), 'x'], { clamp: RELU6 }), [1, 3, 5, 7]),
    seed: 701,
  },
  {
    name: 'residual add, 36 elements, relu',
    graph: () => single((b) => b.node('add', 'add', ['x', pointwiseOfX(b, 6, 4)], { clamp: RELU }), [1, 2, 3, 6]),
    seed: 1510,
  },
  {
    name: 'residual add, operands swapped, 6 elements, no clamp, saturating',
    graph: () => single((b) => b.node('add', 'add', [pointwiseOfX(b, 6, 4), 'x'], { clamp: NO_CLAMP }), [1, 1, 1, 6]),
    seed: 1511,
    outputRange: { min: -0.5, max: 0.5 },
  },
  {
    name: 'residual add, 7 elements, relu, wide output range',
    graph: () => single((b) => b.node('add', 'add', ['x', pointwiseOfX(b, 7, 5)], { clamp: RELU }), [1, 1, 1, 7]),
    seed: 1512,
    outputRange: { min: -4000, max: 4000 },
  },
  {
    name: 'residual add, 1 element, no clamp',
    graph: () => single((b) => b.node('add', 'add', ['x', pointwiseOfX(b, 1, 6)], { clamp: NO_CLAMP }), [1, 1, 1, 1]),
    seed: 1513,
  },
].map((c) => ({ ...c, name: `${c.name} (16×8)`, activations: 'int16' as const }));
export const KERNEL_CASES_16X8_ADD_DSP: KernelCase[] = [
  ...ADD_16X8,
  ...KERNEL_CASES_16X8.filter(
    (c) => c.name === 'add of a tensor to itself, 105 elements, relu6 (both inputs halved) (16×8)',
  ),
];
if (KERNEL_CASES_16X8_ADD_DSP.length !== ADD_16X8.length + 1) throw new Error('internal: no 16×8 self-add case');
export const KERNEL_CASES_16X8_DSP: KernelCase[] = [
  ...KERNEL_CASES_16X8.filter((c) => DSP_16X8.includes(c.name)),
  ...LONG_K_16X8,
  ONE_ROW_16X8,
];
if (KERNEL_CASES_16X8_DSP.length !== DSP_16X8.length + LONG_K_16X8.length + 1)
  throw new Error('internal: a DSP_16X8 name matches no 16×8 kernel case');

/** Every case, in a stable order. */
export const KERNEL_CASES: KernelCase[] = [
  ...conv3x3,
  ...convInputs,
  ...pointwise,
  ...depthwise,
  ...depthwiseTiny,
  ...fullyConnected,
  ...pools,
  ...tiles,
  ...requantization,
  ...others,
  ...upsampling,
];

/**
 * The cases a twin target runs: one whose kernels and sources are another target's, built with other compiler flags
 * (cortex-m7 of cortex-m4's cortex-m-dsp, android-arm64 of rpi5-aarch64's arm-dotprod): every fourth case and the
 * first of each kind (the title's first word), so each kernel is still built and run with the twin's flags while
 * the tile boundaries are walked once, on the other target.
 */
export function twinCases(cases: readonly KernelCase[]): KernelCase[] {
  const kind = (c: KernelCase) => c.name.split(' ')[0];
  return cases.filter((c, i) => i % 4 === 0 || kind(c) !== kind(cases[i - 1]!));
}

/** The kernel cases (every int8 one by default) built for each named target and run its way (natively or under qemu), equal to the reference. */
export function describeKernelCasesOn(
  targets: string[],
  title: string,
  cases: readonly KernelCase[] = KERNEL_CASES,
  kernels?: string[],
): void {
  describe.each(targets)(title, (name) => {
    const profile = loadTarget(name);
    // A kernel preference other than the profile's: folders a build picks on its own (e.g. for a part's flash).
    const target = kernels ? { ...profile, kernels } : profile;
    it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const quantized = quantizeCase(c.graph(), c.seed, c.outputRange, c.activations);
      const q = c.int4Weights ? withInt4Weights(quantized.q) : quantized.q;
      const inputs = quantized.inputs;
      const built = buildC(q, target);
      const expected = referenceOutputs(q, inputs);
      inputs.forEach((x, i) => {
        expect(firstDifference(runC(built, x), expected[i]!)).toBeNull();
      });
    });
  });
}
