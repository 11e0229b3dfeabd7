/**
 * @fileoverview Serializes a .tflite model (schema version 3, identifier "TFL3") with the `flatbuffers` runtime's
 * Builder, from plain records: operator codes, one subgraph's tensors and operators, and the buffers. What the
 * records say is the exporter's job (export-int8.ts); tests also use this to write deliberately bad models.
 */
import { Builder } from 'flatbuffers';
import { FIELD } from '../../formats/tflite/schema.ts';

/** One field of an options table. */
export interface TfliteOptionField {
  field: number;
  kind: 'int8' | 'int32' | 'float32' | 'int32s';
  value: number | number[];
}

/** A builtin options table: its BuiltinOptions union type and its fields. */
export interface TfliteOptionsRecord {
  type: number;
  fields: TfliteOptionField[];
}

/** A tensor to write. */
export interface TfliteTensorRecord {
  name: string;
  shape: number[];
  type: number;
  /** Index into the model's buffers (0: no data). */
  buffer: number;
  quant?: { scale: number[]; zeroPoint: number[]; quantizedDimension: number };
}

/** An operator to write. */
export interface TfliteOperatorRecord {
  opcodeIndex: number;
  inputs: number[];
  outputs: number[];
  options?: TfliteOptionsRecord;
}

/** A whole single-subgraph model. */
export interface TfliteModelRecord {
  description: string;
  opcodes: { code: number; version: number }[];
  tensors: TfliteTensorRecord[];
  operators: TfliteOperatorRecord[];
  inputs: number[];
  outputs: number[];
  /** Buffer 0 must be empty (the schema's sentinel). */
  buffers: Uint8Array[];
}

function int32Vector(b: Builder, values: readonly number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]!);
  return b.endVector();
}

function tableVector(b: Builder, offsets: readonly number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]!);
  return b.endVector();
}

function writeQuantization(b: Builder, q: NonNullable<TfliteTensorRecord['quant']>): number {
  b.startVector(4, q.scale.length, 4);
  for (let i = q.scale.length - 1; i >= 0; i--) b.addFloat32(q.scale[i]!);
  const scale = b.endVector();
  b.startVector(8, q.zeroPoint.length, 8);
  for (let i = q.zeroPoint.length - 1; i >= 0; i--) b.addInt64(BigInt(q.zeroPoint[i]!));
  const zeroPoint = b.endVector();
  const F = FIELD.quantization;
  b.startObject(F.quantizedDimension + 1);
  b.addFieldOffset(F.scale, scale, 0);
  b.addFieldOffset(F.zeroPoint, zeroPoint, 0);
  b.addFieldInt32(F.quantizedDimension, q.quantizedDimension, 0);
  return b.endObject();
}

function writeOptions(b: Builder, o: TfliteOptionsRecord): number {
  const vectors = new Map(
    o.fields.filter((f) => f.kind === 'int32s').map((f) => [f.field, int32Vector(b, f.value as number[])]),
  );
  b.startObject(o.fields.reduce((n, f) => Math.max(n, f.field + 1), 0));
  for (const f of o.fields) {
    // No defaults: every field is written, so readers never depend on the schema's default values.
    if (f.kind === 'int8') b.addFieldInt8(f.field, f.value as number, null);
    else if (f.kind === 'int32') b.addFieldInt32(f.field, f.value as number, null);
    else if (f.kind === 'float32') b.addFieldFloat32(f.field, f.value as number, null);
    else b.addFieldOffset(f.field, vectors.get(f.field) as number, 0);
  }
  return b.endObject();
}

/** The model as .tflite bytes. */
export function writeTflite(m: TfliteModelRecord): Uint8Array {
  const b = new Builder(1 << 16);
  // Buffers first, each 16-byte aligned as the schema asks, so constant data can be used in place.
  const buffers = m.buffers.map((data) => {
    let vec = 0;
    if (data.length > 0) {
      // Flatbuffers build back to front.
      b.startVector(1, data.length, 16);
      for (let i = data.length - 1; i >= 0; i--) b.addInt8(data[i]!);
      vec = b.endVector();
    }
    b.startObject(1);
    if (vec) b.addFieldOffset(FIELD.buffer.data, vec, 0);
    return b.endObject();
  });
  const T = FIELD.tensor;
  const tensors = m.tensors.map((t) => {
    const name = b.createString(t.name);
    const shape = int32Vector(b, t.shape);
    const quant = t.quant ? writeQuantization(b, t.quant) : 0;
    b.startObject(T.quantization + 1);
    b.addFieldOffset(T.shape, shape, 0);
    b.addFieldInt8(T.type, t.type, null);
    b.addFieldInt32(T.buffer, t.buffer, null);
    b.addFieldOffset(T.name, name, 0);
    if (quant) b.addFieldOffset(T.quantization, quant, 0);
    return b.endObject();
  });
  const O = FIELD.operator;
  const operators = m.operators.map((op) => {
    const inputs = int32Vector(b, op.inputs);
    const outputs = int32Vector(b, op.outputs);
    const options = op.options ? writeOptions(b, op.options) : 0;
    b.startObject(O.builtinOptions + 1);
    b.addFieldInt32(O.opcodeIndex, op.opcodeIndex, null);
    b.addFieldOffset(O.inputs, inputs, 0);
    b.addFieldOffset(O.outputs, outputs, 0);
    if (op.options) {
      b.addFieldInt8(O.builtinOptionsType, op.options.type, null);
      b.addFieldOffset(O.builtinOptions, options, 0);
    }
    return b.endObject();
  });
  const S = FIELD.subgraph;
  const sgTensors = tableVector(b, tensors);
  const sgInputs = int32Vector(b, m.inputs);
  const sgOutputs = int32Vector(b, m.outputs);
  const sgOperators = tableVector(b, operators);
  const sgName = b.createString('main');
  b.startObject(S.name + 1);
  b.addFieldOffset(S.tensors, sgTensors, 0);
  b.addFieldOffset(S.inputs, sgInputs, 0);
  b.addFieldOffset(S.outputs, sgOutputs, 0);
  b.addFieldOffset(S.operators, sgOperators, 0);
  b.addFieldOffset(S.name, sgName, 0);
  const subgraph = b.endObject();
  const C = FIELD.operatorCode;
  const opcodes = m.opcodes.map((oc) => {
    b.startObject(C.builtinCode + 1);
    // Codes past 127 only fit the wide field; the byte then holds PLACEHOLDER_FOR_GREATER_OP_CODES (127).
    b.addFieldInt8(C.deprecatedBuiltinCode, Math.min(oc.code, 127), null);
    b.addFieldInt32(C.version, oc.version, null);
    b.addFieldInt32(C.builtinCode, oc.code, null);
    return b.endObject();
  });
  const M = FIELD.model;
  const opcodesVec = tableVector(b, opcodes);
  const subgraphsVec = tableVector(b, [subgraph]);
  const description = b.createString(m.description);
  const buffersVec = tableVector(b, buffers);
  b.startObject(M.buffers + 1);
  b.addFieldInt32(M.version, 3, null);
  b.addFieldOffset(M.operatorCodes, opcodesVec, 0);
  b.addFieldOffset(M.subgraphs, subgraphsVec, 0);
  b.addFieldOffset(M.description, description, 0);
  b.addFieldOffset(M.buffers, buffersVec, 0);
  b.finish(b.endObject(), 'TFL3');
  return b.asUint8Array().slice();
}
