/**
 * Weight and bias quantization: symmetric per-channel weights, and the weight-scale adjustment that keeps every
 * int32 bias within ±2^30 so accumulators never overflow (the reference computes exactly, C and WebAssembly wrap).
 */
import { describe, expect, it } from 'vitest';
import {
  BIAS_LIMIT,
  biasSafeWeightScales,
  quantizeBias,
  quantizeWeightsPerChannel,
} from '../../compiler/quantize/prepare/quant-params.ts';

describe('weight and bias quantization', () => {
  const w = Float32Array.of(0.5, -1, 1e-9, -2e-9);
  const bias = Float32Array.of(0.25, 3);
  const inputScale = 0.02;
  const channelOf = (i: number) => (i < 2 ? 0 : 1);

  it('without a bias bound, a channel of tiny weights puts its bias far outside int32', () => {
    const q = quantizeWeightsPerChannel(w, 2, channelOf, 0);
    expect(3 / (inputScale * q.quant.scale[1]!)).toBeGreaterThan(2 ** 31);
  });

  it('bias-safe scales raise only that channel: its bias quantizes to exactly 2^30 and its weights round to 0', () => {
    const q = quantizeWeightsPerChannel(w, 2, channelOf, 0, biasSafeWeightScales(bias, inputScale));
    expect(q.quant.scale[0]).toBeCloseTo(1 / 127, 8);
    // 0.5 / scale falls just under 63.5: the float32 scale is rounded up from 1/127.
    expect(Array.from(q.data)).toEqual([63, -127, 0, 0]);
    const b = quantizeBias(bias, inputScale, q.quant.scale);
    expect(b.data[1]).toBe(BIAS_LIMIT);
    expect(b.data[0]).toBe(Math.round(0.25 / b.quant.scale[0]!));
  });

  it('scales are float32 values, as .tflite stores them, and never below max|w| / 127', () => {
    const q = quantizeWeightsPerChannel(Float32Array.of(0.3, -0.7, 0.1, 0.123456), 2, channelOf, 0);
    for (const s of q.quant.scale) expect(Math.fround(s)).toBe(s);
    expect(q.quant.scale[0]).toBeGreaterThanOrEqual(Math.fround(0.7) / 127);
    expect(Math.max(...Array.from(q.data, Math.abs))).toBeLessThanOrEqual(127);
  });

  it("an all-zero (pruned) channel takes the widest channel's scale, not 1, so its multiplier stays beside the others'", () => {
    const q = quantizeWeightsPerChannel(Float32Array.of(0.3, -0.7, 0, 0, 0.2, 0.1), 3, (i) => i >> 1, 0);
    expect(q.quant.scale[1]).toBe(q.quant.scale[0]);
    expect(Array.from(q.data.subarray(2, 4))).toEqual([0, 0]);
    expect(quantizeWeightsPerChannel(new Float32Array(4), 2, channelOf, 0).quant.scale).toEqual([1, 1]);
  });
});
