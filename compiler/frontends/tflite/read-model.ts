/**
 * @fileoverview Reads a .tflite file into plain records (tensors, operators, buffers of its main subgraph), every
 * offset checked. What the records mean is the importer's job (import.ts).
 */

import { TinyedgeError } from '../../errors.ts';
import { builtinName, FIELD } from '../../formats/tflite/schema.ts';
import { FlatTable } from './flat-table.ts';

/** A tensor's quantization as the file states it. */
export interface TfliteQuantization {
  scale: number[];
  zeroPoint: number[];
  quantizedDimension: number;
}

/** One tensor of the subgraph. */
export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  type: number;
  /** The constant's bytes, when it has a non-empty buffer. */
  data?: Uint8Array;
  quant?: TfliteQuantization;
}

/** One operator, with its builtin options table. */
export interface TfliteOperator {
  index: number;
  code: number;
  name: string;
  version: number;
  inputs: number[];
  outputs: number[];
  options?: FlatTable;
}

/** The main subgraph of a .tflite model. */
export interface TfliteModel {
  file: string;
  description?: string;
  tensors: TfliteTensor[];
  operators: TfliteOperator[];
  inputs: number[];
  outputs: number[];
}

function readOpcodes(model: FlatTable): { code: number; version: number; custom?: string }[] {
  const F = FIELD.operatorCode;
  return model.tables(FIELD.model.operatorCodes, 'operator code').map((oc) => {
    // Old files set only the byte-wide deprecated code, new ones both (deprecated = 127 past 127): the larger is it.
    const code = Math.max(oc.scalar(F.deprecatedBuiltinCode, 'int8', 0), oc.scalar(F.builtinCode, 'int32', 0));
    const custom = oc.string(F.customCode);
    return { code, version: oc.scalar(F.version, 'int32', 1), ...(custom !== undefined ? { custom } : {}) };
  });
}

function readQuantization(t: FlatTable | undefined): TfliteQuantization | undefined {
  if (!t) return undefined;
  const F = FIELD.quantization;
  const scale = t.numbers(F.scale, 'float32');
  if (scale.length === 0) return undefined;
  return {
    scale,
    zeroPoint: t.numbers(F.zeroPoint, 'int64'),
    quantizedDimension: t.scalar(F.quantizedDimension, 'int32', 0),
  };
}

/** Parses the file's bytes; errors name `file` and the table at fault. */
export function readTfliteModel(bytes: Uint8Array, file: string): TfliteModel {
  const model = FlatTable.root(bytes, file, 'TFL3', 'model');
  const version = model.scalar(FIELD.model.version, 'uint32', 0);
  if (version !== 3)
    throw new TinyedgeError('TE111', `.tflite schema version ${version} is not supported (tinyedge reads version 3)`, {
      file,
    });
  const buffers = model.tables(FIELD.model.buffers, 'buffer');
  const opcodes = readOpcodes(model);
  const subgraphs = model.tables(FIELD.model.subgraphs, 'subgraph');
  if (subgraphs.length === 0) throw new TinyedgeError('TE104', 'the model has no subgraph', { file });
  // Control flow (IF, WHILE, CALL_ONCE) lives in further subgraphs; the operators that call them fail by name below.
  const sg = subgraphs[0]!;
  const S = FIELD.subgraph;
  const T = FIELD.tensor;
  const tensors = sg.tables(S.tensors, 'tensor').map((t, index): TfliteTensor => {
    const bufferIndex = t.scalar(T.buffer, 'uint32', 0);
    if (bufferIndex >= buffers.length && bufferIndex !== 0) {
      throw new TinyedgeError(
        'TE106',
        `corrupt flatbuffer: ${t.what} names buffer ${bufferIndex}, the model has ${buffers.length}`,
        { file },
      );
    }
    const buffer = buffers[bufferIndex];
    if (buffer && buffer.scalar(FIELD.buffer.offset, 'int64', 0) > 1) {
      throw new TinyedgeError(
        'TE111',
        `${t.what} keeps its data outside the flatbuffer (a model over 2 GB): not supported`,
        { file },
      );
    }
    const data = buffer?.bytes(FIELD.buffer.data);
    const quant = readQuantization(t.table(T.quantization, 'quantization'));
    if (t.has(T.sparsity))
      throw new TinyedgeError('TE111', `${t.what} is sparse: sparse tensors are not supported`, { file });
    return {
      index,
      name: t.string(T.name) ?? `tensor_${index}`,
      shape: t.numbers(T.shape, 'int32'),
      type: t.scalar(T.type, 'int8', 0),
      ...(data && data.length > 0 ? { data } : {}),
      ...(quant ? { quant } : {}),
    };
  });
  const O = FIELD.operator;
  const checkTensors = (what: string, list: number[]) => {
    for (const i of list)
      if (i < -1 || i >= tensors.length)
        throw new TinyedgeError(
          'TE106',
          `corrupt flatbuffer: ${what} names tensor ${i}, the subgraph has ${tensors.length}`,
          { file },
        );
    return list;
  };
  const operators = sg.tables(S.operators, 'operator').map((op, index): TfliteOperator => {
    const opcodeIndex = op.scalar(O.opcodeIndex, 'uint32', 0);
    const opcode = opcodes[opcodeIndex];
    if (!opcode)
      throw new TinyedgeError(
        'TE106',
        `corrupt flatbuffer: operator ${index} names operator code ${opcodeIndex}, the model has ${opcodes.length}`,
        { file },
      );
    const options = op.table(O.builtinOptions, 'options');
    return {
      index,
      code: opcode.code,
      name: opcode.custom !== undefined ? `CUSTOM '${opcode.custom}'` : builtinName(opcode.code),
      version: opcode.version,
      inputs: checkTensors(`operator ${index}`, op.numbers(O.inputs, 'int32')),
      outputs: checkTensors(`operator ${index}`, op.numbers(O.outputs, 'int32')),
      ...(options ? { options } : {}),
    };
  });
  const description = model.string(FIELD.model.description);
  return {
    file,
    ...(description !== undefined ? { description } : {}),
    tensors,
    operators,
    inputs: checkTensors('subgraph inputs', sg.numbers(S.inputs, 'int32')),
    outputs: checkTensors('subgraph outputs', sg.numbers(S.outputs, 'int32')),
  };
}
