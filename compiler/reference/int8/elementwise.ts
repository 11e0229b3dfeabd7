/** @fileoverview int8 reference kernels of add (TFLite's left-shift-20 rescaling), mul, requantize, softmax and logistic (see prepare-int8.ts for the formulas). */
import { multiplyByQuantizedMultiplier as mbqm, clampInt, roundingDivideByPOT, saturatingRoundingDoublingHighMul as srdhm } from '../../quantize/fixed-point.ts';
import { getReciprocal } from '../../quantize/gemmlowp.ts';
import { ADD_LEFT_SHIFT, Int8Params, Requant, SOFTMAX_SUM_INTEGER_BITS } from '../../quantize/prepare-int8.ts';
import { broadcastBinary } from '../broadcast.ts';
import { sizeOf } from '../../ir/tensor.ts';

type AddParams = Extract<Int8Params, { kind: 'add' }>;
type MulParams = Extract<Int8Params, { kind: 'mul' }>;

/** int8 add with broadcasting. */
export function addInt8(a: Int8Array, aShape: readonly number[], b: Int8Array, bShape: readonly number[], outShape: readonly number[], p: AddParams): Int8Array {
  const y = new Int8Array(sizeOf(outShape));
  const shift = 1 << ADD_LEFT_SHIFT;
  broadcastBinary(a, aShape, b, bShape, outShape, y, (x1, x2) => {
    const s1 = mbqm((x1 + p.input1Offset) * shift, p.input1Multiplier, p.input1Shift);
    const s2 = mbqm((x2 + p.input2Offset) * shift, p.input2Multiplier, p.input2Shift);
    return clampInt(mbqm(s1 + s2, p.outputMultiplier, p.outputShift) + p.outputOffset, p.actMin, p.actMax);
  });
  return y;
}

/** int8 mul with broadcasting. */
export function mulInt8(a: Int8Array, aShape: readonly number[], b: Int8Array, bShape: readonly number[], outShape: readonly number[], p: MulParams): Int8Array {
  const y = new Int8Array(sizeOf(outShape));
  broadcastBinary(a, aShape, b, bShape, outShape, y, (x1, x2) =>
    clampInt(mbqm((x1 + p.input1Offset) * (x2 + p.input2Offset), p.outputMultiplier, p.outputShift) + p.outputOffset, p.actMin, p.actMax),
  );
  return y;
}

/** Rescales to the output quantization (a copy when it is the same), then clamps. */
export function requantizeInt8(x: Int8Array, r: Requant, outputOffset: number, actMin: number, actMax: number): Int8Array {
  if (r.identity && actMin === -128 && actMax === 127) return x;
  return x.map((v) => clampInt(r.identity ? v : mbqm(v + r.inputOffset, r.multiplier, r.shift) + outputOffset, actMin, actMax));
}

/** TFLite's int8 softmax over the last axis with the exponent table; output scale 1/256, zero point −128. */
export function softmaxInt8(x: Int8Array, depth: number, expTable: Int32Array): Int8Array {
  const y = new Int8Array(x.length);
  for (let r = 0; r < x.length; r += depth) {
    let max = -128;
    for (let i = 0; i < depth; i++) max = Math.max(max, x[r + i]);
    let sum = 0;
    for (let i = 0; i < depth; i++) sum += roundingDivideByPOT(expTable[max - x[r + i]], SOFTMAX_SUM_INTEGER_BITS); // Q0.31 → Q12.19
    const { scale, numBitsOverUnit } = getReciprocal(sum, SOFTMAX_SUM_INTEGER_BITS);
    const exponent = numBitsOverUnit + 31 - 8; // to 8 output bits
    for (let i = 0; i < depth; i++) {
      // Beyond a shift of 31 (TFLM aborts there) the exact quotient of an int32 by 2^32 or more rounds to 0.
      const q = exponent > 31 ? 0 : roundingDivideByPOT(srdhm(scale, expTable[max - x[r + i]]), exponent);
      y[r + i] = clampInt(q - 128, -128, 127);
    }
  }
  return y;
}

/** A 256-entry lookup indexed by x + 128. */
export function lookupInt8(x: Int8Array, table: Int8Array): Int8Array {
  return x.map((v) => table[v + 128]);
}
