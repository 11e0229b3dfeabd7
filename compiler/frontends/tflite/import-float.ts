/**
 * @fileoverview The float .tflite importer: a model whose activations are FLOAT32 becomes the f32 IR, which the
 * passes and the quantizer then take like any float model. Weights may be FLOAT32, FLOAT16 behind a DEQUANTIZE (what
 * the converter's float16 option writes), or int8 with a scale per channel read straight by a float operator (the
 * dynamic-range option); both are dequantized here, on import, so the graph holds f32 constants only.
 */

import { type ErrorPlace, TinyedgeError } from '../../errors.ts';
import type { Graph } from '../../ir/graph.ts';
import { verifyFiniteConstants } from '../../ir/verify-quantized.ts';
import { FLOAT_TFLITE_OPS } from './float-op-table.ts';
import { foldConstantOperators } from './fold-constant-operators.ts';
import { importOperators, type TfliteConstant, type TfliteTensorTypes } from './importer.ts';
import type { TfliteModel, TfliteTensor } from './read-model.ts';
import { constantData, quantOf, TFLITE_TYPE, typeName } from './tensor-data.ts';

const { FLOAT32, FLOAT16, INT8, INT32 } = TFLITE_TYPE;

/** A float model: its input is FLOAT32 and not merely quantized for an int8 graph (one QUANTIZE its only reader). */
export function isFloatTflite(m: TfliteModel): boolean {
  const input = m.inputs[0];
  if (input === undefined || m.tensors[input]!.type !== FLOAT32) return false;
  const readers = m.operators.filter((op) => op.inputs.includes(input));
  return !(readers.length === 1 && readers[0]!.name === 'QUANTIZE');
}

/** IEEE 754 half-precision bits as a number (exact: every half is a float32). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? Number.NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** The number of elements of t's shape, checked against its bytes. */
function elementsOf(t: TfliteTensor, width: number): number {
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (t.data?.length !== n * width)
    throw new TinyedgeError(
      'TE108',
      `constant '${t.name}' holds ${t.data?.length ?? 0} bytes, its shape of ${typeName(t.type)} needs ${n * width}`,
    );
  return n;
}

/** An int8 constant's real values, scale·(q − zero point) per tensor or per channel of its quantized dimension. */
function dequantizeInt8(t: TfliteTensor): Float32Array {
  const q = quantOf(t);
  if (!q) throw new TinyedgeError('TE112', `int8 constant '${t.name}' in a float model has no scale to dequantize it`);
  const values = constantData(t).data as Int8Array;
  const axis = q.axis ?? 0;
  // Elements between two steps of the quantized dimension.
  const inner = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channels = q.scale.length;
  return Float32Array.from(values, (v, i) => {
    const c = channels === 1 ? 0 : Math.floor(i / inner) % channels;
    return q.scale[c]! * (v - q.zeroPoint[c]!);
  });
}

/** A float model's constant as f32 (FLOAT32, FLOAT16, dynamic-range int8) or int32 (shapes, axes). */
function floatConstant(t: TfliteTensor): TfliteConstant {
  const bytes = Uint8Array.from(t.data ?? []);
  if (t.type === FLOAT32) return { data: new Float32Array(bytes.buffer, 0, elementsOf(t, 4)), dtype: 'f32' };
  if (t.type === FLOAT16) {
    const halves = new Uint16Array(bytes.buffer, 0, elementsOf(t, 2));
    return { data: Float32Array.from(halves, halfToFloat), dtype: 'f32' };
  }
  if (t.type === INT8) return { data: dequantizeInt8(t), dtype: 'f32' };
  if (t.type === INT32) return { data: constantData(t).data, dtype: 'int32' };
  throw new TinyedgeError(
    'TE112',
    `constant '${t.name}' is ${typeName(t.type)}; a float model's constants may be FLOAT32, FLOAT16, int8 with scales or INT32`,
  );
}

/** f32 activations; constants dequantized to f32. */
const FLOAT_TYPES: TfliteTensorTypes = {
  activation(t) {
    if (t.type !== FLOAT32)
      throw new TinyedgeError(
        'TE112',
        `tensor '${t.name}' is ${typeName(t.type)} in a float model: tinyedge imports float models whose activations are all FLOAT32`,
      );
    return { dtype: 'f32' };
  },
  constant: floatConstant,
  constReal(t) {
    const { data } = floatConstant(t);
    if (data.length !== 1) throw new TinyedgeError('TE110', `input '${t.name}' must be a scalar`);
    return Number(data[0]);
  },
  verify: verifyFiniteConstants,
};

/** Imports a float model (isFloatTflite) into the f32 IR; errors name the operator index and opcode. */
export function importFloatTflite(m: TfliteModel): { graph: Graph; origins: ReadonlyMap<string, ErrorPlace> } {
  const { model, skipped } = foldConstantOperators(m);
  return importOperators(model, FLOAT_TYPES, FLOAT_TFLITE_OPS, { inputs: m.inputs, outputs: m.outputs, skipped });
}
