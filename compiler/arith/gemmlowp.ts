/**
 * @fileoverview gemmlowp's fixed-point math functions (fixedpoint.h) that TFLite's int8 softmax and logistic are
 * built from, and TFLite's GetReciprocal, exact on int32 JS numbers. A FixedPoint<I> value is its raw int32 with I
 * integer bits (real = raw / 2^(31 − I)); a product of FixedPoints is SRDHM of the raws, a sum the wrapping int32
 * sum (gemmlowp's Add does not saturate). Here the compiler fills tables with them; the C and WASM softmax kernels
 * redo GetReciprocal at run time, so that part must stay bit-exact with runtime/c and the WASM backend.
 */
import {
  INT32_MAX,
  INT32_MIN,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul as srdhm,
} from './fixed-point.ts';

/** gemmlowp RoundingHalfSum: (a + b)/2 rounded half away from zero (int64 sum, truncating division). */
export function roundingHalfSum(a: number, b: number): number {
  const sum = a + b; // exact in a double
  return Math.trunc((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/** gemmlowp SaturatingRoundingMultiplyByPOT: x·2^exponent, saturating for exponent > 0, RoundingDivideByPOT for < 0. */
export function saturatingRoundingMultiplyByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  if (exponent < 0) return roundingDivideByPOT(x, -exponent);
  const threshold = 2 ** (31 - exponent) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return x * 2 ** exponent;
}

/** gemmlowp Rescale: a FixedPoint raw with `from` integer bits re-expressed with `to` integer bits. */
export function rescale(x: number, from: number, to: number): number {
  return saturatingRoundingMultiplyByPOT(x, from - to);
}

/** One in FixedPoint<I>: 2^(31 − I), or INT32_MAX for I = 0 (1.0 itself is not representable). */
export function fixedOne(integerBits: number): number {
  return integerBits === 0 ? INT32_MAX : 2 ** (31 - integerBits);
}

const add = (a: number, b: number) => (a + b) | 0;
const sub = (a: number, b: number) => (a - b) | 0;

/** exp(−1/8) in Q0.31: the Taylor expansion's centre value. */
export const EXP_MINUS_ONE_EIGHTH = 1895147668;
/** 1/3 in Q0.31. */
export const ONE_THIRD = 715827883;

/** exp(a) for FixedPoint<0> a in [−1/4, 0): a degree-4 Taylor expansion around −1/8. */
export function expOnIntervalBetweenNegativeOneQuarterAnd0Excl(a: number): number {
  const x = add(a, 1 << 28); // a + 1/8
  const x2 = srdhm(x, x);
  const x3 = srdhm(x2, x);
  const x4 = srdhm(x2, x2);
  const x4Over4 = roundingDivideByPOT(x4, 2);
  const poly = roundingDivideByPOT(add(srdhm(add(x4Over4, x3), ONE_THIRD), x2), 1); // x⁴/24 + x³/6 + x²/2
  return add(EXP_MINUS_ONE_EIGHTH, srdhm(EXP_MINUS_ONE_EIGHTH, add(x, poly)));
}

/** [k, exp(−2^k) in Q0.31] for k = −2..4: the barrel shifter's multipliers. */
export const EXP_OF_MINUS_POT: readonly (readonly [number, number])[] = [
  [-2, 1672461947],
  [-1, 1302514674],
  [0, 790015084],
  [1, 290630308],
  [2, 39332535],
  [3, 720401],
  [4, 242],
];

/**
 * gemmlowp exp_on_negative_values: exp(a) as FixedPoint<0> for FixedPoint<integerBits> a ≤ 0. exp of a mod 1/4 by
 * the polynomial, then one multiply by exp(−2^k) per set bit k of the rest (the bits the format has).
 */
export function expOnNegativeValues(a: number, integerBits: number): number {
  const fractionalBits = 31 - integerBits;
  const oneQuarter = 2 ** (fractionalBits - 2);
  const aModQuarterMinusQuarter = sub(a & (oneQuarter - 1), oneQuarter);
  let result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(rescale(aModQuarterMinusQuarter, integerBits, 0));
  const remainder = sub(aModQuarterMinusQuarter, a);
  for (const [k, multiplier] of EXP_OF_MINUS_POT) {
    if (integerBits > k && remainder & (1 << (fractionalBits + k))) result = srdhm(result, multiplier);
  }
  // Below −32 the result is 0; only formats with more than 5 integer bits can hold such values.
  if (integerBits > 5 && a < -(2 ** (36 - integerBits))) result = 0;
  return a === 0 ? fixedOne(0) : result;
}

/** 48/17 in Q2.29: Newton–Raphson's first guess for 1/d is 48/17 − 32/17·d (the WASM softmax builds on these too). */
export const FORTY_EIGHT_OVER_17 = 1515870810;
/** −32/17 in Q2.29. */
export const MINUS_THIRTY_TWO_OVER_17 = -1010580540;

/** gemmlowp one_over_one_plus_x_for_x_in_0_1: 1/(1 + a) for FixedPoint<0> a in [0, 1), by 3 Newton–Raphson steps on FixedPoint<2>. */
export function oneOverOnePlusXForXIn01(a: number): number {
  const halfDenominator = roundingHalfSum(a, fixedOne(0)); // (1 + a)/2 in [1/2, 1)
  const one = fixedOne(2);
  let x = add(FORTY_EIGHT_OVER_17, srdhm(halfDenominator, MINUS_THIRTY_TWO_OVER_17));
  for (let i = 0; i < 3; i++) {
    const oneMinusHalfDenominatorTimesX = sub(one, srdhm(halfDenominator, x));
    x = add(x, rescale(srdhm(x, oneMinusHalfDenominatorTimesX), 4, 2));
  }
  // x ≈ 1/halfDenominator in Q2.29; halved exactly (Q1.30, same raw), then to Q0.31 saturating.
  return rescale(x, 1, 0);
}

/** gemmlowp logistic: 1/(1 + exp(−a)) as FixedPoint<0> for FixedPoint<integerBits> a, by symmetry from a > 0. */
export function logistic(a: number, integerBits: number): number {
  if (a === 0) return 1 << 30; // one half
  const ifPositive = oneOverOnePlusXForXIn01(expOnNegativeValues(a > 0 ? -a : a, integerBits));
  return a > 0 ? ifPositive : sub(fixedOne(0), ifPositive);
}

/**
 * TFLite GetReciprocal: 1/x for a positive FixedPoint<xIntegerBits> x, as a Q0.31 `scale` in (1/2, 1] and the
 * power of two `numBitsOverUnit` it is to be divided by further (x = (1 + f)·2^numBitsOverUnit with f in [0, 1)).
 */
export function getReciprocal(x: number, xIntegerBits: number): { scale: number; numBitsOverUnit: number } {
  const headroomPlusOne = Math.clz32(x);
  // x shifted so its leading 1 is bit 31, minus that bit: f in Q0.31.
  const shiftedMinusOne = (x << headroomPlusOne) & INT32_MAX;
  return { scale: oneOverOnePlusXForXIn01(shiftedMinusOne), numBitsOverUnit: xIntegerBits - headroomPlusOne };
}
