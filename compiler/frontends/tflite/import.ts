/**
 * @fileoverview The .tflite frontend: an int8 TFLite model (or a 16×8 one: int16 activations, int8 weights, int64
 * biases) becomes an integer IR graph with the file's own scales and zero points, exactly (no re-quantization), so
 * every backend computes what TFLM computes. Float QUANTIZE at the inputs and DEQUANTIZE at the outputs come off:
 * the runtime quantizes --image and --input FILE.f32 itself.
 */

import { type ErrorPlace, TinyedgeError, withPlace } from '../../errors.ts';
import { TENSOR_TYPE } from '../../formats/tflite/schema.ts';
import { type Graph, GraphBuilder, type Node, tensorOf } from '../../ir/graph.ts';
import { type DType, formatShape, type Quantization, sameShape, type TensorData } from '../../ir/tensor.ts';
import { verifyGraph } from '../../ir/verify.ts';
import { verifyQuantizedGraph, verifyTensorQuantization } from '../../ir/verify-quantized.ts';
import { optionReader, TFLITE_OPS, type TfliteMapContext } from './op-table.ts';
import { readTfliteModel, type TfliteModel, type TfliteOperator, type TfliteTensor } from './read-model.ts';

/** An imported .tflite model: the int8 graph and how a photo's pixels become its input. */
export interface ImportedTflite {
  graph: Graph;
  /**
   * pixel·scale + offset, chosen so an 8-bit pixel p enters as the int8 value p − 128 (the common int8 convention),
   * or as the int16 value (p − 128)·256 in a 16×8 model.
   */
  preprocessing: { scale: number; offset: number };
  /** The file's operator each IR node came from, so checks after import (Prepare's) name CONV_2D, not conv2d. */
  origins: ReadonlyMap<string, ErrorPlace>;
}

const INT8 = 9;
const INT16 = 7;
const INT32 = 2;
const INT64 = 4;
const FLOAT32 = 0;

/** The IR dtype of each TFLite type a constant may have, and its bytes per element. */
const CONSTANT_TYPES: Record<number, [DType, number]> = {
  [INT8]: ['int8', 1],
  [INT16]: ['int16', 2],
  [INT32]: ['int32', 4],
  [INT64]: ['int64', 8],
};
const TYPED_ARRAY: Partial<Record<DType, (b: ArrayBuffer) => TensorData>> = {
  int8: (b) => new Int8Array(b),
  int16: (b) => new Int16Array(b),
  int32: (b) => new Int32Array(b),
  int64: (b) => new BigInt64Array(b),
};

function typeName(type: number): string {
  return TENSOR_TYPE[type] ?? `type ${type}`;
}

/** The IR quantization of a tensor: per tensor, or per channel along the file's quantized dimension. */
function quantOf(t: TfliteTensor): Quantization | undefined {
  if (!t.quant) return undefined;
  const { scale, zeroPoint, quantizedDimension } = t.quant;
  if (zeroPoint.length !== scale.length)
    throw new TinyedgeError(
      'TE202',
      `tensor '${t.name}' has ${scale.length} scales but ${zeroPoint.length} zero points`,
    );
  if (scale.some((s) => !(s > 0) || !Number.isFinite(s)))
    throw new TinyedgeError('TE202', `tensor '${t.name}' has a scale that is not a positive number`);
  return scale.length === 1 ? { scale, zeroPoint } : { scale, zeroPoint, axis: quantizedDimension };
}

/** The constant's elements as the IR's typed array (copied: the file's bytes need not be aligned). */
function constantData(t: TfliteTensor): { data: TensorData; dtype: DType } {
  const known = CONSTANT_TYPES[t.type];
  if (!known)
    throw new TinyedgeError(
      'TE112',
      `constant '${t.name}' is ${typeName(t.type)}; int8 and int16 values, int32 and int64 biases are supported`,
    );
  const [dtype, width] = known;
  const bytes = Uint8Array.from(t.data as Uint8Array);
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== n * width)
    throw new TinyedgeError(
      'TE108',
      `constant '${t.name}' holds ${bytes.length} bytes, its shape ${formatShape(t.shape)} of ${typeName(t.type)} needs ${n * width}`,
    );
  return { data: (TYPED_ARRAY[dtype] as (b: ArrayBuffer) => TensorData)(bytes.buffer), dtype };
}

/** Takes the float QUANTIZE / DEQUANTIZE operators off the graph's boundary; returns the int8 inputs and outputs. */
function stripFloatBoundary(m: TfliteModel): { inputs: number[]; outputs: number[]; skipped: Set<number> } {
  const skipped = new Set<number>();
  const inputs = m.inputs.map((i) => {
    if (m.tensors[i]!.type !== FLOAT32) return i;
    const q = m.operators.find((op) => op.name === 'QUANTIZE' && op.inputs[0] === i);
    const users = m.operators.filter((op) => op.inputs.includes(i));
    if (!q || users.length !== 1)
      throw new TinyedgeError(
        'TE112',
        `input '${m.tensors[i]!.name}' is float and not only quantized: tinyedge imports int8 .tflite models (full-integer quantization)`,
      );
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
        `output '${m.tensors[o]!.name}' is float and not a dequantized int8 tensor: tinyedge imports int8 .tflite models (full-integer quantization)`,
      );
    skipped.add(d.index);
    const quantized = d.inputs[0];
    if (quantized === undefined)
      throw new TinyedgeError('TE106', `the DEQUANTIZE of output '${m.tensors[o]!.name}' has no input`);
    return quantized;
  });
  return { inputs, outputs, skipped };
}

class TfliteImporter {
  private readonly b: GraphBuilder;
  /** IR tensor name of each TFLite tensor already in the graph. */
  private readonly names = new Map<number, string>();
  /** The TFLite tensor of each IR name given by nameOf. */
  private readonly indexOf = new Map<string, number>();
  private readonly used = new Set<string>();
  /** IR node name → the file's operator (index and opcode) that emitted it. */
  readonly origins = new Map<string, ErrorPlace>();

  constructor(private readonly m: TfliteModel) {
    this.b = new GraphBuilder(m.file);
  }

  /** A unique IR name for TFLite tensor i (names in a .tflite file need not be unique). */
  private nameOf(i: number): string {
    let name = this.names.get(i);
    if (name === undefined) {
      const base = this.m.tensors[i]!.name;
      name = this.used.has(base) ? `${base}#${i}` : base;
      this.used.add(name);
      this.names.set(i, name);
      this.indexOf.set(name, i);
    }
    return name;
  }

  /** Declares an activation tensor's type (int8, or int16 in 16×8 models) and quantization on the IR tensor `name`. */
  private activation(i: number, name: string): void {
    const t = this.m.tensors[i]!;
    if (t.type !== INT8 && t.type !== INT16) {
      const why = t.type === 3 ? " (uint8 quantization is TFLite's legacy scheme; convert with int8)" : '';
      throw new TinyedgeError(
        'TE112',
        `tensor '${t.name}' is ${typeName(t.type)}, tinyedge runs int8 and int16 (16×8) activations${why}`,
      );
    }
    const q = quantOf(t);
    if (q?.scale.length !== 1)
      throw new TinyedgeError(
        'TE202',
        `activation '${t.name}' needs one scale and zero point (per-tensor quantization)`,
      );
    if (t.type === INT16 && q.zeroPoint[0] !== 0)
      throw new TinyedgeError(
        'TE202',
        `int16 activation '${t.name}' has zero point ${q.zeroPoint[0]}: TFLite's 16×8 activations are symmetric (zero point 0)`,
      );
    const ir = tensorOf(this.b.graph, name);
    ir.quant = q;
    ir.dtype = t.type === INT8 ? 'int8' : 'int16';
    verifyTensorQuantization({ ...ir, name: t.name });
  }

  input(i: number): void {
    const t = this.m.tensors[i]!;
    this.b.input(this.nameOf(i), [...t.shape], 'int8');
    this.activation(i, this.nameOf(i));
  }

  /** The IR tensor of TFLite tensor i, materializing constants (int8 weights, int32 biases) on first use. */
  private tensor(i: number): string {
    const name = this.names.get(i);
    if (name !== undefined && this.b.has(name)) return name;
    const t = this.m.tensors[i]!;
    if (!t.data) throw new TinyedgeError('TE106', `tensor '${t.name}' is read before any operator writes it`);
    const { data, dtype } = constantData(t);
    const ir = this.nameOf(i);
    this.b.constant(ir, [...t.shape], data, dtype);
    const q = quantOf(t);
    if (q) {
      if (q.zeroPoint.some((z) => z !== 0))
        throw new TinyedgeError(
          'TE202',
          `constant '${t.name}' has a non-zero zero point: TFLite's int8 spec makes weights and biases symmetric`,
        );
      const c = tensorOf(this.b.graph, ir);
      c.quant = q;
      verifyTensorQuantization({ ...c, name: t.name });
    }
    return ir;
  }

  private constInts(i: number): number[] {
    const t = this.m.tensors[i]!;
    if (!t.data || t.type !== INT32)
      throw new TinyedgeError('TE110', `input '${t.name}' must be a constant int32 tensor`);
    return Array.from(constantData(t).data as Int32Array);
  }

  private constReal(i: number): number {
    const t = this.m.tensors[i]!;
    const q = quantOf(t);
    if (!t.data || (t.type !== INT8 && t.type !== INT16) || !q)
      throw new TinyedgeError('TE110', `input '${t.name}' must be a constant quantized int8 or int16 scalar`);
    const { data } = constantData(t);
    if (data.length !== 1) throw new TinyedgeError('TE110', `input '${t.name}' must be a scalar`);
    return q.scale[0]! * (Number(data[0]) - q.zeroPoint[0]!);
  }

  operator(op: TfliteOperator): void {
    const mapping = TFLITE_OPS[op.name];
    if (!mapping)
      throw new TinyedgeError(
        'TE109',
        `operator ${op.name} is not supported; supported: ${Object.keys(TFLITE_OPS).join(', ')}`,
      );
    if (op.version > mapping.maxVersion)
      throw new TinyedgeError(
        'TE109',
        `${op.name} version ${op.version} is not supported (up to version ${mapping.maxVersion})`,
      );
    if (op.outputs.length !== 1)
      throw new TinyedgeError('TE111', `has ${op.outputs.length} outputs, tinyedge maps operators with one`);
    const out = op.outputs[0]!;
    const outName = this.nameOf(out);
    const emitted: Node[] = [];
    const present = (i: number): number => {
      const t = op.inputs[i];
      if (t === undefined || t < 0)
        throw new TinyedgeError('TE106', `input ${i} is missing (the operator has ${op.inputs.length})`);
      return t;
    };
    const ctx: TfliteMapContext = {
      op,
      option: optionReader(op.options),
      input: (i) => this.tensor(present(i)),
      hasInput: (i) => op.inputs[i] !== undefined && op.inputs[i] >= 0,
      constInts: (i) => this.constInts(present(i)),
      constReal: (i) => this.constReal(present(i)),
      shapeOf: (name) => this.b.shapeOf(name),
      outputShape: (i) => [...this.m.tensors[op.outputs[i]!]!.shape],
      emit: (irOp, inputs, attrs) => {
        const name = `${outName}#${emitted.length}`;
        this.b.node(irOp, name, inputs, attrs);
        const node = this.b.graph.nodes[this.b.graph.nodes.length - 1]!;
        emitted.push(node);
        // A reshape keeps its input's quantization; anything else computes in the operator's output quantization.
        this.activation(irOp === 'reshape' ? this.tfliteOf(inputs[0]!, out) : out, name);
        return name;
      },
    };
    mapping.map(ctx);
    // The last node writes the operator's output under the file's tensor name.
    const last = emitted[emitted.length - 1]!;
    const t = tensorOf(this.b.graph, last.outputs[0]!);
    this.b.graph.tensors.delete(t.name);
    t.name = outName;
    this.b.graph.tensors.set(outName, t);
    last.outputs = [outName];
    last.name = outName;
    if (!sameShape(t.shape, this.m.tensors[out]!.shape)) {
      throw new TinyedgeError(
        'TE106',
        `computes ${formatShape(t.shape)} but the file records output '${outName}' as ${formatShape(this.m.tensors[out]!.shape)}`,
      );
    }
    this.activation(out, outName);
    for (const node of emitted) this.origins.set(node.name, { node: `operator ${op.index}`, op: op.name });
  }

  /** The TFLite tensor whose quantization an emitted reshape inherits: the input's, or (mid-operator) the output's. */
  private tfliteOf(irName: string, fallback: number): number {
    return this.indexOf.get(irName) ?? fallback;
  }

  finish(inputs: number[], outputs: number[]): Graph {
    const g = this.b.graph;
    if (inputs.length !== 1)
      throw new TinyedgeError('TE111', `the model has ${inputs.length} inputs; tinyedge runs models with one input`);
    g.outputs = outputs.map((o) => {
      const name = this.names.get(o);
      if (name === undefined || !g.tensors.has(name))
        throw new TinyedgeError('TE106', `output '${this.m.tensors[o]!.name}' is never computed`);
      return name;
    });
    verifyGraph(g);
    verifyQuantizedGraph(g);
    return g;
  }
}

/** Imports a .tflite file's bytes; every error names `file`, and an operator's the operator index and opcode (Prepare's check follows in compiler/load/). */
export function importTflite(bytes: Uint8Array, file: string): ImportedTflite {
  return withPlace({ file }, () => {
    const m = readTfliteModel(bytes, file);
    const { inputs, outputs, skipped } = stripFloatBoundary(m);
    const importer = new TfliteImporter(m);
    for (const i of inputs) importer.input(i);
    for (const op of m.operators) {
      if (skipped.has(op.index)) continue;
      withPlace({ node: `operator ${op.index}`, op: op.name }, () => importer.operator(op), true);
    }
    const graph = importer.finish(inputs, outputs);
    const input = tensorOf(graph, graph.inputs[0]!);
    const q = input.quant as Quantization;
    // One pixel step is one int8 step, or 256 int16 steps.
    const step = input.dtype === 'int16' ? 256 : 1;
    return {
      graph,
      preprocessing: { scale: step * q.scale[0]!, offset: -step * q.scale[0]! * (128 + q.zeroPoint[0]!) },
      origins: importer.origins,
    };
  });
}

/** True when the bytes carry the .tflite file identifier. */
export function isTfliteBytes(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && Buffer.from(bytes.subarray(4, 8)).toString('latin1') === 'TFL3';
}
