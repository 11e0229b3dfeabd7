/**
 * @fileoverview How each Keras layer class of a TF.js layers model maps onto IR ops: one entry per class name.
 * Weights arrive in Keras layouts and are converted here (HWIO → OHWI and so on).
 */

import { type ErrorCode, TinyedgeError } from '../../errors.ts';
import { type Clamp, NO_CLAMP } from '../../ir/attrs.ts';
import type { OpAttrs, OpName } from '../../ir/ops.ts';
import { tfPads } from '../../ir/padding.ts';
import { formatShape, sameShape } from '../../ir/tensor.ts';
import { depthwiseShape, hwioToOhwi, transpose2d } from '../tfjs-common/layouts.ts';
import type { DecodedWeight } from '../tfjs-common/weights.ts';
import type { KerasConfig, KerasLayer } from './keras-layer.ts';

/** What a mapping may ask of the importer while translating one layer. */
export interface KerasMapContext {
  layer: KerasLayer;
  config: KerasConfig;
  /** IR tensors feeding the layer. */
  inputs: string[];
  /** The layer's weight `param` ('kernel', 'bias', 'gamma'…), checked against the shape the config implies. */
  weight(param: string, expectedShape?: number[]): DecodedWeight | undefined;
  /** Adds a constant named after the layer. */
  constant(param: string, shape: number[], data: Float32Array): string;
  shapeOf(name: string): number[];
  /** Adds an IR node; the last one a mapping emits carries the layer's name. */
  emit<K extends OpName>(op: K, inputs: string[], attrs: OpAttrs<K>, suffix?: string): string;
}

/** Translates one layer and returns the IR tensor of its output. */
export type KerasLayerMapping = (ctx: KerasMapContext) => string;

function fail(message: string, code: ErrorCode = 'TE110'): never {
  throw new TinyedgeError(code, message);
}

/** Keras activations that are clamps (softmax and sigmoid become ops of their own). */
const CLAMP_ACTIVATIONS: Record<string, Clamp> = {
  linear: NO_CLAMP,
  relu: { min: 0, max: null },
  relu6: { min: 0, max: 6 },
};

/** Emits the layer's own op and then its `activation`; the last node gets the layer's name. */
function withActivation<K extends OpName>(
  ctx: KerasMapContext,
  op: K,
  inputs: string[],
  attrs: (clamp: Clamp) => OpAttrs<K>,
): string {
  const activation = ctx.config.string('activation', 'linear');
  const clamp = CLAMP_ACTIVATIONS[activation];
  if (clamp) return ctx.emit(op, inputs, attrs(clamp));
  const pre = ctx.emit(op, inputs, attrs(NO_CLAMP), 'preactivation');
  if (activation === 'softmax') return ctx.emit('softmax', [pre], { beta: 1 });
  if (activation === 'sigmoid') return ctx.emit('logistic', [pre], {});
  return fail(`activation '${activation}' is not supported`);
}

function checkChannelsLast(ctx: KerasMapContext): void {
  const f = ctx.config.string('data_format', 'channels_last');
  if (f !== 'channels_last') fail(`data_format ${f} is not supported (channels_last is)`);
}

function biasOf(ctx: KerasMapContext, channels: number): string[] {
  if (!ctx.config.bool('use_bias', true)) return [];
  const b = ctx.weight('bias', [channels]);
  if (!b) return fail("use_bias is true but the weights have no 'bias'", 'TE108');
  return [ctx.constant('bias', b.shape, b.data)];
}

function requireWeight(ctx: KerasMapContext, param: string, shape?: number[]): DecodedWeight {
  return (
    ctx.weight(param, shape) ??
    fail(`weight '${ctx.layer.name}/${param}' is missing from the weights manifest`, 'TE108')
  );
}

const conv2d: KerasLayerMapping = (ctx) => {
  checkChannelsLast(ctx);
  const [input] = ctx.inputs;
  const [, h, w, c] = ctx.shapeOf(input!);
  const [kh, kw] = ctx.config.pair('kernel_size');
  const filters = ctx.config.number('filters');
  const strides = ctx.config.pair('strides', [1, 1]);
  const dilations = ctx.config.pair('dilation_rate', [1, 1]);
  if (ctx.config.number('groups', 1) !== 1) fail('grouped convolution is not supported');
  const k = requireWeight(ctx, 'kernel', [kh, kw, c!, filters]);
  const filter = ctx.constant('kernel', [filters, kh, kw, c!], hwioToOhwi(k.data, k.shape));
  const pads = tfPads(ctx.config.string('padding', 'valid'), h!, w!, kh, kw, strides, dilations);
  return withActivation(ctx, 'conv2d', [input!, filter, ...biasOf(ctx, filters)], (clamp) => ({
    strides,
    dilations,
    pads,
    clamp,
  }));
};

const depthwise: KerasLayerMapping = (ctx) => {
  checkChannelsLast(ctx);
  const [input] = ctx.inputs;
  const [, h, w, c] = ctx.shapeOf(input!);
  const [kh, kw] = ctx.config.pair('kernel_size');
  const m = ctx.config.number('depth_multiplier', 1);
  const strides = ctx.config.pair('strides', [1, 1]);
  const dilations = ctx.config.pair('dilation_rate', [1, 1]);
  const k = requireWeight(ctx, 'depthwise_kernel', [kh, kw, c!, m]);
  const filter = ctx.constant('depthwise_kernel', depthwiseShape(k.shape), k.data);
  const pads = tfPads(ctx.config.string('padding', 'valid'), h!, w!, kh, kw, strides, dilations);
  return withActivation(ctx, 'depthwise_conv2d', [input!, filter, ...biasOf(ctx, c! * m)], (clamp) => ({
    strides,
    dilations,
    pads,
    depthMultiplier: m,
    clamp,
  }));
};

/** A depthwise conv (no bias) then a 1×1 conv with the bias and the activation, as Keras computes it. */
const separable: KerasLayerMapping = (ctx) => {
  checkChannelsLast(ctx);
  const [input] = ctx.inputs;
  const [, h, w, c] = ctx.shapeOf(input!);
  const [kh, kw] = ctx.config.pair('kernel_size');
  const m = ctx.config.number('depth_multiplier', 1);
  const filters = ctx.config.number('filters');
  const strides = ctx.config.pair('strides', [1, 1]);
  const dilations = ctx.config.pair('dilation_rate', [1, 1]);
  const dk = requireWeight(ctx, 'depthwise_kernel', [kh, kw, c!, m]);
  const pk = requireWeight(ctx, 'pointwise_kernel', [1, 1, c! * m, filters]);
  const pads = tfPads(ctx.config.string('padding', 'valid'), h!, w!, kh, kw, strides, dilations);
  const dw = ctx.emit(
    'depthwise_conv2d',
    [input!, ctx.constant('depthwise_kernel', depthwiseShape(dk.shape), dk.data)],
    { strides, dilations, pads, depthMultiplier: m, clamp: NO_CLAMP },
    'depthwise',
  );
  const pointwise = ctx.constant('pointwise_kernel', [filters, 1, 1, c! * m], hwioToOhwi(pk.data, pk.shape));
  return withActivation(ctx, 'conv2d', [dw, pointwise, ...biasOf(ctx, filters)], (clamp) => ({
    strides: [1, 1],
    dilations: [1, 1],
    pads: [0, 0, 0, 0],
    clamp,
  }));
};

const dense: KerasLayerMapping = (ctx) => {
  const [input] = ctx.inputs;
  const shape = ctx.shapeOf(input!);
  const units = ctx.config.number('units');
  const k = requireWeight(ctx, 'kernel', [shape[shape.length - 1]!, units]);
  const filter = ctx.constant('kernel', [units, k.shape[0]!], transpose2d(k.data, k.shape));
  return withActivation(ctx, 'fully_connected', [input!, filter, ...biasOf(ctx, units)], (clamp) => ({ clamp }));
};

const batchNorm: KerasLayerMapping = (ctx) => {
  const [input] = ctx.inputs;
  const shape = ctx.shapeOf(input!);
  const axis = ctx.config.raw('axis');
  const ax = Array.isArray(axis) && axis.length === 1 ? axis[0] : axis;
  if (ax !== -1 && ax !== shape.length - 1)
    fail(`batch normalization over axis ${JSON.stringify(axis)} is not supported (the channel axis is)`);
  const c = shape[shape.length - 1]!;
  const param = (name: string) => {
    const w = requireWeight(ctx, name, [c]);
    return ctx.constant(name, w.shape, w.data);
  };
  const inputs = [input!, param('moving_mean'), param('moving_variance')];
  // The IR's optional inputs are positional: offset (beta) comes before scale (gamma).
  const center = ctx.config.bool('center', true);
  const scale = ctx.config.bool('scale', true);
  if (center || scale) inputs.push(center ? param('beta') : ctx.constant('beta', [c], new Float32Array(c)));
  if (scale) inputs.push(param('gamma'));
  return ctx.emit('batch_norm', inputs, { epsilon: ctx.config.number('epsilon', 1e-3) });
};

const relu: KerasLayerMapping = (ctx) => {
  const slope = ctx.config.number('negative_slope', 0);
  const threshold = ctx.config.number('threshold', 0);
  if (slope !== 0 || threshold !== 0) fail('ReLU with a negative slope or threshold is not supported');
  return ctx.emit('clamp', ctx.inputs, { clamp: { min: 0, max: ctx.config.optionalNumber('max_value') } });
};

const zeroPadding: KerasLayerMapping = (ctx) => {
  checkChannelsLast(ctx);
  const p = ctx.config.raw('padding');
  let hw: [number, number][];
  if (typeof p === 'number')
    hw = [
      [p, p],
      [p, p],
    ];
  else if (Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'number'))
    hw = [
      [p[0]!, p[0]!],
      [p[1]!, p[1]!],
    ];
  else if (Array.isArray(p) && p.length === 2 && p.every((x) => Array.isArray(x) && x.length === 2))
    hw = p as [number, number][];
  else return fail(`padding ${JSON.stringify(p)} is not understood`);
  return ctx.emit('pad', ctx.inputs, { pads: [[0, 0], hw[0]!, hw[1]!, [0, 0]], value: 0 });
};

function pooling(op: 'avg_pool2d' | 'max_pool2d'): KerasLayerMapping {
  return (ctx) => {
    checkChannelsLast(ctx);
    const [input] = ctx.inputs;
    const [, h, w] = ctx.shapeOf(input!);
    const filter = ctx.config.pair('pool_size', [2, 2]);
    const strides = ctx.config.pair('strides', filter);
    const pads = tfPads(ctx.config.string('padding', 'valid'), h!, w!, filter[0], filter[1], strides);
    return ctx.emit(op, ctx.inputs, { filter, strides, pads, clamp: NO_CLAMP });
  };
}

function merge(op: 'add' | 'mul'): KerasLayerMapping {
  return (ctx) => {
    if (ctx.inputs.length < 2) fail(`needs at least 2 inputs, has ${ctx.inputs.length}`);
    let acc = ctx.inputs[0]!;
    ctx.inputs.slice(1).forEach((x, i) => {
      const last = i === ctx.inputs.length - 2;
      acc = ctx.emit(op, [acc, x], { clamp: NO_CLAMP }, last ? undefined : `partial${i}`);
    });
    return acc;
  };
}

/** Keras class name → mapping. InputLayer is handled by the importer itself. */
export const KERAS_LAYERS: Record<string, KerasLayerMapping> = {
  Conv2D: conv2d,
  DepthwiseConv2D: depthwise,
  SeparableConv2D: separable,
  Dense: dense,
  BatchNormalization: batchNorm,
  ReLU: relu,
  Activation: (ctx) => withActivationOnly(ctx),
  ZeroPadding2D: zeroPadding,
  AveragePooling2D: pooling('avg_pool2d'),
  MaxPooling2D: pooling('max_pool2d'),
  GlobalAveragePooling2D: (ctx) =>
    ctx.emit('mean', ctx.inputs, { axes: [1, 2], keepDims: ctx.config.bool('keepdims', false) }),
  Add: merge('add'),
  Multiply: merge('mul'),
  Concatenate: (ctx) => ctx.emit('concat', ctx.inputs, { axis: ctx.config.number('axis', -1) }),
  Flatten: (ctx) => ctx.emit('reshape', ctx.inputs, { shape: [ctx.shapeOf(ctx.inputs[0]!)[0]!, -1] }),
  Reshape: (ctx) =>
    ctx.emit('reshape', ctx.inputs, {
      shape: [ctx.shapeOf(ctx.inputs[0]!)[0]!, ...(ctx.config.raw('target_shape') as number[])],
    }),
  Dropout: (ctx) => ctx.emit('identity', ctx.inputs, {}),
  Softmax: (ctx) => ctx.emit('softmax', ctx.inputs, { beta: 1 }),
};

/** The Activation layer: only its activation, on an identity. */
function withActivationOnly(ctx: KerasMapContext): string {
  const activation = ctx.config.string('activation');
  const clamp = CLAMP_ACTIVATIONS[activation];
  if (clamp) return ctx.emit('clamp', ctx.inputs, { clamp });
  if (activation === 'softmax') return ctx.emit('softmax', ctx.inputs, { beta: 1 });
  if (activation === 'sigmoid') return ctx.emit('logistic', ctx.inputs, {});
  return fail(`activation '${activation}' is not supported`);
}

/** Checks a weight against the shape its layer's config implies. */
export function checkWeightShape(w: DecodedWeight, expected: number[] | undefined, fullName: string): void {
  if (expected && !sameShape(w.shape, expected)) {
    fail(
      `weight '${fullName}' has shape ${formatShape(w.shape)} in the weights manifest but the layer's config and input need ${formatShape(expected)}`,
      'TE108',
    );
  }
}
