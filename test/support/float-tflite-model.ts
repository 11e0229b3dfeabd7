/**
 * @fileoverview A small float MobileNetV2-style .tflite written with tinyedge's own writer, with seeded weights
 * stored as FLOAT32, as FLOAT16 behind DEQUANTIZE operators (the converter's float16 option), or as int8 with a
 * scale per output channel (the dynamic-range option). It holds the ops converters write for float MobileNets: PAD,
 * CONV_2D with a fused RELU6, DEPTHWISE_CONV_2D, a separate RELU6, a residual ADD, HARD_SWISH, MUL by a
 * STRIDED_SLICE of a constant, SUB of a constant, PADV2, MEAN, SQUEEZE, FULLY_CONNECTED and SOFTMAX.
 */

import {
  type TfliteModelRecord,
  type TfliteOperatorRecord,
  writeTflite,
} from '../../compiler/exporters/tflite/write-model.ts';
import { BUILTIN_CODE, FIELD, OPTIONS_TYPE, TYPE_CODE } from '../../compiler/formats/tflite/schema.ts';
import { seededUniform } from './seeded.ts';

/** The model's input shape (NHWC) and output size. */
export const FLOAT_TFLITE_INPUT = [1, 16, 16, 3];
export const FLOAT_TFLITE_CLASSES = 5;

/** How the weights are stored; `int8Twin`: FLOAT32 holding exactly the values the int8 weights dequantize to. */
export type WeightStorage = 'f32' | 'f16' | 'int8' | 'int8Twin';

/** f32 → IEEE half bits, rounding to nearest even (weights here are normal halves or zero). */
function toHalf(v: number): number {
  const u = new Uint32Array(Float32Array.of(v).buffer)[0]!;
  const sign = (u >>> 16) & 0x8000;
  const exponent = ((u >>> 23) & 0xff) - 112;
  if (exponent <= 0) return sign;
  const mantissa = u & 0x7fffff;
  let h = (exponent << 10) | (mantissa >> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++;
  return sign | h;
}

/** Symmetric int8 per channel of `axis`: the values and their scales. */
function quantizePerChannel(
  w: Float32Array,
  shape: number[],
  axis: number,
): { q: Int8Array; scale: number[]; dequantized: Float32Array } {
  const channels = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => Math.floor(i / inner) % channels;
  const max = new Array<number>(channels).fill(0);
  w.forEach((v, i) => {
    max[channelOf(i)] = Math.max(max[channelOf(i)]!, Math.abs(v));
  });
  const scale = max.map((m) => Math.fround(m / 127));
  const q = Int8Array.from(w, (v, i) => Math.round(v / scale[channelOf(i)]!));
  return { q, scale, dequantized: Float32Array.from(q, (v, i) => scale[channelOf(i)]! * v) };
}

const bytesOf = (a: ArrayLike<number>, Typed: Float32ArrayConstructor | Int32ArrayConstructor) =>
  new Uint8Array(Typed.from(a).buffer);

/** The model as .tflite bytes, its weights drawn from `seed`. */
export function floatTfliteModel(storage: WeightStorage, seed = 1): Uint8Array {
  const m: TfliteModelRecord = {
    description: `float MobileNetV2-style block, ${storage} weights`,
    opcodes: [],
    tensors: [],
    operators: [],
    inputs: [0],
    outputs: [],
    buffers: [new Uint8Array(0)],
  };
  let nextSeed = seed;
  const tensor = (
    name: string,
    shape: number[],
    type: number = TYPE_CODE.float32,
    data?: Uint8Array,
    quant?: TfliteModelRecord['tensors'][number]['quant'],
  ) => {
    let buffer = 0;
    if (data) {
      buffer = m.buffers.length;
      m.buffers.push(data);
    }
    m.tensors.push({ name, shape, type, buffer, ...(quant ? { quant } : {}) });
    return m.tensors.length - 1;
  };
  const op = (name: string, inputs: number[], output: number, options?: TfliteOperatorRecord['options']) => {
    const code = BUILTIN_CODE[name]!;
    let opcodeIndex = m.opcodes.findIndex((o) => o.code === code);
    if (opcodeIndex < 0) opcodeIndex = m.opcodes.push({ code, version: 1 }) - 1;
    m.operators.push({ opcodeIndex, inputs, outputs: [output], ...(options ? { options } : {}) });
    return output;
  };
  const ints = (name: string, shape: number[], values: number[]) =>
    tensor(name, shape, TYPE_CODE.int32, bytesOf(values, Int32Array));
  const floats = (name: string, shape: number[], values: ArrayLike<number>) =>
    tensor(name, shape, TYPE_CODE.float32, bytesOf(values, Float32Array));
  /** A weight (`axis`: its output channels) or a bias, stored as `storage` says. */
  const weight = (name: string, shape: number[], axis: number | null) => {
    const w = seededUniform(
      nextSeed++,
      shape.reduce((a, b) => a * b, 1),
      -0.5,
      0.5,
    );
    if (storage === 'f16') {
      const halves = tensor(
        `${name}_f16`,
        shape,
        TYPE_CODE.float16,
        new Uint8Array(Uint16Array.from(w, toHalf).buffer),
      );
      return op('DEQUANTIZE', [halves], tensor(name, shape));
    }
    if (axis === null || storage === 'f32') return floats(name, shape, w);
    const { q, scale, dequantized } = quantizePerChannel(w, shape, axis);
    if (storage === 'int8Twin') return floats(name, shape, dequantized);
    return tensor(name, shape, TYPE_CODE.int8, new Uint8Array(q.buffer), {
      scale,
      zeroPoint: scale.map(() => 0),
      quantizedDimension: axis,
    });
  };
  const conv = FIELD.conv2dOptions;
  const convOptions = (padding: number, stride: number, activation: number) => ({
    type: OPTIONS_TYPE.conv2d,
    fields: [
      { field: conv.padding, kind: 'int8' as const, value: padding },
      { field: conv.strideW, kind: 'int32' as const, value: stride },
      { field: conv.strideH, kind: 'int32' as const, value: stride },
      { field: conv.activation, kind: 'int8' as const, value: activation },
    ],
  });
  const [SAME, VALID, NONE, RELU6] = [0, 1, 0, 3];
  const x = tensor('input', FLOAT_TFLITE_INPUT);
  const spatialPads = ints('stem_pads', [4, 2], [0, 0, 1, 1, 1, 1, 0, 0]);
  const padded = op('PAD', [x, spatialPads], tensor('stem_padded', [1, 18, 18, 3]));
  const stem = op(
    'CONV_2D',
    [padded, weight('stem_w', [8, 3, 3, 3], 0), weight('stem_b', [8], null)],
    tensor('stem', [1, 8, 8, 8]),
    convOptions(VALID, 2, RELU6),
  );
  const D = FIELD.depthwiseOptions;
  const dw = op(
    'DEPTHWISE_CONV_2D',
    [stem, weight('dw_w', [1, 3, 3, 8], 3), weight('dw_b', [8], null)],
    tensor('dw', [1, 8, 8, 8]),
    {
      type: OPTIONS_TYPE.depthwise,
      fields: [
        { field: D.padding, kind: 'int8', value: SAME },
        { field: D.strideW, kind: 'int32', value: 1 },
        { field: D.strideH, kind: 'int32', value: 1 },
        { field: D.depthMultiplier, kind: 'int32', value: 1 },
        { field: D.activation, kind: 'int8', value: NONE },
      ],
    },
  );
  const relu6 = op('RELU6', [dw], tensor('dw_relu6', [1, 8, 8, 8]));
  const pw = op(
    'CONV_2D',
    [relu6, weight('pw_w', [8, 1, 1, 8], 0), weight('pw_b', [8], null)],
    tensor('pw', [1, 8, 8, 8]),
    convOptions(SAME, 1, NONE),
  );
  const addOptions = {
    type: OPTIONS_TYPE.add,
    fields: [{ field: FIELD.addOptions.activation, kind: 'int8' as const, value: NONE }],
  };
  const sum = op('ADD', [pw, stem], tensor('residual', [1, 8, 8, 8]), addOptions);
  const hswish = op('HARD_SWISH', [sum], tensor('hard_swish', [1, 8, 8, 8]));
  // Every other value of a constant twice as long: a STRIDED_SLICE of a constant, folded on import.
  const channelScale = op(
    'STRIDED_SLICE',
    [
      floats('scales', [2, 16], seededUniform(nextSeed++, 32, 0.5, 1.5)),
      ints('begin', [2], [1, 0]),
      ints('end', [2], [2, 16]),
      ints('strides', [2], [1, 2]),
    ],
    tensor('channel_scale', [8]),
    {
      type: OPTIONS_TYPE.stridedSlice,
      fields: [{ field: FIELD.stridedSliceOptions.shrinkAxisMask, kind: 'int32', value: 1 }],
    },
  );
  const scaled = op('MUL', [hswish, channelScale], tensor('scaled', [1, 8, 8, 8]), {
    type: OPTIONS_TYPE.mul,
    fields: [{ field: FIELD.mulOptions.activation, kind: 'int8', value: NONE }],
  });
  const shifted = op('SUB', [scaled, floats('shift', [1], [0.25])], tensor('shifted', [1, 8, 8, 8]), {
    type: OPTIONS_TYPE.sub,
    fields: [{ field: FIELD.subOptions.activation, kind: 'int8', value: NONE }],
  });
  const padded2 = op('PADV2', [shifted, spatialPads, floats('pad_value', [], [0.5])], tensor('padded', [1, 10, 10, 8]));
  const mean = op('MEAN', [padded2, ints('axes', [2], [1, 2])], tensor('mean', [1, 1, 1, 8]), {
    type: OPTIONS_TYPE.reducer,
    fields: [{ field: FIELD.reducerOptions.keepDims, kind: 'int8', value: 1 }],
  });
  const squeezed = op('SQUEEZE', [mean], tensor('squeezed', [1, 8]));
  const fc = op(
    'FULLY_CONNECTED',
    [squeezed, weight('fc_w', [FLOAT_TFLITE_CLASSES, 8], 0), weight('fc_b', [FLOAT_TFLITE_CLASSES], null)],
    tensor('logits', [1, FLOAT_TFLITE_CLASSES]),
    {
      type: OPTIONS_TYPE.fullyConnected,
      fields: [{ field: FIELD.fullyConnectedOptions.activation, kind: 'int8', value: NONE }],
    },
  );
  m.outputs = [
    op('SOFTMAX', [fc], tensor('probs', [1, FLOAT_TFLITE_CLASSES]), {
      type: OPTIONS_TYPE.softmax,
      fields: [{ field: FIELD.softmaxOptions.beta, kind: 'float32', value: 1 }],
    }),
  ];
  return writeTflite(m);
}
