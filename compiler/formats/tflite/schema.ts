/**
 * @fileoverview The parts of TFLite's flatbuffer schema (tensorflow/lite/schema/schema.fbs, file identifier
 * "TFL3") that tinyedge reads and writes: field indices of the tables, and the enums. Field i of a table is the i-th field
 * declared in the schema, counting a union as two (its type byte, then its value).
 */

/** Field indices by table. */
export const FIELD = {
  model: { version: 0, operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4 },
  operatorCode: { deprecatedBuiltinCode: 0, customCode: 1, version: 2, builtinCode: 3 },
  subgraph: { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 },
  tensor: { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, isVariable: 5, sparsity: 6 },
  quantization: { min: 0, max: 1, scale: 2, zeroPoint: 3, detailsType: 4, details: 5, quantizedDimension: 6 },
  operator: { opcodeIndex: 0, inputs: 1, outputs: 2, builtinOptionsType: 3, builtinOptions: 4, customOptions: 5 },
  buffer: { data: 0, offset: 1, size: 2 },
  conv2dOptions: { padding: 0, strideW: 1, strideH: 2, activation: 3, dilationW: 4, dilationH: 5 },
  depthwiseOptions: {
    padding: 0,
    strideW: 1,
    strideH: 2,
    depthMultiplier: 3,
    activation: 4,
    dilationW: 5,
    dilationH: 6,
  },
  pool2dOptions: { padding: 0, strideW: 1, strideH: 2, filterW: 3, filterH: 4, activation: 5 },
  fullyConnectedOptions: { activation: 0, weightsFormat: 1, keepNumDims: 2 },
  softmaxOptions: { beta: 0 },
  concatenationOptions: { axis: 0, activation: 1 },
  addOptions: { activation: 0, potScaleInt16: 1 },
  mulOptions: { activation: 0 },
  subOptions: { activation: 0, potScaleInt16: 1 },
  stridedSliceOptions: { beginMask: 0, endMask: 1, ellipsisMask: 2, newAxisMask: 3, shrinkAxisMask: 4 },
  reshapeOptions: { newShape: 0 },
  reducerOptions: { keepDims: 0 },
  resizeBilinearOptions: { alignCorners: 2, halfPixelCenters: 3 },
  resizeNearestNeighborOptions: { alignCorners: 0, halfPixelCenters: 1 },
  transposeConvOptions: { padding: 0, strideW: 1, strideH: 2, activation: 3 },
  argMaxOptions: { outputType: 0 },
} as const;

/** The BuiltinOptions union's type of each options table tinyedge writes. */
export const OPTIONS_TYPE = {
  conv2d: 1,
  depthwise: 2,
  pool2d: 5,
  fullyConnected: 8,
  softmax: 9,
  concatenation: 10,
  add: 11,
  reshape: 17,
  mul: 21,
  pad: 22,
  padV2: 43,
  reducer: 27,
  sub: 28,
  stridedSlice: 32,
  resizeBilinear: 15,
  transposeConv: 49,
  argMax: 40,
  topKV2: 34,
  transpose: 26,
  resizeNearestNeighbor: 74,
} as const;

/** TensorType values tinyedge writes. */
export const TYPE_CODE = { float32: 0, float16: 1, int32: 2, int64: 4, int16: 7, int8: 9 } as const;

/** TensorType values tinyedge knows by name. */
export const TENSOR_TYPE: Record<number, string> = {
  0: 'FLOAT32',
  1: 'FLOAT16',
  2: 'INT32',
  3: 'UINT8',
  4: 'INT64',
  5: 'STRING',
  6: 'BOOL',
  7: 'INT16',
  8: 'COMPLEX64',
  9: 'INT8',
  10: 'FLOAT64',
  17: 'INT4',
};

/** ActivationFunctionType values. */
export const ACTIVATION: Record<number, string> = {
  0: 'NONE',
  1: 'RELU',
  2: 'RELU_N1_TO_1',
  3: 'RELU6',
  4: 'TANH',
  5: 'SIGN_BIT',
};

/** Padding values. */
export const PADDING: Record<number, 'SAME' | 'VALID'> = { 0: 'SAME', 1: 'VALID' };

/** BuiltinOperator names by code (the ones a CNN is likely to hold, so errors name them; others print their number). */
export const BUILTIN_NAME: Record<number, string> = {
  0: 'ADD',
  1: 'AVERAGE_POOL_2D',
  2: 'CONCATENATION',
  3: 'CONV_2D',
  4: 'DEPTHWISE_CONV_2D',
  5: 'DEPTH_TO_SPACE',
  6: 'DEQUANTIZE',
  9: 'FULLY_CONNECTED',
  11: 'L2_NORMALIZATION',
  12: 'L2_POOL_2D',
  14: 'LOGISTIC',
  17: 'MAX_POOL_2D',
  18: 'MUL',
  19: 'RELU',
  20: 'RELU_N1_TO_1',
  21: 'RELU6',
  22: 'RESHAPE',
  23: 'RESIZE_BILINEAR',
  25: 'SOFTMAX',
  26: 'SPACE_TO_DEPTH',
  28: 'TANH',
  32: 'CUSTOM',
  34: 'PAD',
  36: 'GATHER',
  37: 'BATCH_TO_SPACE_ND',
  38: 'SPACE_TO_BATCH_ND',
  39: 'TRANSPOSE',
  40: 'MEAN',
  41: 'SUB',
  42: 'DIV',
  43: 'SQUEEZE',
  45: 'STRIDED_SLICE',
  47: 'EXP',
  48: 'TOPK_V2',
  49: 'SPLIT',
  50: 'LOG_SOFTMAX',
  53: 'CAST',
  54: 'PRELU',
  55: 'MAXIMUM',
  56: 'ARG_MAX',
  57: 'MINIMUM',
  60: 'PADV2',
  65: 'SLICE',
  67: 'TRANSPOSE_CONV',
  70: 'EXPAND_DIMS',
  74: 'SUM',
  82: 'REDUCE_MAX',
  83: 'PACK',
  88: 'UNPACK',
  97: 'RESIZE_NEAREST_NEIGHBOR',
  98: 'LEAKY_RELU',
  114: 'QUANTIZE',
  117: 'HARD_SWISH',
  126: 'BATCH_MATMUL',
};

/** The code of each named builtin operator. */
export const BUILTIN_CODE: Record<string, number> = Object.fromEntries(
  Object.entries(BUILTIN_NAME).map(([code, name]) => [name, Number(code)]),
);

/** The name of a builtin operator code. */
export function builtinName(code: number): string {
  return BUILTIN_NAME[code] ?? `builtin operator ${code}`;
}
