/**
 * @fileoverview The two 513-entry tables of TFLite's int16 softmax, made as TFLM's Prepare makes them (gen_lut in
 * float32: exp on [−10, 0] and 1/(1 + x) on [0, 1], outputs on [−1, 1] as int16), and the interpolating lookup that
 * reads them (generic_int16_table_lookup). Math.fround after every operation reproduces the float32 arithmetic.
 */
import { roundHalfAway } from './fixed-point.ts';

const f = Math.fround;
const STEPS = 512;
const TABLE_MIN = -32768;
const TABLE_MAX = 32767;

/** gen_lut<float, int16_t, int16_t>(func, min, max, −1, 1): each entry biased by half its midpoint error. */
function generateLut(func: (v: number) => number, min: number, max: number): Int16Array {
  const step = f((max - min) / STEPS);
  const halfStep = f(step / 2);
  const outputScalingInv = f(65536 / 2);
  const clamp = (v: number) => Math.min(Math.max(v, TABLE_MIN), TABLE_MAX);
  const lut = new Int16Array(STEPS + 1);
  for (let i = 0; i < STEPS; i++) {
    const val = func(f(min + f(i * step)));
    const valMidpoint = func(f(f(min + f(i * step)) + halfStep));
    const valNext = func(f(min + f((i + 1) * step)));
    const sample = roundHalfAway(f(val * outputScalingInv));
    const midpointInterp = roundHalfAway(f(f(f(valNext * outputScalingInv) + sample) / 2));
    const midpoint = roundHalfAway(f(valMidpoint * outputScalingInv));
    const bias = roundHalfAway(f((midpointInterp - midpoint) / 2));
    lut[i] = clamp(sample - bias);
  }
  lut[STEPS] = clamp(roundHalfAway(f(func(f(max)) * outputScalingInv)));
  return lut;
}

/** TFLM's exp and reciprocal tables for int16 softmax. */
export function softmaxInt16Tables(): { expLut: Int16Array; reciprocalLut: Int16Array } {
  return {
    expLut: generateLut((v) => f(Math.exp(v)), -10, 0),
    reciprocalLut: generateLut((v) => f(1 / f(1 + v)), 0, 1),
  };
}

/** generic_int16_table_lookup: the entry at 256 + (v >> 7) plus the slope to the next times (v & 127), rounded. */
export function lookupInt16(v: number, lut: Int16Array): number {
  const i = 256 + (v >> 7);
  const base = lut[i]!;
  return ((base + (((lut[i + 1]! - base) * (v & 0x7f) + 64) >> 7)) << 16) >> 16;
}
