/**
 * @fileoverview How the int8 exporter names IR ops in TFLite's builtins: the operator version each opcode is written
 * with (int8 and 16×8), and fused clamps as TFLite's fused activations; what .tflite cannot say fails with TE402.
 */

import { TinyedgeError } from '../../errors.ts';
import type { Clamp } from '../../ir/attrs.ts';

/**
 * Operator versions written: the lowest that TFLM's kernels accept for int8 with per-channel weights. A node using a
 * later feature raises its opcode's version: half_pixel_centers makes a resize version 3, a bias makes TRANSPOSE_CONV
 * version 3 and a fused activation version 4 (TFLM builds older than its fused-activation support ignore it).
 */
const VERSION: Record<string, number> = {
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 3,
  FULLY_CONNECTED: 4,
  ADD: 2,
  MUL: 2,
  AVERAGE_POOL_2D: 2,
  MAX_POOL_2D: 2,
  MEAN: 2,
  REDUCE_MAX: 2,
  PAD: 2,
  PADV2: 2,
  CONCATENATION: 2,
  RESHAPE: 1,
  SOFTMAX: 2,
  LOGISTIC: 2,
  RELU: 2,
  RELU6: 2,
  RELU_N1_TO_1: 2,
  QUANTIZE: 2,
  RESIZE_BILINEAR: 2,
  RESIZE_NEAREST_NEIGHBOR: 2,
  TRANSPOSE_CONV: 2,
  ARG_MAX: 2,
  TRANSPOSE: 2,
  TOPK_V2: 2,
};

/** The versions that first take int16 activations (16×8): a node writing int16 raises its opcode to at least this. */
const VERSION_16X8: Record<string, number> = {
  CONV_2D: 4,
  DEPTHWISE_CONV_2D: 5,
  FULLY_CONNECTED: 7,
  ADD: 3,
  MUL: 4,
  AVERAGE_POOL_2D: 3,
  MAX_POOL_2D: 3,
  MEAN: 3,
  REDUCE_MAX: 3,
  PAD: 4,
  PADV2: 4,
  CONCATENATION: 3,
  SOFTMAX: 3,
  RELU: 3,
  RELU6: 3,
  QUANTIZE: 3,
  RESHAPE: 1,
  TRANSPOSE: 5,
};

/** TFLite's ActivationFunctionType codes of the fused clamps tinyedge writes. */
export const ACTIVATION_CODE = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3 } as const;

/** An IR the .tflite format cannot say (TE402). */
export function fail(message: string): never {
  throw new TinyedgeError('TE402', message);
}

/** A fused clamp as TFLite's fused activation; others cannot be said in .tflite. */
export function activationOf(c: Clamp): number {
  if (c.min === null && c.max === null) return ACTIVATION_CODE.NONE;
  if (c.min === 0 && c.max === null) return ACTIVATION_CODE.RELU;
  if (c.min === 0 && c.max === 6) return ACTIVATION_CODE.RELU6;
  if (c.min === -1 && c.max === 1) return ACTIVATION_CODE.RELU_N1_TO_1;
  return fail(
    `fused clamp [${c.min ?? '-inf'}, ${c.max ?? 'inf'}] has no TFLite activation (NONE, RELU, RELU6, RELU_N1_TO_1)`,
  );
}

/** The version a builtin is written with for int8 activations. */
export function builtinVersion(name: string): number {
  return VERSION[name] ?? fail(`${name} has no TFLite builtin`);
}

/** The lowest version of a builtin that takes int16 activations (16×8). */
export function builtinVersion16x8(name: string): number {
  return VERSION_16X8[name] ?? fail(`${name} has no 16×8 form in TFLite`);
}
