/**
 * The 16×8 integer reference: TFLite's int64 MultiplyByQuantizedMultiplier on hand-checked values (a Q15 multiplier
 * and one rounding, half up, where the int32 form rounds twice), TFLM's int16 softmax tables against the
 * functions they sample, and every 16×8 kernel case closer to the f32 reference than its int8 twin (the point of
 * 16×8: activations 256 times finer).
 */
import { describe, expect, it } from 'vitest';
import { multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplier64 } from '../../compiler/arith/fixed-point.ts';
import { lookupInt16, softmaxInt16Tables } from '../../compiler/arith/softmax-int16.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import type { Quantization } from '../../compiler/ir/tensor.ts';
import { runF32 } from '../../compiler/reference/f32/interpreter.ts';
import { quantizeCase, referenceOutputs } from '../support/kernel-case.ts';
import { KERNEL_CASES_16X8 } from '../support/kernel-cases.ts';

describe('int64 MultiplyByQuantizedMultiplier (16×8 with int64 biases)', () => {
  const HALF = 1 << 30; // 0.5 as a Q31 multiplier with shift 0
  it('one rounding: 1·0.5·2^−1 = 0.25 gives 0, where the int32 form rounds twice (to 0.5, then up to 1)', () => {
    expect(multiplyByQuantizedMultiplier64(1, HALF, -1)).toBe(0);
    expect(multiplyByQuantizedMultiplier(1, HALF, -1)).toBe(1);
  });
  it('halves round up: 3·0.5 → 2, −3·0.5 → −1', () => {
    expect(multiplyByQuantizedMultiplier64(3, HALF, 0)).toBe(2);
    expect(multiplyByQuantizedMultiplier64(-3, HALF, 0)).toBe(-1);
  });
  it('accumulators beyond int32: 2^40 · 0.5 · 2^−20 = 2^19; −(2^46 + 5) · 0.75 · 2^−25 rounds to −1,572,864', () => {
    expect(multiplyByQuantizedMultiplier64(2 ** 40, HALF, -20)).toBe(2 ** 19);
    expect(multiplyByQuantizedMultiplier64(-(2 ** 46 + 5), 3 << 29, -25)).toBe(
      Math.floor((-(2 ** 46 + 5) * 0.75) / 2 ** 25 + 0.5),
    );
  });
  it('the multiplier keeps 15 bits: (2^30 + 2^14)·2^−31 is 0.5 exactly, and 0x7FFF0000 or more saturates to 0x7FFF', () => {
    expect(multiplyByQuantizedMultiplier64(1 << 20, HALF + (1 << 14), 0)).toBe(1 << 19);
    expect(multiplyByQuantizedMultiplier64(1 << 15, 0x7fffffff, 0)).toBe(0x7fff);
  });
});

describe("TFLM's int16 softmax tables", () => {
  const { expLut, reciprocalLut } = softmaxInt16Tables();
  it('exp on [−10, 0]: every entry within 2 of 32768·exp(x), the last saturated at 32767', () => {
    expLut.forEach((v, i) => {
      expect(Math.abs(v - Math.min(32767, 32768 * Math.exp(-10 + (10 * i) / 512)))).toBeLessThanOrEqual(2);
    });
    expect(expLut[512]).toBe(32767);
  });
  it('1/(1 + x) on [0, 1]: every entry within 2 of 32768/(1 + x)', () => {
    reciprocalLut.forEach((v, i) => {
      expect(Math.abs(v - Math.min(32767, 32768 / (1 + i / 512)))).toBeLessThanOrEqual(2);
    });
  });
  it('the lookup interpolates between entries: the midpoint of two entries is their rounded mean', () => {
    const v = -32768 + 100 * 128 + 64; // entry 100, halfway to 101
    expect(lookupInt16(v, expLut)).toBe(expLut[100]! + (((expLut[101]! - expLut[100]!) * 64 + 64) >> 7));
  });
});

/** Largest |reference − f32| over the case's inputs, relative to the f32 output's largest magnitude. */
function relativeError(c: (typeof KERNEL_CASES_16X8)[number], activations: 'int8' | 'int16'): number {
  const g = c.graph();
  const { q, inputs } = quantizeCase(g, c.seed, c.outputRange, activations);
  const out = referenceOutputs(q, inputs);
  const iq = tensorOf(q, q.inputs[0]!).quant as Quantization;
  const oq = tensorOf(q, q.outputs[0]!).quant as Quantization;
  let err = 0;
  let range = 0;
  inputs.forEach((x, k) => {
    const xf = Float32Array.from(x, (v) => (v - iq.zeroPoint[0]!) * iq.scale[0]!);
    const yf = runF32(g, { [g.inputs[0]!]: xf }).get(g.outputs[0]!) as Float32Array;
    yf.forEach((v, i) => {
      range = Math.max(range, Math.abs(v));
      err = Math.max(err, Math.abs(v - (out[k]![i]! - oq.zeroPoint[0]!) * oq.scale[0]!));
    });
  });
  return range === 0 ? 0 : err / range;
}

describe('16×8 is closer to f32 than int8 on every kernel case', () => {
  // Cases whose output range is forced (to reach extreme requantization shifts) saturate either way.
  const free = KERNEL_CASES_16X8.filter((c) => !c.outputRange);
  it.each(free.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const e16 = relativeError(c, 'int16');
    expect(e16).toBeLessThanOrEqual(relativeError(c, 'int8') + 1e-6);
    expect(e16).toBeLessThan(0.01);
  });
});
