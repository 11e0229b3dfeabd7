/**
 * @fileoverview A layer's part for one of the threads of a WebAssembly module (runtime/c/threads/row_split.h is the
 * C twin): part `part` of `parts` computes a band of output rows as a smaller layer of the same kernel, emitted by
 * the kernel table from a band of the graph: a band of a window op has fewer output rows, the top padding less the
 * input rows skipped and its input starting at the first row the band reads; a band of a matmul (pointwise conv,
 * dense) is fewer rows; a band of a same-shape add or mul a slice of its outermost dimension longer than one. Every
 * output element is computed as in the whole layer, so the output is bit-identical for every thread count. Part p
 * uses the planner's scratch of thread p (plan-memory.ts gives a split layer one per thread, `threads` apart).
 */
import { type Graph, type Node, tensorOf } from '../../../ir/graph.ts';
import type { Tensor } from '../../../ir/tensor.ts';
import { sizeOf } from '../../../ir/tensor.ts';
import { MATMUL_BAND_STEP, splitRows, splitsAcrossThreads, threadScratchStride } from '../../../plan/thread-split.ts';
import { int8ParamsOf, isPointwiseConv } from '../../../quantize/prepare/prepare-int8.ts';
import type { LayerContext } from '../emit/layer-context.ts';
import { emitLayer, wasmScratchBytes } from '../kernel-table.ts';

/** The first of `total` rows in part `part` of `parts` (te_band_start): whole `step`s where every part can have one. */
export function bandStart(total: number, part: number, parts: number, step: number): number {
  const at = Math.floor((total * part) / parts);
  if (part === parts || total < step * parts) return at;
  return Math.floor((at + Math.floor(step / 2)) / step) * step;
}

/** A band: the node and shapes it runs with, and how far its input and output move into the whole tensors. */
interface Band {
  node: Node;
  shapes: Map<string, number[]>;
  /** Byte offsets into the tensors (int8: one byte an element). */
  offsets: Map<string, number>;
}

type Split = (g: Graph, node: Node, r0: number, r1: number) => Band;

/** Output rows [r0, r1) of a window op of batch 1 (conv2d, depthwise, pooling). */
const windowBand: Split = (g, node, r0, r1) => {
  const [x, y] = [tensorOf(g, node.inputs[0]!), tensorOf(g, node.outputs[0]!)];
  const [, h, w, c] = x.shape as [number, number, number, number];
  const [, , ow, outC] = y.shape as [number, number, number, number];
  const a = node.attrs as { strides: [number, number]; pads: [number, number, number, number] };
  const kh = node.op === 'conv2d' || node.op === 'depthwise_conv2d' ? tensorOf(g, node.inputs[1]!).shape[1]! : 0;
  const dilation = (node.attrs as { dilations?: [number, number] }).dilations?.[0] ?? 1;
  const extent = node.op === 'conv2d' || node.op === 'depthwise_conv2d' ? (kh - 1) * dilation + 1 : 0;
  const reach = extent || (node.attrs as { filter: [number, number] }).filter[0];
  const top = r0 * a.strides[0] - a.pads[0];
  const skip = Math.max(top, 0);
  const padTop = Math.max(-top, 0);
  const bandH = h - skip;
  const padBottom = Math.max(0, (r1 - r0 - 1) * a.strides[0] + reach - bandH - padTop);
  return {
    node: { ...node, attrs: { ...node.attrs, pads: [padTop, padBottom, a.pads[2], a.pads[3]] } } as Node,
    shapes: new Map([
      [node.inputs[0]!, [1, bandH, w, c]],
      [node.outputs[0]!, [1, r1 - r0, ow, outC]],
    ]),
    offsets: new Map([
      [node.inputs[0]!, skip * w * c],
      [node.outputs[0]!, r0 * ow * outC],
    ]),
  };
};

/** Rows [r0, r1) of a matmul: a pointwise conv's pixels, a dense layer's rows. */
const matmulBand: Split = (g, node, r0, r1) => {
  const filter = tensorOf(g, node.inputs[1]!).shape;
  const outC = filter[0]!;
  const k = sizeOf(filter.slice(1));
  const pointwise = node.op === 'conv2d';
  return {
    node,
    shapes: new Map([
      [node.inputs[0]!, pointwise ? [1, 1, r1 - r0, k] : [r1 - r0, k]],
      [node.outputs[0]!, pointwise ? [1, 1, r1 - r0, outC] : [r1 - r0, outC]],
    ]),
    offsets: new Map([
      [node.inputs[0]!, r0 * k],
      [node.outputs[0]!, r0 * outC],
    ]),
  };
};

/** The outermost dimension longer than one of a same-shape add or mul. */
function outerDimension(out: Tensor): number {
  return Math.max(
    0,
    out.shape.findIndex((d) => d > 1),
  );
}

/** Slice [r0, r1) of that dimension, for every input and the output alike. */
const elementwiseBand: Split = (g, node, r0, r1) => {
  const out = tensorOf(g, node.outputs[0]!);
  const d = outerDimension(out);
  const inner = sizeOf(out.shape.slice(d + 1));
  const names = [...node.inputs, node.outputs[0]!];
  return {
    node,
    shapes: new Map(names.map((n) => [n, out.shape.map((s, i) => (i === d ? r1 - r0 : s))])),
    offsets: new Map(names.map((n) => [n, r0 * inner])),
  };
};

/** How a node splits, its row count (plan/thread-split.ts) and band step; undefined when it runs on one thread. */
function splitOf(g: Graph, node: Node): { split: Split; rows: number; step: number } | undefined {
  if (!splitsAcrossThreads(g, node)) return undefined;
  const rows = splitRows(g, node);
  if (node.op === 'fully_connected' || (node.op === 'conv2d' && isPointwiseConv(g, node)))
    return { split: matmulBand, rows, step: MATMUL_BAND_STEP };
  if (['conv2d', 'depthwise_conv2d', 'avg_pool2d', 'max_pool2d'].includes(node.op))
    return { split: windowBand, rows, step: 1 };
  // Broadcasting adds and muls (a squeeze-excite's scale) stay whole: cheap, and their inputs differ in shape.
  const out = tensorOf(g, node.outputs[0]!);
  const sameShape = node.inputs.every((i) => tensorOf(g, i).shape.join() === out.shape.join());
  return sameShape ? { split: elementwiseBand, rows, step: 1 } : undefined;
}

/** Whether the threaded module runs `node` in parts (a subset of the planner's split layers, so it is planned for). */
export function wasmSplits(g: Graph, node: Node): boolean {
  return splitOf(g, node) !== undefined;
}

/**
 * Emits the function `name` computing part `part` of `parts` of a split node; false (nothing emitted) when the part
 * is empty (fewer rows than parts).
 */
export function emitLayerPart(ctx: LayerContext, node: Node, part: number, parts: number, name: string): boolean {
  const { g } = ctx;
  const s = splitOf(g, node);
  if (!s) throw new Error(`internal: node '${node.name}' does not split across threads`);
  const r0 = bandStart(s.rows, part, parts, s.step);
  const r1 = bandStart(s.rows, part + 1, parts, s.step);
  if (r1 <= r0) return false;
  const band = s.split(g, node, r0, r1);
  const tensors = new Map(g.tensors);
  for (const [t, shape] of band.shapes) tensors.set(t, { ...tensorOf(g, t), shape });
  const address = new Map(ctx.address);
  for (const [t, offset] of band.offsets) address.set(t, (ctx.address.get(t) as number) + offset);
  const scratch = new Map(ctx.scratch);
  const own = ctx.scratch.get(node.name);
  if (own !== undefined) scratch.set(node.name, own + part * threadScratchStride(wasmScratchBytes(g, node)));
  const bandCtx = { ...ctx, g: { ...g, tensors }, address, scratch, params: ctx.params ?? int8ParamsOf(g) };
  emitLayer(bandCtx, band.node, name);
  return true;
}
