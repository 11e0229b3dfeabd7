/**
 * In-place convolution through a ring of output rows (compiler/plan/rolling-rows.ts): the ring's lag on known
 * shapes; a chain of edge cases (strides 1 and 2, SAME and VALID, odd sizes, depth multiplier 2, pointwise narrowing
 * and widening, every layer through a ring) bit-exact on the host and under qemu on cortex-m4, cortex-m55 and
 * rpi4-aarch64; the MLPerf Tiny KWS model planned at its lower bound and bit-exact; builder:mobilenet_v2_0.35_96
 * with every convolution it can through a ring, bit-exact. Each graph is built once per target.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cScratchBytes } from '../../compiler/backends/c/render-nodes.ts';
import { type Clamp, NO_CLAMP, type Pads4 } from '../../compiler/ir/attrs.ts';
import { type Graph, GraphBuilder, tensorOf } from '../../compiler/ir/graph.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import { rollingRowsOf } from '../../compiler/plan/rolling-rows.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { loadModel, MCU_MODEL } from '../../models/registry.ts';
import { loadTarget } from '../../targets/target.ts';
import { pythonRandomInt8 } from '../../tools/bench/python-random.ts';
import { DEFAULT_MODELS_DIR } from '../../tools/bench/suite.ts';
import { buildC, firstDifference, runC } from '../support/c-build.ts';
import { quantizeCase, RELU6, referenceOutputs } from '../support/kernel-case.ts';
import { quantizedDefaultModel } from '../support/quantized-model.ts';
import { seededUniform } from '../support/seeded.ts';

/** One layer of the edge-case chain: a window op over the previous layer's output. */
interface Layer {
  op: 'conv2d' | 'depthwise_conv2d';
  k: number;
  stride: number;
  pads: Pads4;
  /** conv2d: output channels; depthwise: the depth multiplier. */
  out: number;
  clamp: Clamp;
}

/** 17×15×5 in; the first layer reads the graph's input (never in place), every later one may run through a ring. */
const CHAIN: Layer[] = [
  { op: 'conv2d', k: 1, stride: 1, pads: [0, 0, 0, 0], out: 8, clamp: NO_CLAMP },
  { op: 'depthwise_conv2d', k: 3, stride: 1, pads: [1, 1, 1, 1], out: 1, clamp: RELU6 }, // 17×15×8, SAME
  { op: 'depthwise_conv2d', k: 3, stride: 2, pads: [1, 1, 1, 1], out: 1, clamp: NO_CLAMP }, // 9×8×8, SAME, odd
  { op: 'conv2d', k: 3, stride: 1, pads: [0, 0, 0, 0], out: 12, clamp: RELU6 }, // 7×6×12, VALID
  { op: 'depthwise_conv2d', k: 3, stride: 2, pads: [0, 0, 0, 0], out: 2, clamp: NO_CLAMP }, // 3×2×24, VALID, ×2
  { op: 'conv2d', k: 1, stride: 1, pads: [0, 0, 0, 0], out: 7, clamp: NO_CLAMP }, // 3×2×7, narrowing
  { op: 'conv2d', k: 1, stride: 1, pads: [0, 0, 0, 0], out: 16, clamp: RELU6 }, // 3×2×16, widening
  { op: 'conv2d', k: 3, stride: 2, pads: [1, 1, 1, 1], out: 9, clamp: NO_CLAMP }, // 2×1×9, SAME
  { op: 'depthwise_conv2d', k: 5, stride: 1, pads: [2, 2, 2, 2], out: 1, clamp: NO_CLAMP }, // 2×1×9, a 5×5 window
];

function chainGraph(): Graph {
  const b = new GraphBuilder('in-place chain');
  let x = b.input('x', [1, 17, 15, 5]);
  let c = 5;
  CHAIN.forEach((l, i) => {
    const out = l.op === 'conv2d' ? l.out : c * l.out;
    const shape = l.op === 'conv2d' ? [out, l.k, l.k, c] : [1, l.k, l.k, out];
    const w = b.constant(`w${i}`, shape, seededUniform(10 + i, sizeOf(shape), -1, 1));
    const bias = b.constant(`b${i}`, [out], seededUniform(50 + i, out, -1, 1));
    const attrs = { strides: [l.stride, l.stride] as [number, number], dilations: [1, 1] as [number, number] };
    x = b.node(l.op, `${l.op}${i}`, [x, w, bias], {
      ...attrs,
      pads: l.pads,
      clamp: l.clamp,
      ...(l.op === 'depthwise_conv2d' ? { depthMultiplier: l.out } : {}),
    });
    c = out;
  });
  b.graph.outputs.push(x);
  return b.graph;
}

describe('the ring of output rows', () => {
  it('lags a row behind a 3×3 window at stride 1, none at stride 2 or narrowing, more where the layer widens', () => {
    const { q } = quantizeCase(chainGraph(), 3);
    const lags = q.nodes.map((n) => rollingRowsOf(q, n)?.lag);
    expect(lags).toEqual([6, 1, 0, 1, 0, 0, 2, 0, 1]);
  });
});

describe('a chain of edge cases, every layer after the first through a ring', () => {
  const { q, inputs } = quantizeCase(chainGraph(), 3);
  const expected = referenceOutputs(q, inputs);

  it('plans every layer but the first in place', () => {
    expect(planMemory(q, cScratchBytes, { inPlace: 'every' }).rolling.size).toBe(CHAIN.length - 1);
  });

  it.each(['host', 'cortex-m4', 'cortex-m55', 'rpi4-aarch64'])(
    '%s equals the integer reference',
    (name) => {
      const built = buildC(q, loadTarget(name), undefined, undefined, 1, 'every');
      inputs.forEach((x, i) => {
        expect(firstDifference(runC(built, x), expected[i]!), `input ${i}`).toBeNull();
      });
    },
    600_000,
  );
});

describe('MLPerf Tiny KWS in place', () => {
  const kws = loadModel(join(DEFAULT_MODELS_DIR, 'kws_ref_model.tflite')).graph;

  it('plans at its lower bound (13,632 B layer-wise)', () => {
    const p = planMemory(kws, cScratchBytes, { inPlace: true });
    expect(p.arenaBytes).toBe(p.lowerBoundBytes);
    expect(p.arenaBytes).toBeLessThan(planMemory(kws, cScratchBytes).arenaBytes);
  });

  it.each(['host', 'cortex-m4'])(
    '%s equals the integer reference',
    (name) => {
      const x = pythonRandomInt8(1, sizeOf(tensorOf(kws, kws.inputs[0]!).shape));
      const expected = runInteger(kws, { [kws.inputs[0]!]: x }).get(kws.outputs[0]!) as Int8Array;
      const built = buildC(kws, loadTarget(name), undefined, undefined, 1, true);
      expect(firstDifference(runC(built, x), expected)).toBeNull();
    },
    600_000,
  );
});

describe(`${MCU_MODEL}, every convolution it can through a ring`, () => {
  it.each(['host', 'cortex-m4'])(
    '%s equals the integer reference',
    async (name) => {
      const { int8 } = await quantizedDefaultModel(0, MCU_MODEL);
      expect(planMemory(int8, cScratchBytes, { inPlace: 'every' }).rolling.size).toBeGreaterThan(20);
      const x = pythonRandomInt8(7, sizeOf(tensorOf(int8, int8.inputs[0]!).shape));
      const expected = runInteger(int8, { [int8.inputs[0]!]: x }).get(int8.outputs[0]!) as Int8Array;
      const built = buildC(int8, loadTarget(name), undefined, undefined, 1, 'every');
      expect(firstDifference(runC(built, x), expected)).toBeNull();
    },
    600_000,
  );
});
