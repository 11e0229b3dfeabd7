/**
 * @fileoverview `tinyedge bench --suite int4-weights --target T` (an emulated Arm target): pointwise and fully
 * connected layers of MobileNetV2-like shapes built twice, with int8 weights and with the same weights narrowed to
 * int4 (int4-weights.ts: two a byte, te_matmul_w4_s8), each run under qemu with the instruction counter
 * (emulated.ts's countLayers): the layer's instructions, the build's weight bytes and the int4/int8 ratios, the
 * figures issue 24's precision choice weighs. Each build's output is checked against the integer reference.
 */

import { chooseKernels, withInt8Weights } from '../../compiler/backends/c/kernel-table.ts';
import { NO_CLAMP } from '../../compiler/ir/attrs.ts';
import { type Graph, GraphBuilder, tensorOf } from '../../compiler/ir/graph.ts';
import type { Quantization } from '../../compiler/ir/tensor.ts';
import { calibrate } from '../../compiler/quantize/calibrate.ts';
import { quantizeArray } from '../../compiler/quantize/prepare/quant-params.ts';
import { quantizeGraph } from '../../compiler/quantize/quantize-graph.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { table } from '../../compiler/terminal/format.ts';
import { mulberry32 } from '../../models/builders/mulberry32.ts';
import type { Target } from '../../targets/target.ts';
import { countLayers } from './emulated.ts';
import { withInt4Weights } from './int4-weights.ts';

/** A layer of the suite: k inputs to o outputs over `rows` pixels (a pointwise conv over h × w, or dense rows). */
interface Int4BenchLayer {
  name: string;
  k: number;
  o: number;
  pixels?: [number, number];
  rows?: number;
}

/** The suite's layers: MobileNetV2 0.35's project and expand shapes at 96 × 96, its last conv and a classifier. */
export const INT4_BENCH_LAYERS: readonly Int4BenchLayer[] = [
  { name: 'pointwise 12×12, 96 → 24', k: 96, o: 24, pixels: [12, 12] },
  { name: 'pointwise 12×12, 24 → 144', k: 24, o: 144, pixels: [12, 12] },
  { name: 'pointwise 3×3, 112 → 1280', k: 112, o: 1280, pixels: [3, 3] },
  { name: 'fully connected 1280 → 100, 1 row', k: 1280, o: 100, rows: 1 },
];

/** One layer's figures, int8 and int4 weights. */
export interface Int4BenchRow {
  name: string;
  macs: number;
  int8: { instructions: number; weightBytes: number };
  int4: { instructions: number; weightBytes: number };
  /**
   * On a target whose int8 convolutions widen weights to int16 (cortex-m-dsp), the int8-storage folder a model takes
   * when those would not fit its flash (kernel-table.ts's withInt8Weights): the int4 kernels' other neighbour.
   */
  int8Storage?: { folder: string; instructions: number; weightBytes: number };
  instructionRatio: number;
  weightRatio: number;
  sameAsReference: boolean;
}

/** Uniform values in [lo, hi) from a seed (mulberry32). */
function uniform(seed: number, n: number, lo: number, hi: number): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * next());
}

/** The layer as an f32 graph with seeded weights and bias, relu6 on the pointwise convs. */
function layerGraph(l: Int4BenchLayer, seed: number): Graph {
  const b = new GraphBuilder('int4-bench');
  b.constant('w', l.pixels ? [l.o, 1, 1, l.k] : [l.o, l.k], uniform(seed, l.o * l.k, -1, 1));
  b.constant('bias', [l.o], uniform(seed + 1, l.o, -1, 1));
  if (l.pixels) {
    b.input('x', [1, ...l.pixels, l.k]);
    b.graph.outputs.push(
      b.node('conv2d', 'pw', ['x', 'w', 'bias'], {
        strides: [1, 1],
        dilations: [1, 1],
        pads: [0, 0, 0, 0],
        clamp: { min: 0, max: 6 },
      }),
    );
  } else {
    b.input('x', [l.rows ?? 1, l.k]);
    b.graph.outputs.push(b.node('fully_connected', 'fc', ['x', 'w', 'bias'], { clamp: NO_CLAMP }));
  }
  return b.graph;
}

/** Counts one layer on `target` with int8 and with int4 weights. */
function benchLayer(l: Int4BenchLayer, seed: number, target: Target): Int4BenchRow {
  const f32 = layerGraph(l, seed);
  const x = uniform(seed + 2, (l.pixels ? l.pixels[0] * l.pixels[1] : (l.rows ?? 1)) * l.k, -2, 2);
  const q8 = quantizeGraph(f32, calibrate(f32, [x], 'minmax'));
  const input = quantizeArray(x, tensorOf(q8, q8.inputs[0]!).quant as Quantization);
  const figures = (q: Graph, kernels = target.kernels) => {
    const r = countLayers(q, input, target, kernels);
    const expected = runInteger(q, { [q.inputs[0]!]: input }).get(q.outputs[0]!) as Int8Array;
    const same = r.output.length === expected.length && r.output.every((v, i) => (v << 24) >> 24 === expected[i]);
    return { instructions: r.perLayer[0]!, weightBytes: r.memory.weightBytes, same };
  };
  const int8 = figures(q8);
  const int4 = figures(withInt4Weights(q8));
  const chosen = chooseKernels(target.kernels, target.name).conv2d;
  const narrow = withInt8Weights(chooseKernels(target.kernels, target.name)).conv2d;
  const storage = narrow === chosen ? undefined : figures(q8, [narrow, ...target.kernels]);
  return {
    name: l.name,
    macs: l.k * l.o * (l.pixels ? l.pixels[0] * l.pixels[1] : (l.rows ?? 1)),
    int8: { instructions: int8.instructions, weightBytes: int8.weightBytes },
    int4: { instructions: int4.instructions, weightBytes: int4.weightBytes },
    ...(storage && {
      int8Storage: { folder: narrow, instructions: storage.instructions, weightBytes: storage.weightBytes },
    }),
    instructionRatio: int4.instructions / int8.instructions,
    weightRatio: int4.weightBytes / int8.weightBytes,
    sameAsReference: int8.same && int4.same && (storage?.same ?? true),
  };
}

/** Every layer of the suite on one emulated target. */
export function benchInt4Layers(target: Target, log: (s: string) => void): Int4BenchRow[] {
  return INT4_BENCH_LAYERS.map((l, i) => {
    log(`${l.name}: int8 and int4 weights on ${target.name} under qemu…`);
    return benchLayer(l, 1500 + 10 * i, target);
  });
}

/** The suite's table, and the int8-storage folder's figures when the target has one. */
export function formatInt4Bench(rows: readonly Int4BenchRow[], target: string): string {
  const storage = rows.flatMap((r) => (r.int8Storage ? [[r, r.int8Storage] as const] : []));
  return [
    `int4 weights against int8 on ${target}: instructions of the layer (qemu plugin) and weight bytes of the build (with folded biases and requantization constants)`,
    table(
      [
        'layer',
        'MACs',
        'int8 instr.',
        'int4 instr.',
        'int4/int8',
        'int8 weights',
        'int4 weights',
        'int4/int8',
        'bit-exact',
      ],
      rows.map((r) => [
        r.name,
        r.macs,
        r.int8.instructions,
        r.int4.instructions,
        r.instructionRatio.toFixed(2),
        r.int8.weightBytes,
        r.int4.weightBytes,
        r.weightRatio.toFixed(2),
        r.sameAsReference ? 'yes' : 'NO',
      ]),
      [1, 2, 3, 4, 5, 6, 7],
    ),
    ...(storage.length === 0
      ? []
      : [
          `int8 weights stored one a byte (${storage[0]![1].folder}, what a model takes when int16 weight pairs would not fit its flash) against int4`,
          table(
            ['layer', 'int8 instr.', 'int4/int8', 'int8 weights', 'int4/int8'],
            storage.map(([r, s]) => [
              r.name,
              s.instructions,
              (r.int4.instructions / s.instructions).toFixed(2),
              s.weightBytes,
              (r.int4.weightBytes / s.weightBytes).toFixed(2),
            ]),
            [1, 2, 3, 4],
          ),
        ]),
  ].join('\n');
}
