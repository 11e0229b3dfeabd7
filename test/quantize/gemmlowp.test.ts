/**
 * gemmlowp's fixed-point math functions as TFLite's int8 softmax and logistic use them: hand-checked values (the
 * exact bits where the arithmetic can be followed by hand), every constant equal to the real number gemmlowp's
 * checked-constant macro names, and float sanity bounds (exp within 1e−6 relative, the reciprocal within 2^−27,
 * logistic within 1e−6).
 */
import { describe, expect, it } from 'vitest';
import { INT32_MAX, INT32_MIN, saturatingRoundingDoublingHighMul as srdhm } from '../../compiler/arith/fixed-point.ts';
import {
  EXP_MINUS_ONE_EIGHTH,
  EXP_OF_MINUS_POT,
  expOnIntervalBetweenNegativeOneQuarterAnd0Excl,
  expOnNegativeValues,
  FORTY_EIGHT_OVER_17,
  getReciprocal,
  logistic,
  MINUS_THIRTY_TWO_OVER_17,
  ONE_THIRD,
  oneOverOnePlusXForXIn01,
  roundingHalfSum,
  saturatingRoundingMultiplyByPOT,
} from '../../compiler/arith/gemmlowp.ts';
import { mulberry32 } from '../support/seeded.ts';

const Q31 = 2 ** 31;

describe('gemmlowp constants', () => {
  it('each is its real value rounded to Q0.31 or Q2.29, as GEMMLOWP_CHECKED_FIXEDPOINT_CONSTANT asserts', () => {
    expect(EXP_MINUS_ONE_EIGHTH).toBe(Math.round(Q31 * Math.exp(-1 / 8)));
    expect(ONE_THIRD).toBe(Math.round(Q31 / 3));
    for (const [k, m] of EXP_OF_MINUS_POT) expect(m).toBe(Math.round(Q31 * Math.exp(-(2 ** k))));
    expect(FORTY_EIGHT_OVER_17).toBe(Math.round((2 ** 29 * 48) / 17));
    expect(MINUS_THIRTY_TWO_OVER_17).toBe(Math.round((-(2 ** 29) * 32) / 17));
  });
});

describe('roundingHalfSum and saturatingRoundingMultiplyByPOT', () => {
  it('half sums round half away from zero: (1+2)/2 → 2, (−1−2)/2 → −2, (2+4)/2 = 3, (0 + INT32_MAX)/2 → 2^30', () => {
    expect([
      roundingHalfSum(1, 2),
      roundingHalfSum(-1, -2),
      roundingHalfSum(2, 4),
      roundingHalfSum(0, INT32_MAX),
    ]).toEqual([2, -2, 3, 2 ** 30]);
  });
  it('×4 saturates beyond ±(2^29 − 1), ×2^−1 rounds half away from zero', () => {
    expect(saturatingRoundingMultiplyByPOT(2 ** 29 - 1, 2)).toBe(2 ** 31 - 4);
    expect(saturatingRoundingMultiplyByPOT(2 ** 29, 2)).toBe(INT32_MAX);
    expect(saturatingRoundingMultiplyByPOT(-(2 ** 29) + 1, 2)).toBe(-(2 ** 31) + 4);
    expect(saturatingRoundingMultiplyByPOT(-(2 ** 29), 2)).toBe(INT32_MIN);
    expect([
      saturatingRoundingMultiplyByPOT(5, -1),
      saturatingRoundingMultiplyByPOT(-5, -1),
      saturatingRoundingMultiplyByPOT(7, 0),
    ]).toEqual([3, -3, 7]);
  });
});

describe('exp_on_negative_values', () => {
  it('exp(0) is One, INT32_MAX in Q0.31, whatever the input format', () => {
    expect(expOnNegativeValues(0, 5)).toBe(INT32_MAX);
    expect(expOnNegativeValues(0, 4)).toBe(INT32_MAX);
  });
  it('at −1/8 the Taylor expansion is centred: x = 0, so the result is exactly the constant exp(−1/8)', () => {
    expect(expOnIntervalBetweenNegativeOneQuarterAnd0Excl(-(2 ** 28))).toBe(EXP_MINUS_ONE_EIGHTH);
  });
  it('exp(−1) in Q5.26 is the polynomial at −1/4 times exp(−1/4) and exp(−1/2): bits 24 and 25 of 1 − 1/4', () => {
    // a = −2^26: a mod 1/4 − 1/4 = −2^24 (−1/4), remainder 3·2^24 sets the bits of 1/4 and 1/2.
    const quarter = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(-(2 ** 29));
    expect(expOnNegativeValues(-(2 ** 26), 5)).toBe(
      srdhm(srdhm(quarter, EXP_OF_MINUS_POT[0]![1]), EXP_OF_MINUS_POT[1]![1]),
    );
  });
  it('is within 1e−6 relative of Math.exp for x from 1/1000 to 5, in Q5.26 (softmax) and Q4.27 (logistic)', () => {
    for (const bits of [5, 4]) {
      for (const x of [0.001, 0.1, 0.125, 0.25, 0.3, 0.5, 1, 1.7, 2, 3.5, 5]) {
        const raw = -Math.round(x * 2 ** (31 - bits));
        const exact = Math.exp(raw / 2 ** (31 - bits));
        expect(Math.abs(expOnNegativeValues(raw, bits) / Q31 / exact - 1)).toBeLessThan(1e-6);
      }
    }
  });
  it('is within 1e−6 relative plus 2^−30 of Math.exp on 20,000 seeded inputs over the whole Q5.26 range [−32, 0]', () => {
    // The degree-4 expansion over ±1/8 errs by up to (1/8)^5/120 ≈ 2.5e−7 relative; Q0.31 adds absolute steps.
    const next = mulberry32(5);
    for (let i = 0; i < 20_000; i++) {
      const raw = -Math.floor(next() * 2 ** 31);
      const got = expOnNegativeValues(raw, 5) / Q31;
      const exact = Math.exp(raw / 2 ** 26);
      if (Math.abs(got - exact) > 1e-6 * exact + 2 ** -30) expect.fail(`exp(${raw / 2 ** 26}) = ${got}`);
    }
  });
});

describe('one_over_one_plus_x_for_x_in_0_1 and GetReciprocal', () => {
  it('1/(1 + 0): Newton–Raphson reaches 2.0 for 1/(1/2) in Q2.29, 2^30, which halved and doubled to Q0.31 saturates at One', () => {
    expect(oneOverOnePlusXForXIn01(0)).toBe(INT32_MAX);
  });
  it('is within 2^−28 of 1/(1 + x) on seeded x in [0, 1)', () => {
    const next = mulberry32(9);
    for (let i = 0; i < 20_000; i++) {
      const a = Math.floor(next() * Q31);
      const got = oneOverOnePlusXForXIn01(a) / Q31;
      if (Math.abs(got - 1 / (1 + a / Q31)) > 2 ** -28) expect.fail(`1/(1 + ${a / Q31}) = ${got}`);
    }
  });
  it('GetReciprocal of Q12.19 sums: 1.0 → (≈1, 0), 2.0 → (≈1, 1), 3.0 → (≈2/3, 1), 0.75 → (≈2/3, −1)', () => {
    const one = 2 ** 19;
    expect(getReciprocal(one, 12)).toEqual({ scale: INT32_MAX, numBitsOverUnit: 0 });
    expect(getReciprocal(2 * one, 12)).toEqual({ scale: INT32_MAX, numBitsOverUnit: 1 });
    const three = getReciprocal(3 * one, 12);
    expect(three.numBitsOverUnit).toBe(1);
    expect(Math.abs(three.scale / Q31 - 2 / 3)).toBeLessThan(2 ** -29);
    const threeQuarters = getReciprocal(0.75 * one, 12);
    expect(threeQuarters.numBitsOverUnit).toBe(-1);
    expect(Math.abs(threeQuarters.scale / Q31 - 2 / 3)).toBeLessThan(2 ** -29);
  });
  it('scale · 2^−n is 1/x within 2^−27 relative on seeded sums', () => {
    const next = mulberry32(13);
    for (let i = 0; i < 10_000; i++) {
      const x = 1 + Math.floor(next() * (Q31 - 1));
      const { scale, numBitsOverUnit } = getReciprocal(x, 12);
      const got = (scale / Q31) * 2 ** -numBitsOverUnit;
      if (Math.abs(got * (x / 2 ** 19) - 1) > 2 ** -27) expect.fail(`1/${x / 2 ** 19} = ${got}`);
    }
  });
});

describe('logistic', () => {
  it('logistic(0) is one half, 2^30, exactly', () => {
    expect(logistic(0, 4)).toBe(2 ** 30);
  });
  it('logistic(−a) = One − logistic(a) bit for bit (how gemmlowp gets negative inputs)', () => {
    for (const a of [1, 12345, 2 ** 27, 3 * 2 ** 27, 2 ** 31 - 1])
      expect(logistic(-a, 4)).toBe(INT32_MAX - logistic(a, 4));
  });
  it('is within 1e−6 of 1/(1 + e^−x) on seeded Q4.27 inputs over [−16, 16) (exp errs by 2.5e−7 relative)', () => {
    const next = mulberry32(17);
    for (let i = 0; i < 20_000; i++) {
      const a = Math.floor(next() * 2 ** 32) - 2 ** 31;
      const got = logistic(a, 4) / Q31;
      if (Math.abs(got - 1 / (1 + Math.exp(-a / 2 ** 27))) > 1e-6) expect.fail(`logistic(${a / 2 ** 27}) = ${got}`);
    }
  });
});
