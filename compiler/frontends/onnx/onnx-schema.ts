/**
 * @fileoverview The parts of ONNX's operator schemas the importers check before mapping a node, as ONNX Runtime does
 * when it loads a model: how many inputs an op takes and which attributes it has, of which type. A node ONNX Runtime
 * refuses (an unknown attribute, an attribute of the wrong type, an extra input) is refused here too.
 */

import { fail } from './onnx-node.ts';
import type { OnnxNodeRecord } from './read-model.ts';

type AttrType = 'int' | 'ints' | 'float' | 'floats' | 'string';

interface OpSchema {
  /** Fewest and most inputs (Infinity: variadic). */
  inputs: [number, number];
  attrs: Record<string, AttrType>;
}

const CONV_ATTRS: Record<string, AttrType> = {
  auto_pad: 'string',
  dilations: 'ints',
  group: 'int',
  kernel_shape: 'ints',
  pads: 'ints',
  strides: 'ints',
};
const POOL_ATTRS: Record<string, AttrType> = {
  auto_pad: 'string',
  ceil_mode: 'int',
  count_include_pad: 'int',
  dilations: 'ints',
  kernel_shape: 'ints',
  pads: 'ints',
  strides: 'ints',
};

/** Every op either ONNX importer maps (opset 13 and com.microsoft's QLinear ops). */
const SCHEMAS: Record<string, OpSchema> = {
  Conv: { inputs: [2, 3], attrs: CONV_ATTRS },
  QLinearConv: { inputs: [8, 9], attrs: CONV_ATTRS },
  QLinearAdd: { inputs: [7, 8], attrs: {} },
  QLinearMul: { inputs: [7, 8], attrs: {} },
  QLinearAveragePool: { inputs: [4, 5], attrs: { ...POOL_ATTRS, channels_last: 'int' } },
  QLinearConcat: { inputs: [5, Infinity], attrs: { axis: 'int' } },
  DequantizeLinear: { inputs: [2, 3], attrs: { axis: 'int' } },
  QuantizeLinear: { inputs: [2, 3], attrs: { axis: 'int', saturate: 'int' } },
  Gemm: { inputs: [2, 3], attrs: { alpha: 'float', beta: 'float', transA: 'int', transB: 'int' } },
  MatMul: { inputs: [2, 2], attrs: {} },
  BatchNormalization: { inputs: [5, 5], attrs: { epsilon: 'float', momentum: 'float', training_mode: 'int' } },
  Relu: { inputs: [1, 1], attrs: {} },
  Clip: { inputs: [1, 3], attrs: {} },
  Add: { inputs: [2, 2], attrs: {} },
  Mul: { inputs: [2, 2], attrs: {} },
  Sigmoid: { inputs: [1, 1], attrs: {} },
  Softmax: { inputs: [1, 1], attrs: { axis: 'int' } },
  ReduceMean: { inputs: [1, 2], attrs: { axes: 'ints', keepdims: 'int', noop_with_empty_axes: 'int' } },
  ReduceMax: { inputs: [1, 2], attrs: { axes: 'ints', keepdims: 'int', noop_with_empty_axes: 'int' } },
  GlobalAveragePool: { inputs: [1, 1], attrs: {} },
  AveragePool: { inputs: [1, 1], attrs: POOL_ATTRS },
  MaxPool: { inputs: [1, 1], attrs: { ...POOL_ATTRS, storage_order: 'int' } },
  Flatten: { inputs: [1, 1], attrs: { axis: 'int' } },
  Reshape: { inputs: [2, 2], attrs: { allowzero: 'int' } },
  Concat: { inputs: [1, Infinity], attrs: { axis: 'int' } },
  Pad: { inputs: [2, 4], attrs: { mode: 'string' } },
  Transpose: { inputs: [1, 1], attrs: { perm: 'ints' } },
  TopK: { inputs: [2, 2], attrs: { axis: 'int', largest: 'int', sorted: 'int' } },
  ArgMax: { inputs: [1, 1], attrs: { axis: 'int', keepdims: 'int', select_last_index: 'int' } },
  Cast: { inputs: [1, 1], attrs: { to: 'int', saturate: 'int' } },
  Resize: {
    inputs: [1, 4],
    attrs: {
      antialias: 'int',
      axes: 'ints',
      coordinate_transformation_mode: 'string',
      cubic_coeff_a: 'float',
      exclude_outside: 'int',
      extrapolation_value: 'float',
      keep_aspect_ratio_policy: 'string',
      mode: 'string',
      nearest_mode: 'string',
    },
  },
  Upsample: { inputs: [2, 2], attrs: { mode: 'string' } },
  Identity: { inputs: [1, 1], attrs: {} },
  Dropout: { inputs: [1, 3], attrs: { seed: 'int', ratio: 'float' } },
};

/** Refuses a node of a known op whose inputs or attributes break its schema (an unknown op is left to the importer). */
export function checkOnnxSchema(n: OnnxNodeRecord): void {
  const schema = SCHEMAS[n.opType];
  if (!schema) return;
  const [min, max] = schema.inputs;
  if (n.inputs.length < min || n.inputs.length > max)
    fail(
      `takes ${min === max ? min : `${min} to ${max === Infinity ? 'any number of' : max}`} inputs, has ${n.inputs.length}`,
    );
  if (n.outputs.length < 1 || n.outputs[0] === '') fail('has no output');
  for (const [name, got] of n.attrTypes) {
    const want = schema.attrs[name];
    if (!want) fail(`unknown attribute '${name}' (ONNX Runtime refuses it too)`);
    if (got !== want) fail(`attribute '${name}' must be ${want}, it is ${got}`);
  }
}
