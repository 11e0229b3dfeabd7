/**
 * @fileoverview Whether a layer's 'smmul' requantization (kernels/internal/armv7em_dsp.h) can go without its sign
 * fix-up: the (M2, R) pairs then hold R' = R − 1 and the Cortex-M kernels skip `add y, y, y, asr #31` (one cycle an
 * output). The argument, for a channel with multiplier M ≥ 2^30, right shift s and y = SRDHM(acc, M):
 *   With the fix-up, z = SMMLSR(y − [y < 0], R, offset) = floor((N + y·2^(32−s) − [y < 0]·2^(32−s)) / 2^32) with
 *   N = offset·2^32 + 2^31; without it, z' = SMMLSR(y, R', offset) = floor((N + y·2^(32−s) + y) / 2^32).
 *   For s ≥ 1, N + y·2^(32−s) is a multiple of 2^(32−s), and so is every multiple of 2^32: adding y in
 *   [0, 2^(32−s)) reaches no next multiple, and subtracting |y| in [1, 2^(32−s)] lands in the same step of 2^32 as
 *   subtracting 2^(32−s). So z' = z whenever −2^(32−s) ≤ y < 2^(32−s) (R' is an int32 for s ≥ 2).
 *   Elsewhere the numerators differ by y + [y < 0]·2^(32−s), less than 2^32 in magnitude, so z' and z differ by at most
 *   one and in y's direction; there |y| ≥ 2^(32−s), so |z − offset| ≥ 2^(32−2s), which for s ≤ 12 is ≥ 256: z and z'
 *   both saturate to the same int8 (offset and the activation range lie in int8's). So s in 2..12 is always exact;
 *   s ≥ 13 is exact where the accumulators' range (accumulatorRange) keeps y inside [−2^(32−s), 2^(32−s)), or keeps
 *   |y|·(2^(32−s) + 1) below 2^31: then |y| < 2^(s−1), so z = offset, and z' = floor((N + y·(2^(32−s) + 1)) / 2^32)
 *   = offset too. Failing those, a narrow range of y is checked value by value, and a channel of one accumulator
 *   value (zero weights and a bias: VWW's later pointwise layers have a few, s up to 31) gets an R of its own that
 *   gives its one output without the fix-up.
 */

import { saturatingRoundingDoublingHighMul } from '../../arith/fixed-point.ts';
import type { Graph, Node } from '../../ir/graph.ts';
import { tensorOf } from '../../ir/graph.ts';
import { foldedMacBias } from '../../quantize/prepare/prepare-int8.ts';

/** Each channel's accumulator range: folded bias + Σ w·x over every int8 x (a padded tap reads the zero point, an int8). */
export function accumulatorRange(g: Graph, node: Node, inputOffset: number): { lo: Float64Array; hi: Float64Array } {
  const f = tensorOf(g, node.inputs[1]!);
  const w = f.data as Int8Array;
  const o = f.shape[0]!;
  const k = w.length / o;
  const folded = foldedMacBias(g, node, inputOffset);
  const lo = new Float64Array(o);
  const hi = new Float64Array(o);
  for (let c = 0; c < o; c++) {
    let down = folded[c]!;
    let up = folded[c]!;
    for (let i = 0; i < k; i++) {
      const v = w[c * k + i]!;
      down += v > 0 ? -128 * v : 127 * v;
      up += v > 0 ? 127 * v : -128 * v;
    }
    lo[c] = down;
    hi[c] = up;
  }
  return { lo, hi };
}

/** The widest range of y checked value by value. */
const ENUMERATED_YS = 4096;

/** What the kernels store for y = SRDHM(acc, M) before the clamp: sat8(SMMLSR(y, r, offset)), exactly. */
export function smmlsrInt8(y: number, r: number, offset: number): number {
  const n = BigInt(offset) * 2n ** 32n - BigInt(y) * BigInt(r) + 2n ** 31n;
  const q = n >= 0n ? n / 2n ** 32n : -((-n + 2n ** 32n - 1n) / 2n ** 32n); // floor (BigInt division truncates)
  return Math.min(Math.max(Number(q), -128), 127);
}

/** The same with the sign fix-up and R = −2^(32−s): TFLite's output, saturated. */
function withFixup(y: number, s: number, offset: number): number {
  return smmlsrInt8(y < 0 ? y - 1 : y, -(2 ** (32 - s)), offset);
}

/** R for a channel whose accumulator is one value (zero weights): one that gives its output without the fix-up. */
function solvedR(y: number, s: number, offset: number): number | undefined {
  const target = withFixup(y, s, offset);
  const r = y === 0 ? 0 : -Number((BigInt(target - offset) * 2n ** 32n) / BigInt(y));
  return r >= -(2 ** 31) && r < 2 ** 31 && smmlsrInt8(y, r, offset) === target ? r : undefined;
}

/**
 * The R one channel reads without the fix-up (TFLite's multiplier and shift, its accumulators within [lo, hi], the
 * output offset): 0 for a dead channel, R − 1 where the argument above holds, one solved for the output of a channel
 * of one accumulator value, else undefined.
 */
export function fixupFreeR(
  multiplier: number,
  shift: number,
  lo: number,
  hi: number,
  offset: number,
): number | undefined {
  if (multiplier === 0) return 0; // a dead channel's pair (0, 0) gives the offset either way
  const s = -shift;
  // SRDHM is monotone in its first argument (M > 0): the range's ends bound y (an int32 accumulator saturates there).
  const clampAcc = (a: number): number => Math.min(Math.max(a, -(2 ** 31)), 2 ** 31 - 1);
  const yLo = saturatingRoundingDoublingHighMul(clampAcc(lo), multiplier);
  const yHi = saturatingRoundingDoublingHighMul(clampAcc(hi), multiplier);
  if (s >= 2) {
    const r = -(2 ** (32 - s)) - 1;
    if (s <= 12 || (yLo >= -(2 ** (32 - s)) && yHi < 2 ** (32 - s))) return r;
    if (Math.max(-yLo, yHi) * (2 ** (32 - s) + 1) < 2 ** 31) return r;
    if (yHi - yLo < ENUMERATED_YS) {
      let exact = true;
      for (let y = yLo; y <= yHi && exact; y++) exact = smmlsrInt8(y, r, offset) === withFixup(y, s, offset);
      if (exact) return r;
    }
  }
  return yLo === yHi ? solvedR(yLo, s, offset) : undefined;
}

/**
 * Each channel's R without the fix-up (fixupFreeR) for a MAC layer in the 'smmul' form, or undefined where some
 * channel has none.
 */
export function fixupFreeRs(
  g: Graph,
  node: Node,
  p: { multipliers: ArrayLike<number>; shifts: ArrayLike<number>; inputOffset: number; outputOffset: number },
): Int32Array | undefined {
  const { lo, hi } = accumulatorRange(g, node, p.inputOffset);
  const rs = new Int32Array(p.multipliers.length);
  for (let c = 0; c < rs.length; c++) {
    const r = fixupFreeR(p.multipliers[c]!, p.shifts[c]!, lo[c]!, hi[c]!, p.outputOffset);
    if (r === undefined) return undefined;
    rs[c] = r;
  }
  return rs;
}
