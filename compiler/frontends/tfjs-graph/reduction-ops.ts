/**
 * @fileoverview TF's Sum and Max reductions in terms of the IR's own ops (mean and mul, reduce_max), so that every
 * backend and quantize already handle them.
 */

import { NO_CLAMP } from '../../ir/attrs.ts';
import type { TfMapContext, TfOpMapping } from './map-context.ts';

/** The reduced axes of a Sum/Max (its constant input 1), each in 0..rank-1. */
function reduction(ctx: TfMapContext): { input: string; axes: number[] } {
  const input = ctx.input(0);
  const inShape = ctx.shapeOf(input);
  const axes = ctx.constValues(1).map((a) => (a < 0 ? a + inShape.length : a));
  return { input, axes };
}

/** Sum is the mean times the count it averages (the IR reduces by mean; quantize then keeps one scale for both). */
export const sumReduction: TfOpMapping = (ctx) => {
  const { input, axes } = reduction(ctx);
  const count = axes.reduce((n, a) => n * ctx.shapeOf(input)[a]!, 1);
  const mean = ctx.emit('mean', [input], { axes, keepDims: ctx.attrs.bool('keep_dims', false) }, 'mean');
  return ctx.emit('mul', [mean, ctx.constant('count', [1], Float32Array.of(count))], { clamp: NO_CLAMP });
};

/** Max over any axes: the IR's max reduction (its output shares the input's quantization, as TFLite's REDUCE_MAX). */
export const maxReduction: TfOpMapping = (ctx) => {
  const { input, axes } = reduction(ctx);
  return ctx.emit('reduce_max', [input], { axes, keepDims: ctx.attrs.bool('keep_dims', false) });
};
