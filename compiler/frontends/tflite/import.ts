/**
 * @fileoverview The .tflite frontend's entry and its int8 importer: an int8 TFLite model (or a 16×8 one: int16
 * activations, int8 weights, int64 biases) becomes an integer IR graph with the file's own scales and zero points,
 * exactly (no re-quantization), so every backend computes what TFLM computes. Float QUANTIZE at the inputs and
 * DEQUANTIZE at the outputs come off: the runtime quantizes --image and --input FILE.f32 itself. A float model
 * (its input not quantized by a QUANTIZE) goes to the float importer (import-float.ts).
 */

import { type ErrorPlace, TinyedgeError, withPlace } from '../../errors.ts';
import type { Graph } from '../../ir/graph.ts';
import { type DType, indexQuant, type Quantization } from '../../ir/tensor.ts';
import { verifyQuantizedGraph, verifyTensorQuantization } from '../../ir/verify-quantized.ts';
import { importFloatTflite, isFloatTflite } from './import-float.ts';
import { importOperators, type TfliteTensorTypes } from './importer.ts';
import { TFLITE_OPS } from './op-table.ts';
import { readTfliteModel, type TfliteModel } from './read-model.ts';
import { constantData, quantOf, TFLITE_TYPE, typeName } from './tensor-data.ts';

/** An imported .tflite model: the graph and how a photo's pixels become its input. */
export interface ImportedTflite {
  graph: Graph;
  /**
   * pixel·scale + offset. For an int8 model, chosen so an 8-bit pixel p enters as the int8 value p − 128 (the
   * common int8 convention), or as the int16 value (p − 128)·256 in a 16×8 model; for a float model, pixels/255.
   */
  preprocessing: { scale: number; offset: number };
  /** The file's operator each IR node came from, so checks after import (Prepare's) name CONV_2D, not conv2d. */
  origins: ReadonlyMap<string, ErrorPlace>;
  /** True for an int8 or 16×8 model; false for a float one (f32 IR, to quantize like any float model). */
  quantized: boolean;
}

const { INT8, INT16, INT32, FLOAT32 } = TFLITE_TYPE;

/** Takes the float QUANTIZE / DEQUANTIZE operators off the graph's boundary; returns the int8 inputs and outputs. */
function stripFloatBoundary(m: TfliteModel): { inputs: number[]; outputs: number[]; skipped: Set<number> } {
  const skipped = new Set<number>();
  const inputs = m.inputs.map((i) => {
    if (m.tensors[i]!.type !== FLOAT32) return i;
    // isFloatTflite said a QUANTIZE is this input's only reader.
    const q = m.operators.find((op) => op.name === 'QUANTIZE' && op.inputs[0] === i)!;
    skipped.add(q.index);
    const quantized = q.outputs[0];
    if (quantized === undefined)
      throw new TinyedgeError('TE106', `the QUANTIZE of input '${m.tensors[i]!.name}' has no output`);
    return quantized;
  });
  const outputs = m.outputs.map((o) => {
    if (m.tensors[o]!.type !== FLOAT32) return o;
    const d = m.operators.find((op) => op.name === 'DEQUANTIZE' && op.outputs[0] === o);
    if (!d)
      throw new TinyedgeError(
        'TE112',
        `output '${m.tensors[o]!.name}' is float and not a dequantized int8 tensor: an int8 model's float outputs must be dequantized`,
      );
    skipped.add(d.index);
    const quantized = d.inputs[0];
    if (quantized === undefined)
      throw new TinyedgeError('TE106', `the DEQUANTIZE of output '${m.tensors[o]!.name}' has no input`);
    return quantized;
  });
  return { inputs, outputs, skipped };
}

/** Int8 and int16 activations with the file's per-tensor quantization; symmetric weights and biases as stored. */
const INT8_TYPES: TfliteTensorTypes = {
  activation(t) {
    // Indices (ARG_MAX's output, unquantized in the file); verifyQuantizedGraph refuses them anywhere else.
    if (t.type === INT32) return { dtype: 'int32', quant: indexQuant() };
    if (t.type !== INT8 && t.type !== INT16) {
      const why = t.type === 3 ? " (uint8 quantization is TFLite's legacy scheme; convert with int8)" : '';
      throw new TinyedgeError(
        'TE112',
        `tensor '${t.name}' is ${typeName(t.type)}, tinyedge runs int8 and int16 (16×8) activations${why}`,
      );
    }
    const quant = quantOf(t);
    if (quant?.scale.length !== 1)
      throw new TinyedgeError(
        'TE202',
        `activation '${t.name}' needs one scale and zero point (per-tensor quantization)`,
      );
    if (t.type === INT16 && quant.zeroPoint[0] !== 0)
      throw new TinyedgeError(
        'TE202',
        `int16 activation '${t.name}' has zero point ${quant.zeroPoint[0]}: TFLite's 16×8 activations are symmetric (zero point 0)`,
      );
    const dtype: DType = t.type === INT8 ? 'int8' : 'int16';
    verifyTensorQuantization({ name: t.name, shape: t.shape, dtype, quant });
    return { dtype, quant };
  },
  constant(t) {
    const { data, dtype } = constantData(t);
    const quant = quantOf(t);
    if (!quant) return { data, dtype };
    if (quant.zeroPoint.some((z) => z !== 0))
      throw new TinyedgeError(
        'TE202',
        `constant '${t.name}' has a non-zero zero point: TFLite's int8 spec makes weights and biases symmetric`,
      );
    verifyTensorQuantization({ name: t.name, shape: t.shape, dtype, data, quant });
    return { data, dtype, quant };
  },
  constReal(t) {
    const q = quantOf(t);
    if (!t.data || (t.type !== INT8 && t.type !== INT16) || !q)
      throw new TinyedgeError('TE110', `input '${t.name}' must be a constant quantized int8 or int16 scalar`);
    const { data } = constantData(t);
    if (data.length !== 1) throw new TinyedgeError('TE110', `input '${t.name}' must be a scalar`);
    return q.scale[0]! * (Number(data[0]) - q.zeroPoint[0]!);
  },
  verify: verifyQuantizedGraph,
};

/** Imports an int8 or 16×8 model. */
function importInt8Tflite(m: TfliteModel): ImportedTflite {
  const { graph, origins } = importOperators(m, INT8_TYPES, TFLITE_OPS, stripFloatBoundary(m));
  const q = graph.tensors.get(graph.inputs[0]!)!.quant as Quantization;
  // One pixel step is one int8 step, or 256 int16 steps.
  const step = graph.tensors.get(graph.inputs[0]!)!.dtype === 'int16' ? 256 : 1;
  return {
    graph,
    preprocessing: { scale: step * q.scale[0]!, offset: -step * q.scale[0]! * (128 + q.zeroPoint[0]!) },
    origins,
    quantized: true,
  };
}

/**
 * Imports a .tflite file's bytes, int8 or float; every error names `file`, and an operator's the operator index and
 * opcode (Prepare's check of an int8 model follows in compiler/load/).
 */
export function importTflite(bytes: Uint8Array, file: string): ImportedTflite {
  return withPlace({ file }, () => {
    const m = readTfliteModel(bytes, file);
    if (!isFloatTflite(m)) return importInt8Tflite(m);
    const { graph, origins } = importFloatTflite(m);
    // A float model's image preprocessing is unknown: pixels/255, as for ONNX and model.json (--input FILE.f32 says exactly).
    return { graph, origins, preprocessing: { scale: 1 / 255, offset: 0 }, quantized: false };
  });
}

/** True when the bytes carry the .tflite file identifier. */
export function isTfliteBytes(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && Buffer.from(bytes.subarray(4, 8)).toString('latin1') === 'TFL3';
}
