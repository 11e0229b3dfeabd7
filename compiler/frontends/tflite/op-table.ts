/**
 * @fileoverview How each TFLite builtin operator maps onto IR ops: one entry per builtin, with the highest
 * operator version whose semantics the mapping covers. A builtin missing here, or a newer version, fails naming the
 * file, the operator index and the opcode.
 */

import { TinyedgeError } from '../../errors.ts';
import { ACTIVATION, FIELD, PADDING } from '../../formats/tflite/schema.ts';
import { type Clamp, NO_CLAMP, type Pads4 } from '../../ir/attrs.ts';
import type { OpAttrs, OpName } from '../../ir/ops.ts';
import { tfPads, transposeConvPads } from '../../ir/padding.ts';
import type { FlatTable } from './flat-table.ts';
import type { TfliteOperator } from './read-model.ts';

/** What a mapping may ask of the importer while translating one operator. */
export interface TfliteMapContext {
  op: TfliteOperator;
  /** The operator's builtin options (an empty table's defaults when absent). */
  option(field: number, type: 'int8' | 'int32' | 'float32', byDefault: number): number;
  /** IR tensor of input i (constants become IR constants in the file's layout). */
  input(i: number): string;
  /** Whether input i is present (TFLite marks an omitted optional input with −1). */
  hasInput(i: number): boolean;
  /** Values of a constant int32 input (axes, paddings, shapes). */
  constInts(i: number): number[];
  /** The real value of a constant int8 scalar input (scale·(q − zero point)). */
  constReal(i: number): number;
  /** Shape of an IR tensor. */
  shapeOf(name: string): number[];
  /** The file's shape of output i. */
  outputShape(i: number): number[];
  /** An f32 scalar constant (a float model's decomposition of HARD_SWISH uses 3 and 1/6). */
  scalar(value: number): string;
  /** Adds an IR node; the last one emitted writes the operator's output 0. */
  emit<K extends OpName>(op: K, inputs: string[], attrs: OpAttrs<K>): string;
}

/** How one builtin maps onto IR ops. */
export interface TfliteOpMapping {
  /** Highest operator version covered. */
  maxVersion: number;
  /** Outputs of the operator (default 1): the last nodes the mapping emits write them, in order. */
  outputs?: number;
  map(ctx: TfliteMapContext): void;
}

/** Fails naming what the operator holds that its mapping cannot take. */
export function fail(message: string): never {
  throw new TinyedgeError('TE110', message);
}

/** A fused activation as an IR clamp on real values. */
export function activation(code: number): Clamp {
  switch (ACTIVATION[code]) {
    case 'NONE':
      return NO_CLAMP;
    case 'RELU':
      return { min: 0, max: null };
    case 'RELU6':
      return { min: 0, max: 6 };
    case 'RELU_N1_TO_1':
      return { min: -1, max: 1 };
    default:
      return fail(
        `fused activation ${ACTIVATION[code] ?? code} is not supported (NONE, RELU, RELU6, RELU_N1_TO_1 are)`,
      );
  }
}

function padding(code: number): 'SAME' | 'VALID' {
  return PADDING[code] ?? fail(`padding ${code} is not SAME or VALID`);
}

/** MEAN and REDUCE_MAX: the axes as a constant tensor, keep_dims in ReducerOptions; version 3 is 16×8. */
function reducer(op: 'mean' | 'reduce_max'): TfliteOpMapping {
  return {
    maxVersion: 3,
    map: (ctx) =>
      void ctx.emit(op, [ctx.input(0)], {
        axes: ctx.constInts(1),
        keepDims: ctx.option(FIELD.reducerOptions.keepDims, 'int8', 0) !== 0,
      }),
  };
}

/** Explicit pads of a window op over input `x` with TF's SAME/VALID rule. */
function windowPads(
  ctx: TfliteMapContext,
  x: string,
  paddingCode: number,
  kh: number,
  kw: number,
  strides: [number, number],
  dilations: [number, number],
): Pads4 {
  const [, h, w] = ctx.shapeOf(x);
  return tfPads(padding(paddingCode), h!, w!, kh, kw, strides, dilations);
}

const C = FIELD.conv2dOptions;
const D = FIELD.depthwiseOptions;
const P = FIELD.pool2dOptions;

function inputs3(ctx: TfliteMapContext): string[] {
  return ctx.hasInput(2) ? [ctx.input(0), ctx.input(1), ctx.input(2)] : [ctx.input(0), ctx.input(1)];
}

function pool(kind: 'avg_pool2d' | 'max_pool2d'): TfliteOpMapping {
  return {
    maxVersion: 3,
    map(ctx) {
      const x = ctx.input(0);
      const filter: [number, number] = [ctx.option(P.filterH, 'int32', 0), ctx.option(P.filterW, 'int32', 0)];
      const strides: [number, number] = [ctx.option(P.strideH, 'int32', 0), ctx.option(P.strideW, 'int32', 0)];
      const pads = windowPads(ctx, x, ctx.option(P.padding, 'int8', 0), filter[0], filter[1], strides, [1, 1]);
      ctx.emit(kind, [x], { filter, strides, pads, clamp: activation(ctx.option(P.activation, 'int8', 0)) });
    },
  };
}

// ADD versions 3 and 4 are int16 (16×8). TFLM runs every int16 ADD with general scales (left shift 15), whatever
// pot_scale_int16 says, and so does tinyedge.
function binary(kind: 'add' | 'mul', activationField: number): TfliteOpMapping {
  return {
    maxVersion: 4,
    map: (ctx) =>
      void ctx.emit(kind, [ctx.input(0), ctx.input(1)], { clamp: activation(ctx.option(activationField, 'int8', 0)) }),
  };
}

/** A PAD's [rank, 2] paddings input as the IR's [before, after] pairs. */
function paddingsOf(ctx: TfliteMapContext): [number, number][] {
  const p = ctx.constInts(1);
  return Array.from({ length: p.length / 2 }, (_, i) => [p[2 * i]!, p[2 * i + 1]!]);
}

/** RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR: the size is a constant int32 [h, w] input (TFLM requires it constant). */
function resize(
  kind: 'resize_nearest' | 'resize_bilinear',
  fields: { alignCorners: number; halfPixelCenters: number },
): TfliteOpMapping {
  return {
    // Version 3 adds half_pixel_centers; 4 is int16.
    maxVersion: 3,
    map(ctx) {
      const size = ctx.constInts(1);
      if (size.length !== 2) fail(`size has ${size.length} values, expected [height, width]`);
      const alignCorners = ctx.option(fields.alignCorners, 'int8', 0) !== 0;
      const halfPixelCenters = ctx.option(fields.halfPixelCenters, 'int8', 0) !== 0;
      ctx.emit(kind, [ctx.input(0)], { size: [size[0]!, size[1]!], alignCorners, halfPixelCenters });
    },
  };
}

/** Ops whose output is the input's elements in a new shape: the file's output shape says which. */
const reshapeLike: TfliteOpMapping = {
  maxVersion: 2,
  map: (ctx) => void ctx.emit('reshape', [ctx.input(0)], { shape: ctx.outputShape(0) }),
};

/** The mapping of every supported builtin, by name. */
export const TFLITE_OPS: Record<string, TfliteOpMapping> = {
  CONV_2D: {
    maxVersion: 7,
    map(ctx) {
      const x = ctx.input(0);
      const [, kh, kw] = ctx.shapeOf(ctx.input(1));
      const strides: [number, number] = [ctx.option(C.strideH, 'int32', 0), ctx.option(C.strideW, 'int32', 0)];
      const dilations: [number, number] = [ctx.option(C.dilationH, 'int32', 1), ctx.option(C.dilationW, 'int32', 1)];
      const pads = windowPads(ctx, x, ctx.option(C.padding, 'int8', 0), kh!, kw!, strides, dilations);
      ctx.emit('conv2d', inputs3(ctx), {
        strides,
        dilations,
        pads,
        clamp: activation(ctx.option(C.activation, 'int8', 0)),
      });
    },
  },
  DEPTHWISE_CONV_2D: {
    maxVersion: 7,
    map(ctx) {
      const x = ctx.input(0);
      const [, kh, kw, cm] = ctx.shapeOf(ctx.input(1));
      const c = ctx.shapeOf(x)[3]!;
      // The option is redundant (and ignored by TFLite past version 1): the filter's width over the input's says it.
      if (cm! % c !== 0) fail(`filter has ${cm} channels, not a multiple of the input's ${c}`);
      const strides: [number, number] = [ctx.option(D.strideH, 'int32', 0), ctx.option(D.strideW, 'int32', 0)];
      const dilations: [number, number] = [ctx.option(D.dilationH, 'int32', 1), ctx.option(D.dilationW, 'int32', 1)];
      const pads = windowPads(ctx, x, ctx.option(D.padding, 'int8', 0), kh!, kw!, strides, dilations);
      ctx.emit('depthwise_conv2d', inputs3(ctx), {
        strides,
        dilations,
        pads,
        depthMultiplier: cm! / c,
        clamp: activation(ctx.option(D.activation, 'int8', 0)),
      });
    },
  },
  FULLY_CONNECTED: {
    maxVersion: 9,
    map(ctx) {
      const F = FIELD.fullyConnectedOptions;
      if (ctx.option(F.weightsFormat, 'int8', 0) !== 0)
        fail('shuffled weights (weights_format SHUFFLED4x16INT8) are not supported');
      const [, k] = ctx.shapeOf(ctx.input(1));
      let x = ctx.input(0);
      const shape = ctx.shapeOf(x);
      // TFLite flattens the input to [N, K]; the IR's fully_connected reads the last axis.
      if (shape.length !== 2 || shape[1] !== k) x = ctx.emit('reshape', [x], { shape: [-1, k!] });
      const inputs = ctx.hasInput(2) ? [x, ctx.input(1), ctx.input(2)] : [x, ctx.input(1)];
      const y = ctx.emit('fully_connected', inputs, { clamp: activation(ctx.option(F.activation, 'int8', 0)) });
      const want = ctx.outputShape(0);
      if (want.join() !== ctx.shapeOf(y).join()) ctx.emit('reshape', [y], { shape: want });
    },
  },
  // Inputs: output_shape (constant int32 [4]), weights [O, KH, KW, I], input, optional bias. Version 4 adds the fused
  // activation; 5 a bias type for 16×8.
  TRANSPOSE_CONV: {
    maxVersion: 4,
    map(ctx) {
      const T = FIELD.transposeConvOptions;
      const x = ctx.input(2);
      const [, kh, kw] = ctx.shapeOf(ctx.input(1));
      const [, h, w] = ctx.shapeOf(x);
      const outShape = ctx.constInts(0);
      if (outShape.length !== 4)
        fail(`output_shape has ${outShape.length} values, expected [n, height, width, channels]`);
      const [, oh, ow] = outShape as [number, number, number, number];
      const strides: [number, number] = [ctx.option(T.strideH, 'int32', 0), ctx.option(T.strideW, 'int32', 0)];
      const pads = transposeConvPads(padding(ctx.option(T.padding, 'int8', 0)), h!, w!, oh, ow, kh!, kw!, strides);
      const inputs = ctx.hasInput(3) ? [x, ctx.input(1), ctx.input(3)] : [x, ctx.input(1)];
      ctx.emit('transpose_conv2d', inputs, { strides, pads, clamp: activation(ctx.option(T.activation, 'int8', 0)) });
    },
  },
  RESIZE_BILINEAR: resize('resize_bilinear', FIELD.resizeBilinearOptions),
  RESIZE_NEAREST_NEIGHBOR: resize('resize_nearest', FIELD.resizeNearestNeighborOptions),
  ADD: binary('add', FIELD.addOptions.activation),
  MUL: binary('mul', FIELD.mulOptions.activation),
  AVERAGE_POOL_2D: pool('avg_pool2d'),
  MAX_POOL_2D: pool('max_pool2d'),
  MEAN: reducer('mean'),
  REDUCE_MAX: reducer('reduce_max'),
  // Indices along the axis tensor's one value: int32 output only (ArgMaxOptions' INT64 is refused by the importer's types).
  ARG_MAX: { maxVersion: 2, map: (ctx) => void ctx.emit('arg_max', [ctx.input(0)], { axis: ctx.constInts(1)[0]! }) },
  // Values and indices (INT32), the k largest along the last axis: one IR op per output. Version 2 is int8.
  TOPK_V2: {
    maxVersion: 2,
    outputs: 2,
    map: (ctx) => {
      const k = ctx.constInts(1)[0]!;
      ctx.emit('top_k_values', [ctx.input(0)], { k });
      ctx.emit('top_k_indices', [ctx.input(0)], { k });
    },
  },
  // Versions 2 and 5 are int8 and int16, 4 more than four axes (the backends take up to four).
  TRANSPOSE: {
    maxVersion: 5,
    map: (ctx) => void ctx.emit('transpose', [ctx.input(0)], { perm: ctx.constInts(1) }),
  },
  PAD: { maxVersion: 4, map: (ctx) => void ctx.emit('pad', [ctx.input(0)], { pads: paddingsOf(ctx), value: 0 }) },
  // PADV2's int8 pad value becomes the real number it stands for (the IR's pad value) in the input's quantization.
  PADV2: {
    maxVersion: 4,
    map: (ctx) =>
      void ctx.emit('pad', [ctx.input(0)], { pads: paddingsOf(ctx), value: ctx.hasInput(2) ? ctx.constReal(2) : 0 }),
  },
  CONCATENATION: {
    maxVersion: 4,
    map(ctx) {
      const F = FIELD.concatenationOptions;
      if (activation(ctx.option(F.activation, 'int8', 0)) !== NO_CLAMP)
        fail('a fused activation on CONCATENATION is not supported');
      const inputs = ctx.op.inputs.map((_, i) => ctx.input(i));
      ctx.emit('concat', inputs, { axis: ctx.option(F.axis, 'int32', 0) });
    },
  },
  RESHAPE: reshapeLike,
  SQUEEZE: reshapeLike,
  EXPAND_DIMS: reshapeLike,
  // Version 3 of SOFTMAX, RELU, RELU6 and QUANTIZE is int16.
  SOFTMAX: {
    maxVersion: 3,
    map: (ctx) =>
      void ctx.emit('softmax', [ctx.input(0)], { beta: ctx.option(FIELD.softmaxOptions.beta, 'float32', 1) }),
  },
  LOGISTIC: { maxVersion: 3, map: (ctx) => void ctx.emit('logistic', [ctx.input(0)], {}) },
  RELU: { maxVersion: 3, map: (ctx) => void ctx.emit('clamp', [ctx.input(0)], { clamp: { min: 0, max: null } }) },
  RELU6: { maxVersion: 3, map: (ctx) => void ctx.emit('clamp', [ctx.input(0)], { clamp: { min: 0, max: 6 } }) },
  // int8/int16 → int8/int16 QUANTIZE rescales (TFLM's Requantize); the float boundary ones are taken off by the importer.
  QUANTIZE: { maxVersion: 3, map: (ctx) => void ctx.emit('clamp', [ctx.input(0)], { clamp: NO_CLAMP }) },
};

/** The options table reader a mapping sees (schema defaults when the operator has no options). */
export function optionReader(options: FlatTable | undefined): TfliteMapContext['option'] {
  return (field, type, byDefault) => (options ? options.scalar(field, type, byDefault) : byDefault);
}
