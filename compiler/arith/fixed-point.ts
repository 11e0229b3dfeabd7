/**
 * @fileoverview TFLite's fixed-point primitives (gemmlowp's, as in tensorflow/lite/kernels/internal/common.h),
 * exact on JS numbers. These are the arithmetic of every int8 kernel: the C and WASM kernels implement the same
 * functions and must agree bit for bit.
 *
 * Requantization is TFLite's default "double rounding":
 *   MultiplyByQuantizedMultiplier(x, M, s) = RoundingDivideByPOT(SRDHM(x · 2^max(s,0), M), max(−s,0))
 * where SRDHM(a, b) = saturate(round_half_away((a·b) / 2^31)) computed on the exact 64-bit product, with
 * gemmlowp's nudge and truncating division, and RoundingDivideByPOT rounds half away from zero.
 */

const TWO_31 = 2147483648;
const TWO_16 = 65536;
const TWO_15 = 32768;
/** int32 bounds. */
export const INT32_MIN = -TWO_31;
export const INT32_MAX = TWO_31 - 1;

/**
 * gemmlowp SaturatingRoundingDoublingHighMul: the high 32 bits of 2·a·b, rounded. For int32 a, b.
 * The 64-bit product is never formed: a = ah·2^16 + al splits it into exact double-precision pieces.
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  // Fast path, exact: |a| < 2^21 and |b| ≤ 2^31 keep a·b + nudge below 2^53, and division by 2^31 is exact.
  if (a < 2097152 && a > -2097152) {
    const ab = a * b;
    return Math.trunc((ab >= 0 ? ab + 1073741824 : ab + 1 - 1073741824) / TWO_31) | 0;
  }
  const al = a & 0xffff; // low 16 bits, 0..65535
  const ah = (a - al) / TWO_16; // exact, |ah| ≤ 2^15
  const x = ah * b; // |x| ≤ 2^46: exact
  const xLo = ((x % TWO_15) + TWO_15) % TWO_15; // x = xHi·2^15 + xLo, 0 ≤ xLo < 2^15
  const xHi = (x - xLo) / TWO_15;
  const nonNegative = a === 0 || b === 0 || a > 0 === b > 0;
  const nudge = nonNegative ? 1 << 30 : 1 - (1 << 30);
  // a·b + nudge = xHi·2^31 + r, with r small enough to be exact.
  const r = xLo * TWO_16 + al * b + nudge;
  const rq = Math.floor(r / TWO_31);
  const floorQ = xHi + rq;
  const rem = r - rq * TWO_31;
  // C++ int64 division truncates toward zero: undo the floor for negative non-exact quotients.
  return floorQ < 0 && rem !== 0 ? floorQ + 1 : floorQ;
}

/** gemmlowp RoundingDivideByPOT: int32 x / 2^exponent rounded half away from zero, exponent in 0..31 (bit operations, as in C). */
export function roundingDivideByPOT(x: number, exponent: number): number {
  const mask = exponent >= 31 ? 0x7fffffff : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** TFLite MultiplyByQuantizedMultiplier (double rounding): x·M·2^(shift−31) rounded, x and result int32. */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const left = Math.max(shift, 0);
  const right = shift > 0 ? 0 : -shift;
  // int32 multiply by 2^left wraps like the C kernels do (only the add op shifts left, and never overflows).
  const shifted = left ? Math.imul(x, 1 << left) : x;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(shifted, multiplier), right);
}

/**
 * TFLite's MultiplyByQuantizedMultiplier for an int64 x (16×8 kernels with int64 biases): the multiplier rounded to
 * Q15, then one rounding shift, x·round(M/2^16)·2^(shift−15). TFLite assumes |x| < 2^47 and an int32 result.
 */
export function multiplyByQuantizedMultiplier64(x: number, multiplier: number, shift: number): number {
  const reduced = multiplier < 0x7fff0000 ? (multiplier + (1 << 15)) >> 16 : 0x7fff;
  const total = BigInt(15 - shift);
  // The product reaches 2^62: BigInt keeps it exact (>> on BigInt floors, as C's arithmetic shift).
  return Number((BigInt(x) * BigInt(reduced) + (1n << (total - 1n))) >> total);
}

/** frexp: m = f·2^e with 0.5 ≤ |f| < 1 (m finite, non-zero). Exact, from the float64 bits. */
function frexp(m: number): [number, number] {
  let e = Math.floor(Math.log2(Math.abs(m))) + 1;
  let f = m / 2 ** e;
  // log2 can be off by one near powers of two; fix so that 0.5 ≤ |f| < 1.
  if (Math.abs(f) >= 1) {
    f /= 2;
    e += 1;
  } else if (Math.abs(f) < 0.5) {
    f *= 2;
    e -= 1;
  }
  return [f, e];
}

/** Round half away from zero (C's round / TfLiteRound), unlike Math.round. */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** A real multiplier as TFLite's QuantizeMultiplier encodes it: Q31 significand and power-of-two shift. */
export interface QuantizedMultiplier {
  multiplier: number;
  shift: number;
}

/**
 * TFLite QuantizeMultiplier: m ≈ multiplier·2^(shift−31), multiplier in [2^30, 2^31). Multipliers below 2^−31
 * flush to zero and shifts above 30 saturate, exactly as TFLite does.
 */
export function quantizeMultiplier(m: number): QuantizedMultiplier {
  if (!Number.isFinite(m) || m < 0) throw new Error(`internal: multiplier ${m} is not a finite non-negative number`);
  if (m === 0) return { multiplier: 0, shift: 0 };
  const { multiplier, shift } = frexpMultiplier(m);
  if (shift < -31) return { multiplier: 0, shift: 0 };
  if (shift > 30) return { multiplier: INT32_MAX, shift: 30 };
  return { multiplier, shift };
}

/**
 * m as a Q31 significand in [2^30, 2^31) and any shift, without QuantizeMultiplier's flush or saturation: what
 * softmax's and logistic's Prepare use, whose shifts reach 31 (softmax's multiplier is capped at 2^31 − 1, not 2^30).
 */
export function frexpMultiplier(m: number): QuantizedMultiplier {
  if (!Number.isFinite(m) || m <= 0) throw new Error(`internal: multiplier ${m} is not a finite positive number`);
  const [f, e] = frexp(m);
  const q = roundHalfAway(f * TWO_31);
  // A significand that rounds up to 2^31 becomes 2^30 with the shift one higher, as QuantizeMultiplier does.
  return q === TWO_31 ? { multiplier: q / 2, shift: e + 1 } : { multiplier: q, shift: e };
}

/** Saturates to [lo, hi]. */
export function clampInt(x: number, lo: number, hi: number): number {
  return x < lo ? lo : Math.min(x, hi);
}
