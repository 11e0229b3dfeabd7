/**
 * @fileoverview The requantization constants an int8 MAC layer (conv2d, fully_connected, depthwise_conv2d,
 * transpose_conv2d) places in the data segment: the SIMD table when the layer's shifts allow one (requantize-int8.ts),
 * else the scalar per-channel triples.
 */
import { type Graph, type Node, tensorOf } from '../../../ir/graph.ts';
import { type LayerContext, paramsOf } from './layer-context.ts';
import { type SimdRequant, simdRequantTable } from './requantize-int8.ts';

/**
 * The largest |accumulator| of each output channel of a conv, dense or depthwise node: |bias| + max|x + input_offset|
 * · Σ|w| over the channel's weights (any window's taps are a subset of them), whichever way a kernel sums it.
 */
function accumulatorBounds(g: Graph, node: Node, inputOffset: number): Float64Array {
  const filter = tensorOf(g, node.inputs[1]!);
  const w = filter.data as Int8Array;
  // Depthwise filters are [1][kh][kw][C·M], channel last; the others [O][…], channel first.
  const channelLast = node.op === 'depthwise_conv2d';
  const o = channelLast ? filter.shape[filter.shape.length - 1]! : filter.shape[0]!;
  const k = w.length / o;
  const bias = node.inputs[2] === undefined ? undefined : (tensorOf(g, node.inputs[2]).data as Int32Array);
  const maxInput = Math.max(Math.abs(-128 + inputOffset), Math.abs(127 + inputOffset));
  const bounds = Float64Array.from({ length: o }, (_, c) => Math.abs(bias?.[c] ?? 0));
  for (let i = 0; i < w.length; i++) bounds[channelLast ? i % o : Math.floor(i / k)]! += maxInput * Math.abs(w[i]!);
  return bounds;
}

/** The SIMD requantization table of a conv, dense or depthwise node, placed in the data, when its shifts allow one. */
export function vectorRequant(ctx: LayerContext, node: Node): { at: number; rq: SimdRequant } | undefined {
  const p = paramsOf(ctx, node, 'mac');
  const rq = simdRequantTable(p.multipliers, p.shifts, accumulatorBounds(ctx.g, node, p.inputOffset));
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
