/**
 * The requantization without its sign fix-up on the Cortex-M4 and M7 (compiler/backends/c/sign-fixup.ts): a pointwise
 * layer through te_matmul_row_pairs_s8 whose every channel shifts right by 13 or more (its output scale raised), its
 * biases set so that each channel's highest y = SRDHM(acc, M) is 2^(32−s) − 1, the bound, is built without the
 * fix-up (no_sign_fixup 1, the _nofixup pair loop); one channel's bias one step past it turns the flag off. Both
 * builds equal the int8 reference on qemu's boards.
 */
import { describe, expect, it } from 'vitest';
import { saturatingRoundingDoublingHighMul } from '../../compiler/arith/fixed-point.ts';
import { params } from '../../compiler/backends/c/render-context.ts';
import { NO_CLAMP } from '../../compiler/ir/attrs.ts';
import { type Graph, GraphBuilder, type Node, tensorOf } from '../../compiler/ir/graph.ts';
import { loadTarget } from '../../targets/target.ts';
import { buildC, firstDifference, runC } from '../support/c-build.ts';
import { quantizeCase, referenceOutputs } from '../support/kernel-case.ts';
import { weights } from '../support/kernel-case-graphs.ts';

const IN_C = 8;
const OUT_C = 8;

/** A 2×2 average pool (its tensors the arena's peak, so the pointwise conv gets its row-pair scratch), then 8 → 8. */
function pooledPointwise(): Graph {
  const b = new GraphBuilder('test');
  const pool = b.node('avg_pool2d', 'pool', [b.input('x', [1, 18, 20, IN_C])], {
    filter: [2, 2],
    strides: [2, 2],
    pads: [0, 0, 0, 0],
    clamp: NO_CLAMP,
  });
  weights(b, 'w', [OUT_C, 1, 1, IN_C], 1801);
  weights(b, 'bias', [OUT_C], 1802);
  b.graph.outputs.push(
    b.node('conv2d', 'conv', [pool, 'w', 'bias'], {
      strides: [1, 1],
      dilations: [1, 1],
      pads: [0, 0, 0, 0],
      clamp: NO_CLAMP,
    }),
  );
  return b.graph;
}

/** The quantized graph and its conv, whose output scale is `raised` times the calibrated one. */
function quantizedWith(raised: number): { quantized: ReturnType<typeof quantizeCase>; conv: Node } {
  const quantized = quantizeCase(pooledPointwise(), 1800);
  const conv = quantized.q.nodes.find((n) => n.op === 'conv2d')!;
  tensorOf(quantized.q, conv.outputs[0]!).quant!.scale[0]! *= raised;
  return { quantized, conv };
}

/**
 * The quantized graph with its least right shift 13 (at most 16, where the bound is below 2^(s−1) and so binds)
 * and each channel's bias the largest whose highest y is below 2^(32−s), `past` channel 0's one more (its highest y
 * then 2^(32−s)).
 */
function atTheBound(past: boolean): ReturnType<typeof quantizeCase> {
  const calibrated = quantizedWith(1);
  const least = Math.min(...Array.from(params(calibrated.quantized.q, calibrated.conv, 'mac').shifts, (v) => -v));
  const { quantized, conv } = quantizedWith(2 ** (13 - least));
  const q = quantized.q;
  const p = params(q, conv, 'mac');
  const w = tensorOf(q, conv.inputs[1]!).data as Int8Array;
  const bias = tensorOf(q, conv.inputs[2]!).data as Int32Array;
  for (let c = 0; c < OUT_C; c++) {
    const s = -p.shifts[c]!;
    expect(s >= 13 && s <= 16).toBe(true);
    // The accumulators' highest value is bias + highAbove (sign-fixup.ts's accumulatorRange).
    let highAbove = 0;
    for (let i = 0; i < IN_C; i++) {
      const v = w[c * IN_C + i]!;
      highAbove += p.inputOffset * v + (v > 0 ? 127 * v : -128 * v);
    }
    const y = (b: number) => saturatingRoundingDoublingHighMul(b + highAbove, p.multipliers[c]!);
    let lo = -(2 ** 24);
    let hi = 2 ** 24;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (y(mid) < 2 ** (32 - s)) lo = mid;
      else hi = mid;
    }
    bias[c] = lo + (past && c === 0 ? 1 : 0);
  }
  return quantized;
}

describe.each(['cortex-m4', 'cortex-m7'])('%s requantization without its sign fix-up', (name) => {
  it.each([
    ['every channel at the bound: without the fix-up', false, 1],
    ['one channel past it: with the fix-up', true, 0],
  ] as const)('%s', (_title, past, flag) => {
    const { q, inputs } = atTheBound(past);
    let model = '';
    const built = buildC(q, loadTarget(name), undefined, undefined, 1, false, (files) => {
      model = files['model.c']!;
    });
    expect(model).toContain('te_matmul_row_pairs_s8(');
    expect(model).toMatch(new RegExp(`static const te_mac_params p = \\{[^}]*, -128, 127, ${flag}\\};`));
    const expected = referenceOutputs(q, inputs);
    inputs.forEach((x, i) => {
      expect(firstDifference(runC(built, x), expected[i]!)).toBeNull();
    });
  });
});
