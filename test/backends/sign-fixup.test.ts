/**
 * The requantization without its sign fix-up (compiler/backends/c/sign-fixup.ts): SMMLSR with the fix-up and R is
 * TFLite's MultiplyByQuantizedMultiplier (the model the proof starts from); the R fixupFreeR gives is exact on every y
 * of the range it was given, near ties and the bound 2^(32−s) for every s; and the bound itself: a range reaching
 * 2^(32−s) − 1 keeps R − 1, one reaching 2^(32−s) has none (s ≥ 13, where saturation does not cover it).
 */
import { describe, expect, it } from 'vitest';
import { multiplyByQuantizedMultiplier, saturatingRoundingDoublingHighMul } from '../../compiler/arith/fixed-point.ts';
import { fixupFreeR, smmlsrInt8 } from '../../compiler/backends/c/sign-fixup.ts';
import { seededUniform } from '../support/seeded.ts';

const sat8 = (v: number): number => Math.min(Math.max(v, -128), 127);

/** TFLite's stored output of y = SRDHM(acc, M) for right shift s: sat8(offset + RoundingDivideByPOT(y, s)). */
function tflite(acc: number, m: number, s: number, offset: number): number {
  return sat8(offset + multiplyByQuantizedMultiplier(acc, m, -s));
}

/** The y of the channel's accumulators whose outputs are most likely to differ: ties, the bound, both signs. */
function probeYs(s: number): number[] {
  const bound = 2 ** (32 - s);
  const ys = new Set<number>([0, 1, -1, bound - 1, -bound, -bound + 1, bound, -bound - 1]);
  for (let k = -3; k <= 3; k++) {
    const tie = k * 2 ** s + 2 ** (s - 1) * Math.sign(k || 1);
    for (const d of [-1, 0, 1]) if (Math.abs(tie + d) < 2 ** 31) ys.add(tie + d);
  }
  return [...ys].filter((y) => y > -(2 ** 31) && y < 2 ** 31);
}

describe('the requantization without its sign fix-up', () => {
  it('SMMLSR with the fix-up and R = −2^(32−s) is TFLite’s output, for s in 1..31', () => {
    const m = 1518500250; // √2/2 in Q31
    const accs = seededUniform(7, 400, -(2 ** 31), 2 ** 31 - 1).map(Math.round);
    for (let s = 1; s <= 31; s++) {
      for (const acc of [...accs, 0, 1, -1, 2 ** s, -(2 ** s), 2 ** (s - 1), -(2 ** (s - 1))]) {
        if (acc <= -(2 ** 31) || acc >= 2 ** 31) continue;
        const y = saturatingRoundingDoublingHighMul(acc, m);
        expect(smmlsrInt8(y < 0 ? y - 1 : y, -(2 ** (32 - s)), -3)).toBe(tflite(acc, m, s, -3));
      }
    }
  });

  it('the R fixupFreeR gives is exact on every probed y of its range, for every s in 2..31', () => {
    const m = 2 ** 31 - 1; // SRDHM(acc, m) = acc for the accumulators probed here (|acc| < 2^30)
    for (let s = 2; s <= 31; s++) {
      const bound = 2 ** (32 - s);
      const ys = probeYs(s).filter((y) => Math.abs(y) < 2 ** 30);
      // Within the bound for every s, and every probe where saturation covers the rest (s ≤ 12).
      const ranges = [ys.filter((y) => y >= -bound && y < bound), ...(s <= 12 ? [ys] : [])];
      for (const offset of [-128, 0, 127]) {
        for (const range of ranges) {
          const r = fixupFreeR(m, -s, Math.min(...range), Math.max(...range), offset);
          expect(r).toBeDefined();
          for (const y of range) expect([s, y, smmlsrInt8(y, r!, offset)]).toEqual([s, y, tflite(y, m, s, offset)]);
        }
      }
    }
  });

  it('s ≤ 12 always drops it (saturation covers every y), s = 1 never (R − 1 is no int32)', () => {
    for (let s = 2; s <= 12; s++)
      expect(fixupFreeR(2 ** 30, -s, -(2 ** 31), 2 ** 31 - 1, 0)).toBe(-(2 ** (32 - s)) - 1);
    expect(fixupFreeR(2 ** 30, -1, -100000, 100000, 0)).toBeUndefined();
  });

  it('past s = 12, R − 1 up to the bound 2^(32−s) and none past it; or while every output is the offset', () => {
    const m = 2 ** 31 - 1;
    // Wide ranges (not enumerated), y = acc here: the highest y at the bound and one past it (for s ≤ 16 the bound
    // is below 2^(s−1), where outputs leave the offset).
    for (const s of [13, 14, 16]) {
      const bound = 2 ** (32 - s);
      expect(fixupFreeR(m, -s, -bound, bound - 1, 0)).toBe(-bound - 1);
      expect(fixupFreeR(m, -s, -bound, bound, 0)).toBeUndefined();
      expect(fixupFreeR(m, -s, -bound - 1, bound - 1, 0)).toBeUndefined();
    }
    // s = 20: every |y|·(2^12 + 1) < 2^31 outputs the offset both ways; one more y, and not.
    const y = Math.floor((2 ** 31 - 1) / (2 ** 12 + 1));
    expect(fixupFreeR(m, -20, -y, y, 0)).toBe(-(2 ** 12) - 1);
    expect(fixupFreeR(m, -20, -y - 1, y + 1, 0)).toBeUndefined();
  });

  it('a channel of one accumulator value gets an R of its own where R − 1 would be wrong', () => {
    // s = 31: y = 938,184,308 (VWW's layer 14) rounds to 0, but 3y + 2^31 ≥ 2^32 puts R − 1 = −3 one above.
    const y = 938184308;
    const m = 2 ** 31 - 1;
    expect(smmlsrInt8(y, -3, 5)).not.toBe(tflite(y, m, 31, 5));
    const r = fixupFreeR(m, -31, y, y, 5);
    expect(r).toBeDefined();
    expect(smmlsrInt8(y, r!, 5)).toBe(tflite(y, m, 31, 5));
  });

  it('a dead channel (multiplier 0) keeps R = 0', () => {
    expect(fixupFreeR(0, 0, -(2 ** 31), 2 ** 31 - 1, 9)).toBe(0);
  });
});
