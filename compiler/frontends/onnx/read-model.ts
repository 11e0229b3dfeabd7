/**
 * @fileoverview The one file of the ONNX frontend that touches onnx-proto: decodes a ModelProto into plain records
 * (nodes with typed attributes, initializers as typed arrays, inputs and outputs with their shapes).
 */
import onnxProto from 'onnx-proto';
import { TinyedgeError } from '../../errors.ts';
import { onnxWireProblem } from './wire-check.ts';

const { onnx } = onnxProto;

/** An attribute value as the importer reads it. */
export type OnnxAttrValue = number | number[] | string;

/** One node. */
export interface OnnxNodeRecord {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, OnnxAttrValue>;
  /** Each attribute's type as the file declares it ('int', 'ints', 'float', 'floats', 'string', or 'other'). */
  attrTypes: Map<string, string>;
}

/** A constant tensor: its dims and its elements (int8, int32, int64 as numbers, float). */
export interface OnnxConstant {
  dims: number[];
  type: 'float' | 'int8' | 'int32' | 'int64' | 'other';
  data: Float32Array | Int8Array | Int32Array | number[];
}

/** A graph input or output. */
export interface OnnxValueRecord {
  name: string;
  type: 'float' | 'int8' | 'int32' | 'int64' | 'other';
  dims: number[];
  /** A 4-D input the model reads as NCHW (ONNX's own layout) rather than the NHWC tinyedge's exporter writes. */
  nchw?: boolean;
}

/** The main graph of an ONNX model. */
export interface OnnxModelRecord {
  file: string;
  nodes: OnnxNodeRecord[];
  initializers: Map<string, OnnxConstant>;
  inputs: OnnxValueRecord[];
  outputs: OnnxValueRecord[];
}

const DT = onnx.TensorProto.DataType;
/** The standard opsets read: ONNX Runtime's first supported one, up to the newest released. */
const MIN_OPSET = 7;
const MAX_OPSET = 23;

function typeOf(code: number): OnnxConstant['type'] {
  return code === DT.FLOAT
    ? 'float'
    : code === DT.INT8
      ? 'int8'
      : code === DT.INT32
        ? 'int32'
        : code === DT.INT64
          ? 'int64'
          : 'other';
}

const num = (v: number | { toNumber(): number }) => (typeof v === 'number' ? v : v.toNumber());

function readConstant(t: onnxProto.onnx.ITensorProto, file: string): OnnxConstant {
  const dims = (t.dims ?? []).map(num);
  const n = dims.reduce((a, b) => a * b, 1);
  const type = typeOf(t.dataType ?? 0);
  const raw = t.rawData && t.rawData.length > 0 ? Uint8Array.from(t.rawData) : undefined;
  const width = { float: 4, int8: 1, int32: 4, int64: 8, other: 0 }[type];
  if (raw && raw.length !== n * width)
    throw new TinyedgeError(
      'TE108',
      `initializer '${t.name}' holds ${raw.length} bytes, its dims ${dims.join('×') || 'scalar'} need ${n * width}`,
      { file },
    );
  let data: OnnxConstant['data'];
  if (type === 'float') data = raw ? new Float32Array(raw.buffer) : Float32Array.from(t.floatData ?? []);
  else if (type === 'int8') data = raw ? new Int8Array(raw.buffer) : Int8Array.from(t.int32Data ?? []);
  else if (type === 'int32') data = raw ? new Int32Array(raw.buffer) : Int32Array.from(t.int32Data ?? []);
  else if (type === 'int64')
    data = raw ? Array.from(new BigInt64Array(raw.buffer), Number) : (t.int64Data ?? []).map(num);
  else data = [];
  if (type !== 'other' && data.length !== n)
    throw new TinyedgeError('TE108', `initializer '${t.name}' holds ${data.length} values, its dims need ${n}`, {
      file,
    });
  return { dims, type, data };
}

function readAttr(a: onnxProto.onnx.IAttributeProto): OnnxAttrValue {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.INT:
      return num(a.i ?? 0);
    case T.FLOAT:
      return a.f ?? 0;
    case T.INTS:
      return (a.ints ?? []).map(num);
    case T.FLOATS:
      return [...(a.floats ?? [])];
    case T.STRING:
      return Buffer.from(a.s ?? []).toString('utf8');
    default:
      return `(attribute type ${a.type})`;
  }
}

const ATTR_TYPES: Record<number, string> = { 1: 'float', 2: 'int', 3: 'string', 6: 'floats', 7: 'ints' };

function readValue(v: onnxProto.onnx.IValueInfoProto): OnnxValueRecord {
  const tensor = v.type?.tensorType;
  return {
    name: v.name ?? '',
    type: typeOf(tensor?.elemType ?? 0),
    dims: (tensor?.shape?.dim ?? []).map((d) =>
      d.dimValue !== undefined && d.dimValue !== null ? num(d.dimValue) : -1,
    ),
  };
}

/** Decodes .onnx bytes; a file protobuf cannot read fails naming it. */
export function readOnnxModel(bytes: Uint8Array, file: string): OnnxModelRecord {
  // protobufjs reads past what the C++ parser (ONNX Runtime's) refuses: check the wire format first.
  const problem = onnxWireProblem(bytes);
  if (problem) throw new TinyedgeError('TE104', `not a readable ONNX model: ${problem}`, { file });
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new TinyedgeError('TE104', `not a readable ONNX model: ${(e as Error).message}`, { file });
  }
  // ONNX Runtime registers the standard ops from opset 7 on; another version (a corrupt or future file) it refuses.
  const opset = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  const version = opset ? num(opset.version ?? 0) : undefined;
  if (version === undefined || !(version >= MIN_OPSET && version <= MAX_OPSET)) {
    throw new TinyedgeError(
      'TE111',
      `imports the standard ONNX opset ${version ?? '(none)'}; tinyedge reads opsets ${MIN_OPSET} to ${MAX_OPSET}`,
      { file },
    );
  }
  const g = model.graph;
  if (!g?.node || g.node.length === 0)
    throw new TinyedgeError('TE104', 'not an ONNX model: it has no graph nodes', { file });
  const initializers = new Map((g.initializer ?? []).map((t) => [t.name ?? '', readConstant(t, file)] as const));
  return {
    file,
    nodes: g.node.map((n, i) => ({
      name: n.name || `node_${i}`,
      opType: n.opType ?? '',
      domain: n.domain ?? '',
      inputs: [...(n.input ?? [])],
      outputs: [...(n.output ?? [])],
      attrs: new Map((n.attribute ?? []).map((a) => [a.name ?? '', readAttr(a)] as const)),
      attrTypes: new Map((n.attribute ?? []).map((a) => [a.name ?? '', ATTR_TYPES[a.type ?? 0] ?? 'other'] as const)),
    })),
    initializers,
    inputs: (g.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map(readValue),
    outputs: (g.output ?? []).map(readValue),
  };
}
