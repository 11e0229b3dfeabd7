/**
 * The fixed-point primitives are TFLite's, bit for bit: hand-computed cases (ties rounding both ways, INT32_MIN ×
 * INT32_MIN saturation, shifts up to 31, multipliers that flush to zero or saturate) and 200,000 seeded random
 * cases against a BigInt transcription of gemmlowp's int64 formulas.
 */
import { describe, expect, it } from 'vitest';
import {
  INT32_MAX,
  INT32_MIN,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from '../../compiler/arith/fixed-point.ts';
import { mulberry32 } from '../support/seeded.ts';

/** gemmlowp's SaturatingRoundingDoublingHighMul, literally, in int64 (BigInt). */
function srdhmBig(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates toward zero, like C++
}

/** gemmlowp's RoundingDivideByPOT, literally, with masks (BigInt for exponent 31). */
function rdbpotBig(x: number, exponent: number): number {
  const X = BigInt(x);
  const mask = (1n << BigInt(exponent)) - 1n;
  const remainder = X & mask;
  const threshold = (mask >> 1n) + (X < 0n ? 1n : 0n);
  return Number((X >> BigInt(exponent)) + (remainder > threshold ? 1n : 0n));
}

describe('saturatingRoundingDoublingHighMul', () => {
  it('INT32_MIN × INT32_MIN saturates to INT32_MAX (the one overflow case)', () => {
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN)).toBe(INT32_MAX);
  });
  it('hand-computed: 2·a·b / 2^32 rounded; positive ties round up, negative ties toward zero (the nudge is 1 − 2^30)', () => {
    expect(saturatingRoundingDoublingHighMul(1 << 30, 1 << 30)).toBe(1 << 29); // 0.5 × 0.5 = 0.25 in Q31
    expect(saturatingRoundingDoublingHighMul(1, 1 << 30)).toBe(1); // 0.5 → rounds up
    expect(saturatingRoundingDoublingHighMul(-1, 1 << 30)).toBe(0); // −0.5 → 0: (−2^30 + 1 − 2^30) / 2^31 truncates to 0
    expect(saturatingRoundingDoublingHighMul(3, 1 << 29)).toBe(1); // 0.75 → 1
    expect(saturatingRoundingDoublingHighMul(-3, 1 << 29)).toBe(-1); // −0.75 → −1
    expect(saturatingRoundingDoublingHighMul(1, 1 << 29)).toBe(0); // 0.25 → 0
    expect(saturatingRoundingDoublingHighMul(INT32_MAX, INT32_MAX)).toBe(INT32_MAX - 1);
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MAX)).toBe(-INT32_MAX);
  });
  it('equals the int64 formula on 200,000 seeded random and edge operands', () => {
    const next = mulberry32(42);
    const edges = [
      0,
      1,
      -1,
      2,
      -2,
      1 << 30,
      -(1 << 30),
      INT32_MAX,
      INT32_MIN,
      INT32_MAX - 1,
      INT32_MIN + 1,
      65535,
      -65536,
      32768,
    ];
    const pick = () =>
      next() < 0.2 ? edges[Math.floor(next() * edges.length)]! : Math.floor(next() * 2 ** 32) - 2 ** 31;
    for (let i = 0; i < 200_000; i++) {
      const a = pick();
      const b = pick();
      const got = saturatingRoundingDoublingHighMul(a, b);
      if (got !== srdhmBig(a, b)) expect.fail(`SRDHM(${a}, ${b}) = ${got}, int64 says ${srdhmBig(a, b)}`);
    }
  });
});

describe('roundingDivideByPOT', () => {
  it('ties round away from zero, positive and negative', () => {
    expect(roundingDivideByPOT(5, 1)).toBe(3); // 2.5 → 3
    expect(roundingDivideByPOT(-5, 1)).toBe(-3); // −2.5 → −3
    expect(roundingDivideByPOT(3, 1)).toBe(2); // 1.5 → 2
    expect(roundingDivideByPOT(-3, 1)).toBe(-2);
    expect(roundingDivideByPOT(6, 2)).toBe(2); // 1.5 → 2
    expect(roundingDivideByPOT(-6, 2)).toBe(-2);
    expect(roundingDivideByPOT(5, 2)).toBe(1); // 1.25 → 1
    expect(roundingDivideByPOT(-5, 2)).toBe(-1);
    expect(roundingDivideByPOT(7, 0)).toBe(7);
  });
  it('shift 31 (the largest TFLite produces) on the int32 extremes', () => {
    expect(roundingDivideByPOT(INT32_MAX, 31)).toBe(1);
    expect(roundingDivideByPOT(INT32_MIN, 31)).toBe(-1);
    expect(roundingDivideByPOT(1 << 30, 31)).toBe(1); // exactly 0.5 → 1
    expect(roundingDivideByPOT(-(1 << 30), 31)).toBe(-1); // exactly −0.5 → −1
    expect(roundingDivideByPOT((1 << 30) - 1, 31)).toBe(0);
  });
  it('equals the mask formula for every exponent 0..31 on seeded values', () => {
    const next = mulberry32(7);
    for (let e = 0; e <= 31; e++) {
      for (let i = 0; i < 3000; i++) {
        const x = Math.floor(next() * 2 ** 32) - 2 ** 31;
        if (roundingDivideByPOT(x, e) !== rdbpotBig(x, e)) expect.fail(`RDBPOT(${x}, ${e})`);
      }
    }
  });
});

describe('quantizeMultiplier', () => {
  it('encodes m as multiplier·2^(shift−31) with multiplier in [2^30, 2^31)', () => {
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 1 << 30, shift: 0 });
    expect(quantizeMultiplier(0.25)).toEqual({ multiplier: 1 << 30, shift: -1 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 1 << 30, shift: 1 });
    expect(quantizeMultiplier(0.75)).toEqual({ multiplier: 3 << 29, shift: 0 });
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
  });
  it('a significand that rounds up to 2^31 becomes 2^30 with the shift one higher', () => {
    expect(quantizeMultiplier(1 - 2 ** -40)).toEqual({ multiplier: 1 << 30, shift: 1 });
  });
  it('multipliers below 2^−32 flush to zero; above 2^30 saturate', () => {
    expect(quantizeMultiplier(2 ** -33)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(2 ** -32)).toEqual({ multiplier: 1 << 30, shift: -31 });
    expect(quantizeMultiplier(2 ** 31)).toEqual({ multiplier: INT32_MAX, shift: 30 });
  });
  it('round-trips typical conv multipliers to within 2^−31 relative', () => {
    const next = mulberry32(3);
    for (let i = 0; i < 10_000; i++) {
      const m = 10 ** (-6 + 6 * next());
      const { multiplier, shift } = quantizeMultiplier(m);
      expect(multiplier).toBeGreaterThanOrEqual(2 ** 30);
      expect(multiplier).toBeLessThan(2 ** 31);
      expect(Math.abs((multiplier * 2 ** (shift - 31)) / m - 1)).toBeLessThan(2 ** -30);
    }
  });
});

describe('multiplyByQuantizedMultiplier', () => {
  it('requantizes with double rounding: SRDHM then a rounding right shift', () => {
    const half = quantizeMultiplier(0.5);
    expect(multiplyByQuantizedMultiplier(3, half.multiplier, half.shift)).toBe(2); // 1.5 → 2
    expect(multiplyByQuantizedMultiplier(-3, half.multiplier, half.shift)).toBe(-1); // −1.5 → −1: SRDHM's negative tie
    const quarter = quantizeMultiplier(0.25);
    expect(multiplyByQuantizedMultiplier(6, quarter.multiplier, quarter.shift)).toBe(2); // 1.5 → 2
    expect(multiplyByQuantizedMultiplier(-6, quarter.multiplier, quarter.shift)).toBe(-2); // SRDHM gives −3 exactly, then −1.5 → −2
    expect(multiplyByQuantizedMultiplier(1000, 0, 0)).toBe(0);
  });
  it('left shifts for multipliers above one (the add op uses 2^20 on its inputs)', () => {
    const three = quantizeMultiplier(3);
    expect(three.shift).toBe(2);
    expect(multiplyByQuantizedMultiplier(100, three.multiplier, three.shift)).toBe(300);
    expect(multiplyByQuantizedMultiplier(-100, three.multiplier, three.shift)).toBe(-300);
  });
  it('equals SRDHM then RDBPOT in int64 on seeded accumulators and multipliers', () => {
    const next = mulberry32(11);
    for (let i = 0; i < 50_000; i++) {
      const x = Math.floor(next() * 2 ** 24) - 2 ** 23;
      const { multiplier, shift } = quantizeMultiplier(10 ** (-5 + 5 * next()));
      const expected = rdbpotBig(srdhmBig(x, multiplier), -shift);
      if (multiplyByQuantizedMultiplier(x, multiplier, shift) !== expected)
        expect.fail(`MBQM(${x}, ${multiplier}, ${shift})`);
    }
  });
});
