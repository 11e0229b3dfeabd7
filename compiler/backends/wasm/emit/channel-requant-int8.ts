/**
 * @fileoverview The requantization constants an int8 MAC layer (conv2d, fully_connected, depthwise_conv2d,
 * transpose_conv2d) places in the data segment: the SIMD table when the layer's shifts allow one (requantize-int8.ts),
 * else the scalar per-channel triples.
 */
import type { Node } from '../../../ir/graph.ts';
import { type LayerContext, paramsOf } from './layer-context.ts';
import { type SimdRequant, simdRequantTable } from './requantize-int8.ts';

/** The SIMD requantization table of a conv, dense or depthwise node, placed in the data, when its shifts allow one. */
export function vectorRequant(ctx: LayerContext, node: Node): { at: number; rq: SimdRequant } | undefined {
  const p = paramsOf(ctx, node, 'mac');
  const rq = simdRequantTable(p.multipliers, p.shifts);
  return rq && { at: ctx.data.add(`${node.name}\0requant-simd`, rq.table), rq };
}

/** Per-channel (multiplier, left shift, right shift) triples, 12 bytes a channel. */
export function channelRequant(ctx: LayerContext, node: Node): number {
  const p = paramsOf(ctx, node, 'mac');
  const t = new Int32Array(p.multipliers.length * 3);
  p.multipliers.forEach((m, c) => {
    const shift = p.shifts[c]!;
    t[3 * c] = m;
    t[3 * c + 1] = Math.max(shift, 0);
    t[3 * c + 2] = Math.max(-shift, 0);
  });
  return ctx.data.add(`${node.name}\0requant`, t);
}
