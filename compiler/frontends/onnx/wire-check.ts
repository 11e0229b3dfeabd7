/**
 * @fileoverview A wire-level check of ONNX protobuf bytes, as strict as the C++ parser ONNX Runtime uses where
 * protobufjs is lenient: every tag has a field number of at least 1 and a wire type protobuf defines (0, 1, 2, 5;
 * ONNX has no groups), lengths stay inside their message, and varints end within 10 bytes. Messages are followed
 * into their sub-messages by field number, so a corrupt byte anywhere in the graph is found.
 */

/** Sub-message fields by message, from onnx.proto: field number → message name (the rest are scalars, strings or bytes). */
const SUBMESSAGES: Record<string, Record<number, string>> = {
  Model: { 7: 'Graph', 8: 'OperatorSet', 14: 'StringEntry', 20: 'Training', 25: 'Function' },
  Graph: {
    1: 'Node',
    5: 'Tensor',
    11: 'ValueInfo',
    12: 'ValueInfo',
    13: 'ValueInfo',
    14: 'StringEntry',
    15: 'SparseTensor',
  },
  Node: { 5: 'Attribute', 9: 'StringEntry' },
  Attribute: {
    5: 'Tensor',
    6: 'Graph',
    10: 'Tensor',
    11: 'Graph',
    14: 'TypeProto',
    15: 'TypeProto',
    22: 'SparseTensor',
    23: 'SparseTensor',
  },
  Tensor: { 3: 'Segment', 13: 'StringEntry', 16: 'StringEntry' },
  ValueInfo: { 2: 'TypeProto', 4: 'StringEntry' },
  TypeProto: { 1: 'TensorType', 4: 'SequenceType', 5: 'MapType', 8: 'TensorType', 9: 'SequenceType' },
  SequenceType: { 1: 'TypeProto' },
  MapType: { 2: 'TypeProto' },
  TensorType: { 2: 'Shape' },
  Shape: { 1: 'Dimension' },
  Dimension: {},
  OperatorSet: {},
  StringEntry: {},
  Segment: {},
  SparseTensor: { 1: 'Tensor', 2: 'Tensor' },
  Training: {},
  Function: { 7: 'Node', 9: 'OperatorSet', 11: 'Attribute', 12: 'ValueInfo', 14: 'StringEntry' },
};

/** What is wrong with the bytes, or undefined when every tag, length and varint is well formed. */
export function onnxWireProblem(bytes: Uint8Array): string | undefined {
  const walk = (start: number, end: number, message: string, depth: number): string | undefined => {
    if (depth > 64) return 'messages nested too deep';
    let p = start;
    const varint = (): number | undefined => {
      let v = 0;
      for (let i = 0; i < 10; i++) {
        if (p >= end) return undefined;
        const b = bytes[p++] as number;
        v += (b & 0x7f) * 2 ** (7 * i);
        if (b < 0x80) return v;
      }
      return undefined;
    };
    while (p < end) {
      const at = p;
      const tag = varint();
      if (tag === undefined) return `a malformed tag at byte ${at}`;
      const field = Math.floor(tag / 8);
      const wire = tag % 8;
      if (field < 1) return `field number 0 at byte ${at}`;
      if (wire === 0) {
        if (varint() === undefined) return `a malformed varint at byte ${at}`;
      } else if (wire === 1 || wire === 5) {
        p += wire === 1 ? 8 : 4;
        if (p > end) return `a fixed-size value past the end of its message at byte ${at}`;
      } else if (wire === 2) {
        const length = varint();
        if (length === undefined || p + length > end) return `a length past the end of its message at byte ${at}`;
        const sub = SUBMESSAGES[message]?.[field];
        if (sub) {
          const problem = walk(p, p + length, sub, depth + 1);
          if (problem) return problem;
        }
        p += length;
      } else {
        return `wire type ${wire} at byte ${at}`;
      }
    }
    return undefined;
  };
  return walk(0, bytes.length, 'Model', 0);
}
