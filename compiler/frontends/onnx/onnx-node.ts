/** @fileoverview What both ONNX importers read from a node the same way: its attributes, its constant inputs, its pads. */

import { type ErrorCode, TinyedgeError } from '../../errors.ts';
import type { Pads4 } from '../../ir/attrs.ts';
import type { OnnxConstant, OnnxModelRecord, OnnxNodeRecord } from './read-model.ts';

/** NHWC axis of each NCHW axis: how an ONNX axis of a 4-D activation names the IR's. */
export const NHWC_OF_NCHW = [0, 3, 1, 2];

/** Fails with tinyedge's error (the importer places it at the node): by default, a form of an op tinyedge does not take. */
export function fail(message: string, code: ErrorCode = 'TE110'): never {
  throw new TinyedgeError(code, message);
}

/** The name of the node's input `k`, which the node must have (a QDQ pattern's DequantizeLinear needs its zero point too). */
export function inputOf(n: OnnxNodeRecord, k: number): string {
  return n.inputs[k] ?? fail(`${n.opType} '${n.name}' has no input ${k}`);
}

/** The initializer `name`, which must exist. */
export function constantOf(m: OnnxModelRecord, name: string): OnnxConstant {
  return m.initializers.get(name) ?? fail(`input '${name}' must be a constant (an initializer)`);
}

/** A list-of-ints attribute, or `byDefault` when absent. */
export function intsAttr(n: OnnxNodeRecord, key: string, byDefault?: number[]): number[] {
  const v = n.attrs.get(key) ?? byDefault;
  if (!Array.isArray(v)) return fail(`attribute '${key}' is missing or not a list of ints`);
  return v;
}

/** An int or float attribute, or `byDefault` when absent. */
export function numberAttr(n: OnnxNodeRecord, key: string, byDefault: number): number {
  const v = n.attrs.get(key) ?? byDefault;
  if (typeof v !== 'number') return fail(`attribute '${key}' is not a number`);
  return v;
}

/** ONNX's explicit pads [top, left, bottom, right] as the IR's [top, bottom, left, right]. */
export function explicitPads(n: OnnxNodeRecord): Pads4 {
  const pads = intsAttr(n, 'pads', [0, 0, 0, 0]);
  if (pads.length !== 4) fail(`attribute 'pads' has ${pads.length} values; a 2-D window needs 4`);
  const [t, l, b, r] = pads as [number, number, number, number];
  return [t, b, l, r];
}

/** A Conv's kernel_shape, when given, is its weights' KH×KW (ONNX Runtime refuses a model where they differ). */
export function checkKernelShape(n: OnnxNodeRecord, kh: number, kw: number): void {
  const k = intsAttr(n, 'kernel_shape', [kh, kw]);
  if (k.length !== 2 || k[0] !== kh || k[1] !== kw)
    fail(`kernel_shape ${k.join('×')} does not match the weights' ${kh}×${kw}`);
}

/**
 * A ReduceMax's IR axes (the attribute, or input 1 from opset 18; none: every axis), keepDims and the layout of its
 * result for an input of `rank` in `layout`: kept dimensions keep an NCHW view; dropped ones leave a plain tensor,
 * whose remaining axes must then be in ONNX's order.
 */
export function reduceMaxOf(
  n: OnnxNodeRecord,
  m: OnnxModelRecord,
  layout: 'plain' | 'nchw',
  rank: number,
): { axes: number[]; keepDims: boolean; layout: 'plain' | 'nchw' } {
  const given = n.inputs[1] ? Array.from(constantOf(m, n.inputs[1]).data, Number) : intsAttr(n, 'axes', []);
  const axes = (given.length > 0 ? given : [...Array(rank).keys()]).map((a) => (a < 0 ? a + rank : a));
  const keepDims = numberAttr(n, 'keepdims', 1) === 1;
  if (layout === 'nchw' && !keepDims) {
    const kept = [...Array(rank).keys()].filter((a) => !axes.includes(a)).map((a) => NHWC_OF_NCHW[a]!);
    if (kept.some((a, i) => i > 0 && a < kept[i - 1]!))
      fail(`ReduceMax over axes [${axes.join(', ')}] of an NCHW activation without keepdims is not supported`);
  }
  return {
    axes: layout === 'nchw' ? axes.map((a) => NHWC_OF_NCHW[a]!) : axes,
    keepDims,
    layout: keepDims ? layout : 'plain',
  };
}
