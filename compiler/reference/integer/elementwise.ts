/** @fileoverview Integer reference kernels of add (TFLite's left-shift rescaling), mul, requantize, softmax (int8 and int16) and logistic (see prepare-int8.ts for the formulas). */
import {
  clampInt,
  multiplyByQuantizedMultiplier as mbqm,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul as srdhm,
} from '../../arith/fixed-point.ts';
import { getReciprocal } from '../../arith/gemmlowp.ts';
import { lookupInt16 } from '../../arith/softmax-int16.ts';
import { sizeOf } from '../../ir/tensor.ts';
import type { Int8Params, Requant } from '../../quantize/prepare/prepare-int8.ts';
import { SOFTMAX_SUM_INTEGER_BITS } from '../../quantize/prepare/probability-tables.ts';
import { broadcastBinary } from '../broadcast.ts';
import { alike } from '../layout.ts';
import type { Activations } from './conv.ts';

type AddParams = Extract<Int8Params, { kind: 'add' }>;
type MulParams = Extract<Int8Params, { kind: 'mul' }>;
type Softmax16Params = Extract<Int8Params, { kind: 'softmax16' }>;

/** Integer add with broadcasting. */
export function addInt8<T extends Activations>(
  a: T,
  aShape: readonly number[],
  b: T,
  bShape: readonly number[],
  outShape: readonly number[],
  p: AddParams,
): T {
  const y = alike(a, sizeOf(outShape));
  const shift = 1 << p.leftShift;
  broadcastBinary(a, aShape, b, bShape, outShape, y, (x1, x2) => {
    const s1 = mbqm((x1 + p.input1Offset) * shift, p.input1Multiplier, p.input1Shift);
    const s2 = mbqm((x2 + p.input2Offset) * shift, p.input2Multiplier, p.input2Shift);
    return clampInt(mbqm(s1 + s2, p.outputMultiplier, p.outputShift) + p.outputOffset, p.actMin, p.actMax);
  });
  return y;
}

/** Integer mul with broadcasting. */
export function mulInt8<T extends Activations>(
  a: T,
  aShape: readonly number[],
  b: T,
  bShape: readonly number[],
  outShape: readonly number[],
  p: MulParams,
): T {
  const y = alike(a, sizeOf(outShape));
  broadcastBinary(a, aShape, b, bShape, outShape, y, (x1, x2) =>
    clampInt(
      mbqm((x1 + p.input1Offset) * (x2 + p.input2Offset), p.outputMultiplier, p.outputShift) + p.outputOffset,
      p.actMin,
      p.actMax,
    ),
  );
  return y;
}

/** Rescales to the output quantization and type (a copy when they are the same), then clamps. */
export function requantizeInt8(
  x: Activations,
  r: Requant,
  outputOffset: number,
  actMin: number,
  actMax: number,
  outType: 'int8' | 'int16',
): Activations {
  const y = outType === 'int8' ? new Int8Array(x.length) : new Int16Array(x.length);
  for (let i = 0; i < x.length; i++)
    y[i] = clampInt(
      r.identity ? x[i]! : mbqm(x[i]! + r.inputOffset, r.multiplier, r.shift) + outputOffset,
      actMin,
      actMax,
    );
  return y;
}

/** TFLite's int8 softmax over the last axis with the exponent table; output scale 1/256, zero point −128. */
export function softmaxInt8(x: Int8Array, depth: number, expTable: Int32Array): Int8Array {
  const y = new Int8Array(x.length);
  for (let r = 0; r < x.length; r += depth) {
    let max = -128;
    for (let i = 0; i < depth; i++) max = Math.max(max, x[r + i]!);
    let sum = 0;
    for (let i = 0; i < depth; i++) sum += roundingDivideByPOT(expTable[max - x[r + i]!]!, SOFTMAX_SUM_INTEGER_BITS); // Q0.31 → Q12.19
    const { scale, numBitsOverUnit } = getReciprocal(sum, SOFTMAX_SUM_INTEGER_BITS);
    const exponent = numBitsOverUnit + 31 - 8; // to 8 output bits
    for (let i = 0; i < depth; i++) {
      // Beyond a shift of 31 (TFLM aborts there) the exact quotient of an int32 by 2^32 or more rounds to 0.
      const q = exponent > 31 ? 0 : roundingDivideByPOT(srdhm(scale, expTable[max - x[r + i]!]!), exponent);
      y[r + i] = clampInt(q - 128, -128, 127);
    }
  }
  return y;
}

/** TFLite's SoftmaxInt16 over the last axis (see prepare-int8.ts); output scale 1/32768, zero point 0. */
export function softmaxInt16(x: Int16Array, depth: number, p: Softmax16Params): Int16Array {
  const y = new Int16Array(x.length);
  const e = new Int32Array(depth);
  for (let r = 0; r < x.length; r += depth) {
    let max = -32768;
    for (let i = 0; i < depth; i++) max = Math.max(max, x[r + i]!);
    let sum = 0;
    for (let i = 0; i < depth; i++) {
      const d = mbqm(x[r + i]! - max, p.inputMultiplier, p.inputShift) + 32767;
      e[i] = lookupInt16(clampInt(d, -32768, 32767), p.expLut);
      sum += e[i]!;
    }
    const headroomPlusOne = Math.clz32(sum);
    // ((S << (h − 1)) + 2^13) >> 14 in int64: S·2^(h−1) < 2^31, exact in float64.
    const shifted = Math.floor((sum * 2 ** (headroomPlusOne - 1) + (1 << 13)) / (1 << 14));
    const reciprocal = lookupInt16(clampInt(shifted - ((1 << 15) + (1 << 16)), -32768, 32767), p.reciprocalLut);
    const rightShift = 31 - headroomPlusOne;
    for (let i = 0; i < depth; i++)
      y[r + i] = clampInt(Math.floor((e[i]! * reciprocal + 2 ** (rightShift - 1)) / 2 ** rightShift), 0, 32767);
  }
  return y;
}

/** A 256-entry lookup indexed by x + 128. */
export function lookupInt8(x: Int8Array, table: Int8Array): Int8Array {
  return x.map((v) => table[v + 128]!);
}
