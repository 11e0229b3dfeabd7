/**
 * @fileoverview How real values map to int8 under TFLite's quantization spec: activations asymmetric per tensor
 * (the range always contains 0 so zero padding is exact), weights symmetric per output channel in [−127, 127],
 * biases int32 at scale input_scale × weight_scale with zero point 0.
 */
import { clampInt, roundHalfAway } from '../../arith/fixed-point.ts';
import type { Quantization } from '../../ir/tensor.ts';

/** The int8 range. */
export const Q_MIN = -128;
export const Q_MAX = 127;

/** Integer types an activation may have: int8, or int16 in 16×8 models (int16 activations, int8 weights). */
export type ActivationType = 'int8' | 'int16';

/** The range of each activation type. */
export const RANGE_OF: Readonly<Record<ActivationType, readonly [number, number]>> = {
  int8: [Q_MIN, Q_MAX],
  int16: [-32768, 32767],
};

/** The activation type of a tensor's dtype; anything else is not an activation of a quantized graph. */
export function activationType(dtype: string): ActivationType {
  if (dtype !== 'int8' && dtype !== 'int16') throw new Error(`internal: ${dtype} is not an activation type`);
  return dtype;
}

/** Per-tensor int8 parameters covering [min, max] (widened to include 0), as TFLite's ChooseQuantizationParams. */
export function activationQuant(min: number, max: number): Quantization {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  // A constant-zero tensor still needs a valid scale. float32, as .tflite stores it: an exported model computes the same.
  const scale = Math.fround(hi > lo ? (hi - lo) / (Q_MAX - Q_MIN) : 1 / 255);
  const zeroPoint = clampInt(roundHalfAway(Q_MIN - lo / scale), Q_MIN, Q_MAX);
  return { scale: [scale], zeroPoint: [zeroPoint] };
}

/** 16×8 activations (TFLite's 16x8 mode): int16, symmetric (zero point 0), scale max|x| / 32767. */
export function activationQuantInt16(min: number, max: number): Quantization {
  const m = Math.max(Math.abs(min), Math.abs(max));
  return { scale: [Math.fround(m > 0 ? m / 32767 : 1 / 32767)], zeroPoint: [0] };
}

/** q = clamp(round(x / scale) + zeroPoint) for one value. */
export function quantizeValue(x: number, scale: number, zeroPoint: number, lo = Q_MIN, hi = Q_MAX): number {
  return clampInt(roundHalfAway(x / scale) + zeroPoint, lo, hi);
}

/** Quantizes a whole f32 array with per-tensor parameters. */
export function quantizeArray(x: Float32Array, q: Quantization): Int8Array {
  return Int8Array.from(x, (v) => quantizeValue(v, q.scale[0]!, q.zeroPoint[0]!));
}

/** The same for int16 (16×8 activations). */
export function quantizeArrayInt16(x: Float32Array, q: Quantization): Int16Array {
  return Int16Array.from(x, (v) => quantizeValue(v, q.scale[0]!, q.zeroPoint[0]!, ...RANGE_OF.int16));
}

/** Quantizes f32 values for an activation tensor, in its type (int8, or int16 in 16×8 models) and quantization. */
export function quantizeForTensor(x: Float32Array, t: { dtype: string; quant?: Quantization }): Int8Array | Int16Array {
  if (!t.quant) throw new Error('internal: the tensor has no quantization');
  return activationType(t.dtype) === 'int8' ? quantizeArray(x, t.quant) : quantizeArrayInt16(x, t.quant);
}

/** real = scale × (q − zeroPoint), per tensor. */
export function dequantizeArray(q: ArrayLike<number>, quant: Quantization): Float32Array {
  const s = quant.scale[0]!;
  const z = quant.zeroPoint[0]!;
  return Float32Array.from(q as ArrayLike<number>, (v) => s * (v - z));
}

/** The real interval a per-tensor quantization covers (up to `qMax`). */
export function representableRange(q: Quantization, qMax: number): [number, number] {
  const s = q.scale[0]!;
  const z = q.zeroPoint[0]!;
  return [s * (-qMax - 1 - z), s * (qMax - z)];
}

/** The largest |weight| of 8-bit and of 4-bit weights (TFLite's INT4 weights are symmetric in [−7, 7]). */
export const WEIGHT_MAX: Readonly<Record<8 | 4, number>> = { 8: 127, 4: 7 };

/**
 * Symmetric per-channel weights in [−127, 127], or [−7, 7] with `bits` 4 (still one int8 per value; `quant.bits`
 * says a backend may pack them); `channelOf(i)` gives element i's output channel, of `channels`. A channel's scale is
 * at least `minScales[c]` (see `biasSafeWeightScales`).
 */
export function quantizeWeightsPerChannel(
  w: Float32Array,
  channels: number,
  channelOf: (i: number) => number,
  axis: number,
  minScales?: number[],
  bits: 8 | 4 = 8,
): { data: Int8Array; quant: Quantization } {
  const qMax = WEIGHT_MAX[bits];
  const maxAbs = new Float64Array(channels);
  for (let i = 0; i < w.length; i++) maxAbs[channelOf(i)] = Math.max(maxAbs[channelOf(i)]!, Math.abs(w[i]!));
  // An all-zero (pruned) channel quantizes to 0 whatever its scale; it takes the largest of the others' so its
  // requantization multiplier stays beside theirs (a scale of 1 put re-quantized VWW's pointwise layers above the
  // Cortex-M pair kernels' multiplier range, 1.6× their instructions). float32 scales, as .tflite stores them;
  // rounding up keeps max|w| / scale ≤ qMax and the bias-safe minimum.
  const widest = Math.max(...maxAbs);
  const zeroChannel = widest > 0 ? widest / qMax : 1;
  const scale = Array.from(maxAbs, (m, c) =>
    float32AtLeast(Math.max(m > 0 ? m / qMax : zeroChannel, minScales?.[c] ?? 0)),
  );
  const data = Int8Array.from(w, (v, i) => quantizeValue(v, scale[channelOf(i)]!, 0, -qMax, qMax));
  const quant: Quantization = { scale, zeroPoint: scale.map(() => 0), axis };
  if (bits === 4) quant.bits = 4;
  return { data, quant };
}

/** The smallest float32 ≥ x (x > 0). */
function float32AtLeast(x: number): number {
  const f = Math.fround(x);
  if (f >= x) return f;
  const bits = new Uint32Array(new Float32Array([f]).buffer);
  bits[0]! += 1;
  return new Float32Array(bits.buffer)[0]!;
}

/** The largest |quantized bias| allowed: 2^30 leaves half of int32 for the products (K·255·127) and the folded input offset. */
export const BIAS_LIMIT = 2 ** 30;

/**
 * Per-channel lower bounds on weight scales so each bias quantizes within ±BIAS_LIMIT, as TFLite's converter adjusts
 * weight scales for the bias scale: a channel with tiny weights and a large bias would otherwise overflow the int32
 * accumulator, where the reference (exact) and C or WebAssembly (wrapping) would disagree.
 */
export function biasSafeWeightScales(bias: Float32Array, inputScale: number): number[] {
  return Array.from(bias, (b) => Math.abs(b) / (inputScale * BIAS_LIMIT));
}

/** int32 bias at scale inputScale × weightScale[c]. */
export function quantizeBias(
  b: Float32Array,
  inputScale: number,
  weightScales: number[],
): { data: Int32Array; quant: Quantization } {
  const scale = weightScales.map((s) => Math.fround(inputScale * s));
  const data = Int32Array.from(b, (v, c) => clampInt(roundHalfAway(v / scale[c]!), -2147483648, 2147483647));
  return { data, quant: { scale, zeroPoint: scale.map(() => 0), axis: 0 } };
}

/** int64 bias of a 16×8 MAC op at scale inputScale × weightScale[c]; TFLite keeps |bias| below 2^47. */
export function quantizeBiasInt64(
  b: Float32Array,
  inputScale: number,
  weightScales: number[],
): { data: BigInt64Array; quant: Quantization } {
  const scale = weightScales.map((s) => Math.fround(inputScale * s));
  const data = BigInt64Array.from(b, (v, c) => BigInt(clampInt(roundHalfAway(v / scale[c]!), -(2 ** 47), 2 ** 47 - 1)));
  return { data, quant: { scale, zeroPoint: scale.map(() => 0), axis: 0 } };
}

/** The integer interval a fused clamp [min, max] allows under the output's quantization and type. */
export function clampToQuantized(
  clamp: { min: number | null; max: number | null },
  q: Quantization,
  type: ActivationType = 'int8',
): [number, number] {
  const s = q.scale[0]!;
  const z = q.zeroPoint[0]!;
  const [qMin, qMax] = RANGE_OF[type];
  // TFLite divides in float32 (CalculateActivationRangeQuantized): fround makes the JS division the same.
  const lo = clamp.min === null ? qMin : Math.max(qMin, z + roundHalfAway(Math.fround(clamp.min / s)));
  const hi = clamp.max === null ? qMax : Math.min(qMax, z + roundHalfAway(Math.fround(clamp.max / s)));
  return [lo, hi];
}
