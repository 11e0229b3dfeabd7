/**
 * @fileoverview TF's Sum and Max reductions in terms of the IR's own ops (mean, mul, max_pool2d), so that every
 * backend and quantize already handle them.
 */

import { TinyedgeError } from '../../errors.ts';
import { NO_CLAMP } from '../../ir/attrs.ts';
import type { TfMapContext, TfOpMapping } from './map-context.ts';

function fail(message: string): never {
  throw new TinyedgeError('TE110', message);
}

/** The reduced axes of a Sum/Max/Mean (its constant input 1), each in 0..rank-1, and the shape it leaves. */
function reduction(ctx: TfMapContext): { input: string; axes: number[]; shape: number[] } {
  const input = ctx.input(0);
  const inShape = ctx.shapeOf(input);
  const axes = ctx.constValues(1).map((a) => (a < 0 ? a + inShape.length : a));
  const keep = ctx.attrs.bool('keep_dims', false);
  const shape = inShape.flatMap((d, i) => (!axes.includes(i) ? [d] : keep ? [1] : []));
  return { input, axes, shape };
}

/** Sum is the mean times the count it averages (the IR reduces by mean; quantize then keeps one scale for both). */
export const sumReduction: TfOpMapping = (ctx) => {
  const { input, axes } = reduction(ctx);
  const count = axes.reduce((n, a) => n * ctx.shapeOf(input)[a]!, 1);
  const mean = ctx.emit('mean', [input], { axes, keepDims: ctx.attrs.bool('keep_dims', false) }, 'mean');
  return ctx.emit('mul', [mean, ctx.constant('count', [1], Float32Array.of(count))], { clamp: NO_CLAMP });
};

/** Max over the spatial axes of an NHWC tensor is a max pool over the whole image (the IR's one max reduction). */
export const maxReduction: TfOpMapping = (ctx) => {
  const { input, axes, shape } = reduction(ctx);
  const [, h, w] = ctx.shapeOf(input);
  if (ctx.shapeOf(input).length !== 4 || [...axes].sort().join() !== '1,2')
    fail(
      `Max over axes [${axes.join(', ')}] is not supported (over the spatial axes 1 and 2 of NHWC is: a global max pool)`,
    );
  const pooled = ctx.emit(
    'max_pool2d',
    [input],
    { filter: [h!, w!], strides: [1, 1], pads: [0, 0, 0, 0], clamp: NO_CLAMP },
    'pool',
  );
  return ctx.reshape(pooled, shape);
};
