/**
 * @fileoverview The kernel test cases every backend runs against the int8 reference: shapes at tile boundaries
 * (channels 1, 3, 7, 8, 9, 17 and around 16/64-wide blocks), strides 1 and 2, SAME and VALID padding, depth
 * multipliers, broadcasting, fused clamps narrower than the int8 range, and every other op. One list, so the C and
 * WASM tests (and later targets) check the same cases.
 */

import { describe, expect, it } from 'vitest';
import { type Clamp, NO_CLAMP, type Pads4 } from '../../compiler/ir/attrs.ts';
import { type Graph, GraphBuilder, tensorOf } from '../../compiler/ir/graph.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import { verifyGraph } from '../../compiler/ir/verify.ts';
import { calibrate } from '../../compiler/quantize/calibrate.ts';
import type { PrecisionPlan } from '../../compiler/quantize/precision-plan.ts';
import { type ActivationType, quantizeForTensor, RANGE_OF } from '../../compiler/quantize/prepare/quant-params.ts';
import { quantizeGraph } from '../../compiler/quantize/quantize-graph.ts';
import type { Activations } from '../../compiler/reference/integer/conv.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { loadTarget } from '../../targets/target.ts';
import { withInt4Weights } from '../../tools/bench/int4-weights.ts';
import { buildC, firstDifference, runC } from './c-build.ts';
import { seededUniform } from './seeded.ts';

export const RELU6: Clamp = { min: 0, max: 6 };
export const RELU: Clamp = { min: 0, max: null };

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
 * range (the kernels' act_min/act_max then really clip); returns the quantized graph (int8, 16×8, or per layer as a
 * plan says) and three inputs of its input's type.
 */
export function quantizeCase(
  g: Graph,
  seed: number,
  outputRange?: { min: number; max: number },
  activations: ActivationType | PrecisionPlan = 'int8',
): { q: Graph; inputs: Activations[] } {
  verifyGraph(g);
  const shape = tensorOf(g, g.inputs[0]!).shape;
  const inputs = [0, 1, 2].map((k) => seededUniform(seed * 10 + k, sizeOf(shape), -2, 2));
  const ranges = calibrate(g, inputs, 'minmax');
  for (const n of g.nodes) {
    const clamp = (n.attrs as { clamp?: Clamp }).clamp;
    const r = ranges.get(n.outputs[0]!);
    if (clamp && (clamp.min !== null || clamp.max !== null) && r)
      ranges.set(n.outputs[0]!, { min: r.min - 3, max: r.max + 7 });
  }
  if (outputRange) ranges.set(g.outputs[0]!, outputRange);
  const q = quantizeGraph(g, ranges, activations);
  const input = tensorOf(q, q.inputs[0]!);
  return { q, inputs: inputs.map((x) => quantizeForTensor(x, input)) };
}

/** The reference output of each input. */
export function referenceOutputs(q: Graph, inputs: Activations[]): Activations[] {
  return inputs.map((x) => runInteger(q, { [q.inputs[0]!]: x }).get(q.outputs[0]!) as Activations);
}

/** Seeded weights in [-1, 1]; `channelScale` scales output channel c (the first axis, or the last for depthwise). */
function weights(
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

function convGraph(
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

/** A depthwise conv over a 9×10 input; `window` changes the 3×3, dilation-1 default, `size` the input's height and width. */
function depthwiseGraph(
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
function withDeadChannels(g: Graph, dead: (c: number) => boolean): Graph {
  const bias = tensorOf(g, 'bias').data!;
  bias.forEach((_v, c) => {
    if (dead(c)) bias[c] = 0;
  });
  return g;
}

/** One kernel case: a name for the test title, the f32 graph, and the seed of its inputs. */
export interface KernelCase {
  name: string;
  graph: () => Graph;
  seed: number;
  /** Forces the output's calibrated range (for requantization multipliers above one). */
  outputRange?: { min: number; max: number };
  /**
   * int16 for the 16×8 form of the case (int16 activations, int8 weights, int64 biases); int8 by default; or a
   * per-layer plan (test/support/mixed-precision-graph.ts).
   */
  activations?: ActivationType | PrecisionPlan;
  /**
   * A tile boundary of the ISA folders' int8 kernels only, with no 16×8 form: the 16×8 kernels are ref's loops,
   * which these shapes do not stress, and over K ≥ 50 taps int8 weights alone keep 16×8 above the 1% error that
   * test/quantize/int16-reference.test.ts holds the 16×8 cases to.
   */
  int8Only?: boolean;
  /** The MAC filters narrowed to int4 after quantization (tools/bench/int4-weights.ts). */
  int4Weights?: boolean;
}

/** A pointwise conv of the input 'x' (c → c channels, seeded weights 'w'): the other branch of an add. */
function pointwiseOfX(b: GraphBuilder, c: number, seed: number): string {
  weights(b, 'w', [c, 1, 1, c], seed);
  return b.node('conv2d', 'pw', ['x', 'w'], {
    strides: [1, 1],
    dilations: [1, 1],
    pads: [0, 0, 0, 0],
    clamp: NO_CLAMP,
  });
}

function single(build: (b: GraphBuilder) => string, input: number[]): Graph {
  const b = new GraphBuilder('test');
  b.input('x', input);
  b.graph.outputs.push(build(b));
  return b.graph;
}

const conv3x3: KernelCase[] = [1, 3, 7, 8, 9, 17, 63, 64, 65].map((o, i) => ({
  name: `conv2d 3×3, 3 → ${o} channels, stride ${i % 2 ? 2 : 1}, ${i % 2 ? 'VALID' : 'SAME'}, relu6`,
  graph: () => convGraph(3, o, 3, i % 2 ? 2 : 1, i % 2 ? 'VALID' : 'SAME', RELU6, o),
  seed: o,
}));

const convInputs: KernelCase[] = [
  ...[1, 7, 17].map((c) => ({
    name: `conv2d 3×3 stride 2 SAME from ${c} input channels, no clamp`,
    graph: () => convGraph(c, 8, 3, 2, 'SAME', NO_CLAMP, 100 + c),
    seed: 100 + c,
  })),
  // Two padded taps on every side (window rows partly inside the input), K = 50 (not a multiple of 4), 5 outputs.
  {
    name: 'conv2d 5×5 stride 1 SAME, 2 → 5 channels, relu6',
    graph: () => convGraph(2, 5, 5, 1, 'SAME', RELU6, 120),
    seed: 120,
    int8Only: true,
  },
];

const pointwise: KernelCase[] = [
  [1, 1],
  [3, 17],
  [7, 64],
  [8, 65],
  [9, 130],
  [17, 9],
].map(([c, o]) => ({
  name: `pointwise (1×1, stride 1) ${c} → ${o} channels, relu`,
  graph: () => convGraph(c!, o!, 1, 1, 'VALID', RELU, 200 + c!),
  seed: 200 + c!,
}));

const depthwise: KernelCase[] = [1, 3, 4, 5, 7, 8, 9, 17, 63, 64, 65].flatMap((c) =>
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
const depthwiseTiny: KernelCase[] = (
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
const fullyConnected: KernelCase[] = [
  [17, 7, 3],
  [64, 65, 2],
  [33, 20, 5],
  [18, 5, 1],
].map(([k, o, rows]) => fullyConnectedCase(k!, o!, rows!));

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

/**
 * Tile boundaries of the matmul tiles that take two rows × four channels and one row × eight channels with K in
 * steps of 16 (arm-mve): K a whole number of steps beside an odd output width, out_c % 8 = 4 (half a tile of
 * padding) and out_c = 4 (the second four channels all padding) on a lone row; the AArch64 tiles' row, K and
 * channel remainders (arm-neon, arm-dotprod); an average pool over more channels than a vector block.
 */
const tiles: KernelCase[] = [
  // arm-mve reads the windows of interior pixel pairs where they lie (three runs of 48 bytes), edge pairs gathered.
  {
    name: 'conv2d 3×3 stride 1 SAME, 16 → 8 channels (interior windows read in place), relu6',
    graph: () => convGraph(16, 8, 3, 1, 'SAME', RELU6, 141),
    seed: 141,
    int8Only: true,
  },
  {
    name: 'conv2d 3×3 stride 2 SAME, 16 → 12 channels (K = 144, odd output width), relu6',
    graph: () => convGraph(16, 12, 3, 2, 'SAME', RELU6, 140),
    seed: 140,
    int8Only: true,
  },
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
];

/**
 * Requantization extremes: per-channel shifts spread from +1 to −19 in one layer, multipliers above one
 * (left shifts, with heavy saturation) beside ordinary ones, and one channel shifting right by more than 21 (the
 * backends' vector requantization must fall back or stay exact there).
 */
const requantization: KernelCase[] = [
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

/** A transpose conv from a 5×6 input: SAME gives 5s × 6s (TF's rule on the output, extra crop at the bottom/right). */
function transposeGraph(
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

/** TFLite's QUANTIZE between int8 and int16 (a clamp node): x (`from`) → y (`to`), rescaling up and down and saturating. */
export function conversionGraph(from: ActivationType, to: ActivationType, outScale: number): Graph {
  const b = new GraphBuilder('test');
  b.input('x', [3, 40], from);
  b.graph.outputs.push(b.node('clamp', 'quantize', ['x'], { clamp: NO_CLAMP }));
  Object.assign(tensorOf(b.graph, 'x'), { quant: { scale: [0.02], zeroPoint: [from === 'int8' ? 5 : 0] } });
  Object.assign(tensorOf(b.graph, 'quantize'), {
    dtype: to,
    quant: { scale: [outScale], zeroPoint: [to === 'int8' ? -3 : 0] },
  });
  return b.graph;
}

/** The conversions every backend checks (from, to, output scale; the input scale is 0.02). */
export const CONVERSION_CASES: readonly (readonly [ActivationType, ActivationType, number])[] = [
  ['int8', 'int16', 0.0005],
  ['int16', 'int8', 0.03],
  ['int16', 'int8', 2],
  ['int16', 'int16', 0.07],
];

/** Seeded values over the whole range of `type`: a conversion's input. */
export function conversionInput(type: ActivationType): Activations {
  const [lo, hi] = RANGE_OF[type];
  const values = seededUniform(7, 120, lo, hi + 1).map(Math.floor);
  return type === 'int8' ? Int8Array.from(values) : Int16Array.from(values);
}

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
