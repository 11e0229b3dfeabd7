/**
 * @fileoverview Requantization of the 16×8 MAC kernels (scalar and SIMD share it): the operands every such layer
 * places, the per-channel table, the i64 or i32 accumulator started from the bias, and the clamped int16 output, exactly as the reference's `requantize` in
 * compiler/reference/integer/conv.ts (TFLite's int64 MultiplyByQuantizedMultiplier when `wide`, the int32 one else).
 */

import { type Node, tensorOf } from '../../../ir/graph.ts';
import { int32BiasValues } from '../../../quantize/prepare/bias-storage.ts';
import type { Expr, FunctionBuilder, Local } from './binaryen.ts';
import { type LayerContext, paramsOf, tensorAddress } from './layer-context.ts';

/** The constants of a MAC node. */
export type MacParams = ReturnType<typeof paramsOf<'mac'>>;

/** Bytes of one channel's row in the requantization table (see requantTable). */
export const REQUANT_ROW = 16;

/**
 * Per-channel requantization constants, REQUANT_ROW bytes a channel. Wide: (reduced, total, round as i64) such that
 * y = (acc·reduced + round) >> total is TFLite's int64 MBQM, with the Q15 multiplier reduced = M < 0x7FFF0000 ?
 * (M + 2^15) >> 16 : 0x7FFF, total = 15 − shift and round = 2^(total − 1). A shift of 15 or more (total ≤ 0, beyond
 * TFLite's DCHECK) is folded into the multiplier as the reference computes it: no rounding, a left shift by −total.
 * Narrow: (M, left shift, right shift, 0) for the int32 `mbqm`.
 */
export function requantTable(p: MacParams): Int32Array {
  const t = new Int32Array((p.multipliers.length * REQUANT_ROW) / 4);
  p.multipliers.forEach((m, c) => {
    const row = (c * REQUANT_ROW) / 4;
    const shift = p.shifts[c]!;
    if (!p.wide) {
      t.set([m, Math.max(shift, 0), Math.max(-shift, 0)], row);
      return;
    }
    const reduced = m < 0x7fff0000 ? (m + (1 << 15)) >> 16 : 0x7fff;
    const total = 15 - shift;
    const round = total > 0 ? 2n ** BigInt(total - 1) : 0n;
    t.set([total > 0 ? reduced : reduced * 2 ** -total, Math.max(total, 0)], row);
    t.set(new Int32Array(BigInt64Array.of(round).buffer), row + 2);
  });
  return t;
}

/** The accumulator, i64 or i32, and the few operations the kernel needs on it. */
export function accumulator(f: FunctionBuilder, wide: boolean) {
  const i64 = f.i64ops;
  const acc = wide ? f.i64() : f.i32();
  return {
    acc,
    zero: (): Expr => (wide ? i64.const(0n) : f.c(0)),
    fromBias: (at: Expr, int64: boolean): Expr =>
      int64 ? f.load64(at) : wide ? i64.extend_s(f.load32(at)) : f.load32(at),
    plus: (product: Expr): Expr => (wide ? i64.add(acc.get(), i64.extend_s(product)) : f.add(acc.get(), product)),
  };
}

/** The requantized, clamped output of channel `o` from the accumulator (`row` holds the channel's table address). */
export function requantized(f: FunctionBuilder, acc: Local, row: Local, p: MacParams, tmp: Local): Expr {
  if (!p.wide)
    return f.clamp(
      f.add(
        f.callI32('mbqm', [acc.get(), f.load32(row.get()), f.load32(row.get(), 4), f.load32(row.get(), 8)]),
        f.c(p.outputOffset),
      ),
      p.actMin,
      p.actMax,
      tmp,
    );
  const i64 = f.i64ops;
  const scaled = i64.shr_s(
    i64.add(i64.mul(acc.get(), i64.extend_s(f.load32(row.get()))), f.load64(row.get(), 8)),
    i64.extend_u(f.load32(row.get(), 4)),
  );
  // Clamped while still int64: the reference clamps the exact value, which may exceed int32.
  const lo = BigInt(p.actMin - p.outputOffset);
  const hi = BigInt(p.actMax - p.outputOffset);
  return f.thenValue(
    [
      acc.set(scaled),
      acc.set(f.select(i64.lt_s(acc.get(), i64.const(lo)), i64.const(lo), acc.get())),
      acc.set(f.select(i64.gt_s(acc.get(), i64.const(hi)), i64.const(hi), acc.get())),
    ],
    f.add(f.m.i32.wrap(acc.get()), f.c(p.outputOffset)),
  );
}

/** What every 16×8 MAC layer reads and writes: input, output, the bias (int64 or int32) and the requantization table. */
export interface Mac16Operands {
  x: number;
  y: number;
  bias?: { at: number; int64: boolean };
  table: number;
  p: MacParams;
}

/** Where a 16×8 bias is placed: an int64 one whose values all fit as int32 (bias-storage.ts), half the bytes. */
function biasOperand(ctx: LayerContext, name: string): { at: number; int64: boolean } {
  const t = tensorOf(ctx.g, name);
  const narrow = t.dtype === 'int64' ? int32BiasValues(t.data as BigInt64Array) : undefined;
  if (narrow) return { at: ctx.data.add(`${name}\0int32`, narrow), int64: false };
  return { at: tensorAddress(ctx, name), int64: t.dtype === 'int64' };
}

/** A 16×8 MAC node's operands, its bias and requantization table placed in the data segment. */
export function mac16Operands(ctx: LayerContext, node: Node): Mac16Operands {
  const p = paramsOf(ctx, node, 'mac');
  const biasName = node.inputs[2]!;
  const bias = biasName === undefined ? undefined : biasOperand(ctx, biasName);
  return {
    x: tensorAddress(ctx, node.inputs[0]!),
    y: tensorAddress(ctx, node.outputs[0]!),
    ...(bias ? { bias } : {}),
    table: ctx.data.add(`${node.name}\0requant16`, requantTable(p)),
    p,
  };
}
