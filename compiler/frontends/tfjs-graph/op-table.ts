/**
 * @fileoverview How each TF op of a TF.js graph model maps onto IR ops: one entry per TF op name. An op missing
 * here is reported with the file, node and op by the importer.
 */

import { TinyedgeError } from '../../errors.ts';
import { type Clamp, NO_CLAMP } from '../../ir/attrs.ts';
import { tfPads } from '../../ir/padding.ts';
import type { TfMapContext, TfOpMapping } from './map-context.ts';
import { maxReduction, sumReduction } from './reduction-ops.ts';
import { reshapingStridedSlice } from './strided-slice.ts';

function fail(message: string): never {
  throw new TinyedgeError('TE110', message);
}

/**
 * Reads the fused ops of _FusedConv2D / _FusedMatMul / FusedDepthwiseConv2dNative: BiasAdd then at most one
 * activation. A clamp fuses into the IR op; PReLU (its slope the input after the bias) and LeakyRelu stay a prelu node.
 */
function fusedOps(ctx: TfMapContext): { bias: boolean; clamp: Clamp; slope?: string } {
  const ops = ctx.attrs.strings('fused_ops');
  let bias = false;
  let clamp = NO_CLAMP;
  let slope: string | undefined;
  for (const op of ops) {
    if (op === 'BiasAdd' && !bias) bias = true;
    else if (op === 'Relu') clamp = { min: 0, max: null };
    else if (op === 'Relu6') clamp = { min: 0, max: 6 };
    else if (op === 'Prelu') slope = ctx.constInput(bias ? 3 : 2, 'as-is');
    else if (op === 'LeakyRelu')
      slope = ctx.constant('alpha', [1], Float32Array.of(ctx.attrs.float('leakyrelu_alpha', 0.2)));
    else fail(`fused op '${op}' is not supported (BiasAdd, Relu, Relu6, Prelu, LeakyRelu are)`);
  }
  return { bias, clamp, ...(slope ? { slope } : {}) };
}

/** Emits the IR op (`emitOp`), followed by its fused slope as a prelu node taking the TF node's name. */
function thenSlope(ctx: TfMapContext, slope: string | undefined, emitOp: (suffix?: string) => string): string {
  return slope ? ctx.emit('prelu', [emitOp('linear'), slope], {}) : emitOp();
}

function checkNhwc(ctx: TfMapContext): void {
  const format = ctx.attrs.string('data_format', 'NHWC');
  if (format !== 'NHWC') fail(`data_format ${format} is not supported (NHWC is)`);
}

/** strides/dilations/ksize are given per NHWC dimension; the IR keeps the spatial pair. */
function spatial(ctx: TfMapContext, key: string, required = false): [number, number] {
  const v = ctx.attrs.ints(key, required ? undefined : [1, 1, 1, 1]);
  if (v.length !== 4 || v[0] !== 1 || v[3] !== 1) fail(`${key} ${JSON.stringify(v)} must be [1, h, w, 1]`);
  return [v[1]!, v[2]!];
}

/** A convolution's strides and dilations; TF (and TF.js) refuse strides above 1 together with dilations above 1. */
function convWindow(ctx: TfMapContext): { strides: [number, number]; dilations: [number, number] } {
  // TF's op definitions give dilations a default and strides none: TF.js fails on a convolution without strides.
  const strides = spatial(ctx, 'strides', true);
  const dilations = spatial(ctx, 'dilations');
  if (strides.some((s) => s > 1) && dilations.some((d) => d > 1))
    fail(
      `strides ${strides.join(',')} and dilations ${dilations.join(',')}: either must be 1 (TF refuses both above 1)`,
    );
  return { strides, dilations };
}

function explicitOrTfPads(
  ctx: TfMapContext,
  input: string,
  kh: number,
  kw: number,
  strides: [number, number],
  dilations: [number, number],
) {
  const [, h, w] = ctx.shapeOf(input);
  const padding = ctx.attrs.string('padding');
  if (padding === 'EXPLICIT') {
    const p = ctx.attrs.ints('explicit_paddings');
    return [p[2], p[3], p[4], p[5]] as [number, number, number, number];
  }
  return tfPads(padding, h!, w!, kh, kw, strides, dilations);
}

function conv(fused: boolean): TfOpMapping {
  return (ctx) => {
    checkNhwc(ctx);
    const input = ctx.input(0);
    const filter = ctx.constInput(1, 'conv-filter');
    const [, kh, kw] = ctx.shapeOf(filter);
    const { strides, dilations } = convWindow(ctx);
    const { bias, clamp, slope } = fused ? fusedOps(ctx) : { bias: false, clamp: NO_CLAMP };
    const inputs = bias ? [input, filter, ctx.constInput(2, 'as-is')] : [input, filter];
    const pads = explicitOrTfPads(ctx, input, kh!, kw!, strides, dilations);
    return thenSlope(ctx, slope, (suffix) => ctx.emit('conv2d', inputs, { strides, dilations, pads, clamp }, suffix));
  };
}

function depthwise(fused: boolean): TfOpMapping {
  return (ctx) => {
    checkNhwc(ctx);
    const input = ctx.input(0);
    const filter = ctx.constInput(1, 'depthwise-filter');
    const [, kh, kw, cm] = ctx.shapeOf(filter);
    const { strides, dilations } = convWindow(ctx);
    const { bias, clamp, slope } = fused ? fusedOps(ctx) : { bias: false, clamp: NO_CLAMP };
    const inputs = bias ? [input, filter, ctx.constInput(2, 'as-is')] : [input, filter];
    const channels = ctx.shapeOf(input)[3]!;
    const attrs = {
      strides,
      dilations,
      pads: explicitOrTfPads(ctx, input, kh!, kw!, strides, dilations),
      depthMultiplier: Math.max(1, Math.round(cm! / channels)),
      clamp,
    };
    return thenSlope(ctx, slope, (suffix) => ctx.emit('depthwise_conv2d', inputs, attrs, suffix));
  };
}

function matmul(fused: boolean): TfOpMapping {
  return (ctx) => {
    if (ctx.attrs.bool('transpose_a', false)) fail('transpose_a is not supported');
    const transposed = ctx.attrs.bool('transpose_b', false);
    const filter = ctx.constInput(1, transposed ? 'as-is' : 'matmul-weights');
    const { bias, clamp, slope } = fused ? fusedOps(ctx) : { bias: false, clamp: NO_CLAMP };
    const inputs = bias ? [ctx.input(0), filter, ctx.constInput(2, 'as-is')] : [ctx.input(0), filter];
    return thenSlope(ctx, slope, (suffix) => ctx.emit('fully_connected', inputs, { clamp }, suffix));
  };
}

function binary(op: 'add' | 'sub' | 'mul'): TfOpMapping {
  return (ctx) => ctx.emit(op, [ctx.input(0), ctx.input(1)], { clamp: NO_CLAMP });
}

function pool(op: 'avg_pool2d' | 'max_pool2d'): TfOpMapping {
  return (ctx) => {
    checkNhwc(ctx);
    const input = ctx.input(0);
    const filter = spatial(ctx, 'ksize');
    const strides = spatial(ctx, 'strides');
    const pads = tfPads(
      ctx.attrs.string('padding'),
      ctx.shapeOf(input)[1]!,
      ctx.shapeOf(input)[2]!,
      filter[0],
      filter[1],
      strides,
    );
    return ctx.emit(op, [input], { filter, strides, pads, clamp: NO_CLAMP });
  };
}

function activation(clamp: Clamp): TfOpMapping {
  return (ctx) => ctx.emit('clamp', [ctx.input(0)], { clamp });
}

/** The one value of a constant input that holds one value (or repeats one), for clamps; anything else is refused. */
function constantScalar(ctx: TfMapContext, i: number, role: string): number {
  const v = ctx.constValues(i);
  if (v.length === 0 || v.some((x) => x !== v[0]))
    fail(`${role} must be one constant value to become a clamp, holds ${v.length} different values`);
  return v[0]!;
}

/** Minimum/Maximum of a tensor and a constant (either side): Keras's relu6 and clip_by_value spell clamps this way. */
function clampBy(bound: 'min' | 'max'): TfOpMapping {
  return (ctx) => {
    const c = ctx.isConstant(1) ? 1 : ctx.isConstant(0) ? 0 : -1;
    if (c < 0) fail('both inputs are computed: only a minimum or maximum with a constant (a clamp) is supported');
    const v = constantScalar(ctx, c, `input ${c}`);
    // Minimum caps from above (a clamp's max), Maximum from below.
    const clamp: Clamp = bound === 'max' ? { min: null, max: v } : { min: v, max: null };
    return ctx.emit('clamp', [ctx.input(1 - c)], { clamp });
  };
}

/** Removes axes of size 1 (Squeeze, Unpack of one tensor); TF refuses to squeeze a larger axis, and so do we. */
function dropUnitAxes(ctx: TfMapContext, axes: number[]): string {
  const input = ctx.input(0);
  const shape = ctx.shapeOf(input);
  const dims = axes.map((d) => (d < 0 ? d + shape.length : d));
  for (const d of dims) if (shape[d] !== 1) fail(`axis ${d} of ${shape.join('×')} has size ${shape[d]}, not 1`);
  return ctx.reshape(
    input,
    shape.filter((d, i) => (dims.length ? !dims.includes(i) : d !== 1)),
  );
}

/** ResizeBilinear / ResizeNearestNeighbor: TF's align_corners and half_pixel_centers are the IR's own attributes. */
function resize(op: 'resize_bilinear' | 'resize_nearest'): TfOpMapping {
  return (ctx) => {
    const input = ctx.input(0);
    const size = ctx.constValues(1);
    if (size.length !== 2) fail(`size must hold [height, width], holds ${size.length} values`);
    const [, h, w] = ctx.shapeOf(input);
    // Resizing to the input's own size samples every pixel where it is, in every mode.
    if (size[0] === h && size[1] === w) return input;
    return ctx.emit(op, [input], {
      size: [size[0]!, size[1]!],
      alignCorners: ctx.attrs.bool('align_corners', false),
      halfPixelCenters: ctx.attrs.bool('half_pixel_centers', false),
    });
  };
}

/** Pad (zeros) and PadV2 (its constant value): the paddings must be constants. */
function constantPad(withValue: boolean): TfOpMapping {
  return (ctx) => {
    const p = ctx.constValues(1);
    const pads: [number, number][] = [];
    for (let i = 0; i < p.length; i += 2) pads.push([p[i]!, p[i + 1]!]);
    const value = withValue ? constantScalar(ctx, 2, 'constant_values') : 0;
    return ctx.emit('pad', [ctx.input(0)], { pads, value });
  };
}

/** A transpose that moves only axes of size 1 keeps the data in place: a reshape; any other moves data. */
const transpose: TfOpMapping = (ctx) => {
  const input = ctx.input(0);
  const inShape = ctx.shapeOf(input);
  const perm = ctx.constValues(1);
  const moved = perm.filter((d) => inShape[d] !== 1);
  if (moved.some((d, i) => i > 0 && d < moved[i - 1]!)) return ctx.emit('transpose', [input], { perm });
  return ctx.reshape(
    input,
    perm.map((d) => inShape[d]!),
  );
};

/** TF op name → mapping. Placeholder and Const are handled by the importer itself. */
export const TF_GRAPH_OPS: Record<string, TfOpMapping> = {
  Identity: (ctx) => ctx.emit('identity', [ctx.input(0)], {}),
  _FusedConv2D: conv(true),
  Conv2D: conv(false),
  FusedDepthwiseConv2dNative: depthwise(true),
  DepthwiseConv2dNative: depthwise(false),
  _FusedMatMul: matmul(true),
  MatMul: matmul(false),
  BiasAdd: binary('add'),
  Add: binary('add'),
  AddV2: binary('add'),
  Sub: binary('sub'),
  Mul: binary('mul'),
  AvgPool: pool('avg_pool2d'),
  MaxPool: pool('max_pool2d'),
  Relu: activation({ min: 0, max: null }),
  Relu6: activation({ min: 0, max: 6 }),
  Minimum: clampBy('max'),
  Maximum: clampBy('min'),
  ClipByValue: (ctx) =>
    ctx.emit('clamp', [ctx.input(0)], {
      clamp: { min: constantScalar(ctx, 1, 'clip_value_min'), max: constantScalar(ctx, 2, 'clip_value_max') },
    }),
  // AddN sums its inputs in order; grappler writes it for a residual add.
  AddN: (ctx) => {
    let sum = ctx.input(0);
    for (let i = 1; i < ctx.inputCount; i++)
      sum = ctx.emit('add', [sum, ctx.input(i)], { clamp: NO_CLAMP }, i < ctx.inputCount - 1 ? `sum_${i}` : undefined);
    return sum;
  },
  Prelu: (ctx) => ctx.emit('prelu', [ctx.input(0), ctx.constInput(1, 'as-is')], {}),
  LeakyRelu: (ctx) =>
    ctx.emit('prelu', [ctx.input(0), ctx.constant('alpha', [1], Float32Array.of(ctx.attrs.float('alpha', 0.2)))], {}),
  Sigmoid: (ctx) => ctx.emit('logistic', [ctx.input(0)], {}),
  Softmax: (ctx) => ctx.emit('softmax', [ctx.input(0)], { beta: 1 }),
  Squeeze: (ctx) => dropUnitAxes(ctx, ctx.attrs.ints('squeeze_dims', [])),
  Unpack: (ctx) => {
    if (ctx.attrs.int('num') !== 1)
      fail(`Unpack into ${ctx.attrs.int('num')} tensors is not supported (into one is a reshape)`);
    return dropUnitAxes(ctx, [ctx.attrs.int('axis', 0)]);
  },
  ExpandDims: (ctx) => {
    const input = ctx.input(0);
    const shape = [...ctx.shapeOf(input)];
    const axis = ctx.constValues(1)[0]!;
    shape.splice(axis < 0 ? axis + shape.length + 1 : axis, 0, 1);
    return ctx.reshape(input, shape);
  },
  Reshape: (ctx) => ctx.reshape(ctx.input(0), ctx.constValues(1)),
  StridedSlice: (ctx) => {
    const input = ctx.input(0);
    const shape = reshapingStridedSlice(ctx.shapeOf(input), {
      begin: ctx.constValues(1),
      end: ctx.constValues(2),
      strides: ctx.constValues(3),
      beginMask: ctx.attrs.int('begin_mask', 0),
      endMask: ctx.attrs.int('end_mask', 0),
      ellipsisMask: ctx.attrs.int('ellipsis_mask', 0),
      newAxisMask: ctx.attrs.int('new_axis_mask', 0),
      shrinkAxisMask: ctx.attrs.int('shrink_axis_mask', 0),
    });
    return ctx.reshape(input, shape);
  },
  // A cast that changes no value: to the type it has, or to float of what the IR already holds as f32 (an integer
  // image input). Casts of constants fold at import (constant-folding.ts).
  Cast: (ctx) => {
    const [from, to] = [ctx.attrs.dtype('SrcT'), ctx.attrs.dtype('DstT')];
    const input = ctx.input(0);
    if (from !== to && !(to === 'DT_FLOAT' && ctx.dtypeOf(input) === 'f32'))
      fail(`Cast from ${from} to ${to} of a computed tensor is not supported (only casts that change no value are)`);
    return input;
  },
  ResizeBilinear: resize('resize_bilinear'),
  ResizeNearestNeighbor: resize('resize_nearest'),
  // Not a TF op: what tf-rewrites.ts makes of TF OD API's stack-and-reshape nearest-neighbor upsampling.
  NearestNeighborUpsampling: (ctx) => {
    const input = ctx.input(0);
    const [n, h, w, c] = ctx.shapeOf(input);
    const [sh, sw] = [ctx.attrs.int('height_scale'), ctx.attrs.int('width_scale')];
    const target = ctx.constValues(1);
    const expected = [n, h! * sh, w! * sw, c];
    if (
      ctx.shapeOf(input).length !== 4 ||
      target.length !== 4 ||
      target.some((d, i) => d !== -1 && d !== expected[i])
    ) {
      fail(
        `stacking ${ctx.shapeOf(input).join('×')} ${sh}×${sw} times reshaped to ${target.join('×')} is not a nearest-neighbor upsampling`,
      );
    }
    return ctx.emit('resize_nearest', [input], {
      size: [h! * sh, w! * sw],
      alignCorners: false,
      halfPixelCenters: false,
    });
  },
  Mean: (ctx) =>
    ctx.emit('mean', [ctx.input(0)], { axes: ctx.constValues(1), keepDims: ctx.attrs.bool('keep_dims', false) }),
  // Only as a model output (the importer refuses one that other nodes read): the f32 reference computes it.
  ArgMax: (ctx) => {
    const type = ctx.attrs.dtype('output_type', 'DT_INT64');
    if (type !== 'DT_INT32' && type !== 'DT_INT64')
      fail(`output_type ${type} is not supported (DT_INT32, DT_INT64 are)`);
    return ctx.emit('arg_max', [ctx.input(0)], { axis: ctx.constValues(1)[0]! });
  },
  // TF's TopKV2 (largest first along the last axis): its values and indices outputs, each an op of its own.
  TopKV2: (ctx) => {
    const input = ctx.input(0);
    const k = ctx.constValues(1)[0]!;
    return [ctx.emit('top_k_values', [input], { k }, 'values'), ctx.emit('top_k_indices', [input], { k }, 'indices')];
  },
  Sum: sumReduction,
  Max: maxReduction,
  Transpose: transpose,
  Pad: constantPad(false),
  // Of a constant it folds at import; of a computed tensor only padding by nothing is (the IR pads with a constant).
  MirrorPad: (ctx) => {
    if (ctx.constValues(1).some((p) => p !== 0))
      fail(
        'MirrorPad of a computed tensor is not supported (the IR pads with a constant value; of a constant it folds)',
      );
    return ctx.input(0);
  },
  PadV2: constantPad(true),
  ConcatV2: (ctx) => {
    const n = ctx.inputCount - 1;
    const inputs = Array.from({ length: n }, (_, i) => ctx.input(i));
    return ctx.emit('concat', inputs, { axis: ctx.constValues(n)[0]! });
  },
};
