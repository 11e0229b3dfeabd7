/**
 * 16×8 biases are stored int32 where every value fits (compiler/quantize/prepare/bias-storage.ts), a storage choice:
 * the flash the cost model counts (4 bytes a channel, as int8's, else 8), and the C weights the backend emits (an
 * int32 array read through te_s16_bias, or the int64 one where a value does not fit). That the kernels read both
 * the same is the 16×8 kernel cases' job (test/support/kernel-cases.ts: WIDE_BIAS_16X8 and the per-channel shift
 * cases keep int64, the others int32).
 */
import { describe, expect, it } from 'vitest';
import { emitC } from '../../compiler/backends/c/emit-c.ts';
import { cScratchBytes } from '../../compiler/backends/c/render-nodes.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import { calibrate } from '../../compiler/quantize/calibrate.ts';
import { int32Biases16x8, layerCosts } from '../../compiler/quantize/layer-costs.ts';
import { uniformPlan } from '../../compiler/quantize/precision-plan.ts';
import { int32BiasValues } from '../../compiler/quantize/prepare/bias-storage.ts';
import { quantizeGraph } from '../../compiler/quantize/quantize-graph.ts';
import { mixedGraph } from '../support/mixed-precision-graph.ts';
import { seededUniform } from '../support/seeded.ts';

/** The mixed graph at all-16×8, conv1's channel 5 weights 2^-20 smaller when `pastInt32`: its bias no longer fits. */
function all16x8(pastInt32: boolean) {
  const g = mixedGraph();
  if (pastInt32) {
    const w = tensorOf(g, 'w1').data as Float32Array;
    for (let i = 5 * 27; i < 6 * 27; i++) w[i]! *= 2 ** -20;
  }
  const inputs = [0, 1].map((k) => seededUniform(40 + k, 7 * 6 * 3, -2, 2));
  return { g, q: quantizeGraph(g, calibrate(g, inputs, 'minmax'), uniformPlan(g, '16x8')) };
}

describe('16×8 bias storage', () => {
  it('keeps int64 values as int32 only when every one fits', () => {
    expect(int32BiasValues(BigInt64Array.of(2n ** 31n - 1n, -(2n ** 31n)))).toEqual(
      Int32Array.of(2 ** 31 - 1, -(2 ** 31)),
    );
    expect(int32BiasValues(BigInt64Array.of(0n, 2n ** 31n))).toBeUndefined();
    expect(int32BiasValues(BigInt64Array.of(-(2n ** 31n) - 1n))).toBeUndefined();
  });

  it('counts 4 bytes a channel for a 16×8 bias that fits int32, as int8 does, and 8 for one that does not', () => {
    const fits = all16x8(false);
    expect([...int32Biases16x8(fits.q)].sort()).toEqual(['conv1', 'dw', 'fc', 'project']);
    for (const c of layerCosts(fits.g, undefined, int32Biases16x8(fits.q))) expect(c.flash['16x8']).toBe(c.flash.int8);
    const past = all16x8(true);
    const stored = int32Biases16x8(past.q);
    expect([...stored].sort()).toEqual(['dw', 'fc', 'project']);
    const conv1 = layerCosts(past.g, undefined, stored).find((c) => c.node === 'conv1')!;
    expect(conv1.flash['16x8']).toBe(conv1.flash.int8 + 4 * 17);
  });

  it('emits the C bias as int32 where it fits and int64 where it does not, 4 bytes a channel apart', () => {
    const emitted = (pastInt32: boolean) => {
      const { q } = all16x8(pastInt32);
      return emitC(q, planMemory(q, cScratchBytes));
    };
    const fits = emitted(false);
    const past = emitted(true);
    const weights = (s: typeof fits) => s.files['model_weights.c']!;
    expect(weights(fits)).not.toContain('const int64_t');
    expect(weights(past).match(/const int64_t \w+\[(\d+)\]/g)).toEqual([expect.stringMatching(/\[17\]$/)]);
    expect(past.weightBytes - fits.weightBytes).toBe(4 * 17);
  });
});
