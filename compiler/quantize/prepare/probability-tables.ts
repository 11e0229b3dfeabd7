/**
 * @fileoverview Prepare of TFLite's int8 softmax and logistic: the 256-entry tables their kernels look up, made once
 * in the compiler, and the probability output (scale 1/256, zero point −128) both require.
 *
 * - softmax (TFLite's int8 Softmax; output scale 1/256, zero point −128): per row, d = max(x) − x ∈ [0, 255] and
 *   e = T[d], T a 256-entry int32 table made here: T[d] = exp_on_negative_values(SRDHM(−d·2^L, M)) as Q0.31 (the
 *   difference in Q5.26), M, L = QuantizeMultiplierGreaterThanOne(min(β·s_in·2^26, 2^31 − 1)), and T[d] = 0 for
 *   d > R, R = ⌊31·2^26 / 2^L⌋ (TFLite's diff_min = −R; it skips those elements, which a 0 entry does exactly).
 *   S = Σ RDBPOT(e, 12) (the sum in Q12.19); (scale, n) = GetReciprocal(S, 12);
 *   y = clamp(RDBPOT(SRDHM(scale, e), n + 23) − 128), and y = −128 when n + 23 > 31 (S ≥ 512: TFLM's TFLITE_CHECK
 *   aborts there; every exact quotient then rounds to 0). At most 4095 classes, so that S < 2^31.
 * - logistic (TFLite's int8 Logistic; output scale 1/256, zero point −128): y = L[x + 128], a 256-entry table made
 *   here: with v = x − zp_in, M, L = frexp(s_in·2^27) (Q31) and R = ⌊15·2^27 / 2^L⌋: −128 for v ≤ −R, 127 for
 *   v ≥ R, else clamp(RDBPOT(logistic(MBQM(v, M, L) as Q4.27) as Q0.31, 23) − 128).
 */

import {
  clampInt,
  frexpMultiplier,
  multiplyByQuantizedMultiplier,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from '../../arith/fixed-point.ts';
import { expOnNegativeValues, logistic } from '../../arith/gemmlowp.ts';
import { TinyedgeError } from '../../errors.ts';
import type { Quantization } from '../../ir/tensor.ts';
import { Q_MAX, Q_MIN } from './quant-params.ts';

/** Integer bits of softmax's scaled input differences (Q5.26), as TFLite. */
export const SOFTMAX_DIFF_INTEGER_BITS = 5;
/** Integer bits of softmax's sum of exponentials (Q12.19), as TFLite. */
export const SOFTMAX_SUM_INTEGER_BITS = 12;
/** Most classes an int8 softmax row may have: each exponential adds at most 2^19 to the Q12.19 sum. */
export const SOFTMAX_MAX_DEPTH = 4095;
/** Integer bits of logistic's rescaled input (Q4.27), as TFLite. */
const LOGISTIC_INPUT_INTEGER_BITS = 4;

/** TFLite's int8 softmax and logistic write probabilities in steps of 1/256 from zero point −128, whatever the tensor says. */
function requireProbabilityOutput(op: string, out: Quantization): void {
  if (out.scale[0] !== 1 / 256 || out.zeroPoint[0] !== Q_MIN)
    throw new TinyedgeError(
      'TE203',
      `int8 ${op} needs output scale 1/256 and zero point −128, got ${out.scale[0]} and ${out.zeroPoint[0]}`,
    );
}

/** TFLite's floor(max_input_rescaled): the largest |input| whose rescaled value stays within the integer bits. */
function inputRadius(integerBits: number, leftShift: number): number {
  return Math.floor(((2 ** integerBits - 1) * 2 ** (31 - integerBits)) / 2 ** leftShift);
}

/** The softmax exponent table T[d] (see the file comment): TFLite's PreprocessSoftmaxScaling, diff_min and exp. */
function softmaxExpTable(beta: number, inputScale: number): Int32Array {
  const real = Math.min(beta * inputScale * 2 ** (31 - SOFTMAX_DIFF_INTEGER_BITS), 2 ** 31 - 1);
  if (!(real > 1))
    throw new TinyedgeError('TE203', `int8 softmax needs β·input scale above 2^−26, got ${beta * inputScale}`);
  const { multiplier, shift } = frexpMultiplier(real);
  const radius = inputRadius(SOFTMAX_DIFF_INTEGER_BITS, shift);
  // MultiplyByQuantizedMultiplierGreaterThanOne: d ≤ R keeps d·2^shift ≤ 31·2^26, so the product is exact.
  return Int32Array.from({ length: 256 }, (_, d) =>
    d > radius
      ? 0
      : expOnNegativeValues(saturatingRoundingDoublingHighMul(-d * 2 ** shift, multiplier), SOFTMAX_DIFF_INTEGER_BITS),
  );
}

/** The logistic table L[x + 128] (see the file comment): TFLM's logistic Prepare and reference_integer_ops::Logistic. */
function logisticTable(inputScale: number, inputZeroPoint: number): Int8Array {
  // TFLM takes round(frexp significand · 2^31) with no carry into the shift; for a float32 scale it is exact anyway.
  const { multiplier, shift } = frexpMultiplier(inputScale * 2 ** (31 - LOGISTIC_INPUT_INTEGER_BITS));
  const radius = inputRadius(LOGISTIC_INPUT_INTEGER_BITS, shift);
  return Int8Array.from({ length: 256 }, (_, i) => {
    const v = i - 128 - inputZeroPoint;
    if (v <= -radius) return Q_MIN;
    if (v >= radius) return Q_MAX;
    const y = logistic(multiplyByQuantizedMultiplier(v, multiplier, shift), LOGISTIC_INPUT_INTEGER_BITS);
    return clampInt(roundingDivideByPOT(y, 23) + Q_MIN, Q_MIN, Q_MAX);
  });
}

/** The int8 softmax table of a row of `depth` classes, its input and output quantization checked. */
export function softmaxInt8Table(depth: number, beta: number, input: Quantization, out: Quantization): Int32Array {
  if (depth > SOFTMAX_MAX_DEPTH)
    throw new TinyedgeError('TE203', `int8 softmax supports up to ${SOFTMAX_MAX_DEPTH} classes, this one has ${depth}`);
  requireProbabilityOutput('softmax', out);
  return softmaxExpTable(beta, input.scale[0]!);
}

/** The int8 logistic table, its output quantization checked. */
export function logisticInt8Table(input: Quantization, out: Quantization): Int8Array {
  requireProbabilityOutput('logistic', out);
  return logisticTable(input.scale[0]!, input.zeroPoint[0]!);
}
