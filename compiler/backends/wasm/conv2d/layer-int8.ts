/**
 * @fileoverview The int8 conv2d and fully_connected layers in WebAssembly (C's conv2d family holds te_matmul_s8
 * too): the pointwise conv and dense layers run the SIMD128 matmul (matmul-simd-int8.ts) over their rows, a conv of
 * any other window gathers windows into a patch first (conv2d-simd-int8.ts). Both place the matmul's weights,
 * folded bias and requantization table in the data segment.
 */
import { type Graph, type Node, type NodeOf, tensorOf } from '../../../ir/graph.ts';
import { sizeOf } from '../../../ir/tensor.ts';
import { windowOf } from '../../../ir/window.ts';
import { foldedMacBias, isPointwiseConv } from '../../../quantize/prepare/prepare-int8.ts';
import { channelRequant, vectorRequant } from '../emit/channel-requant-int8.ts';
import { tensorAddress as addr, type LayerContext, paramsOf, scratchAddress } from '../emit/layer-context.ts';
import { convPatchBytes, emitSimdConv } from './conv2d-simd-int8.ts';
import {
  emitSimdMatmul,
  matmulScratchBytes,
  paddedBias,
  type SimdMatmul,
  simdMatmulWeights,
} from './matmul-simd-int8.ts';

type MacNode = NodeOf<'conv2d' | 'fully_connected'>;

/** Whether a conv2d or fully_connected node is a matrix product over rows: dense, or a pointwise conv. */
export function isMatmulNode(g: Graph, node: Node): boolean {
  return node.op === 'fully_connected' || isPointwiseConv(g, node);
}

/** The filter's output channels o and dot length k. */
function dotShape(g: Graph, node: MacNode): { o: number; k: number } {
  const f = tensorOf(g, node.inputs[1]!).shape;
  const o = f[0]!;
  return { o, k: sizeOf(f) / o };
}

/** Scratch bytes of the matmul: a pass's rows widened to int16, then their int32 accumulator rows. */
export function matmulLayerScratchBytes(g: Graph, node: MacNode): number {
  const { o, k } = dotShape(g, node);
  return matmulScratchBytes(k, o);
}

/** Scratch bytes of a windowed conv: the matmul's, then the patch of gathered windows. */
export function conv2dLayerScratchBytes(g: Graph, node: MacNode): number {
  const [, kh, kw, c] = tensorOf(g, node.inputs[1]!).shape;
  return matmulLayerScratchBytes(g, node) + convPatchBytes(kh!, kw!, c!);
}

/** The matmul's constants, placed in the data segment (weights widened at start, folded bias, requantization). */
function matmulOf(ctx: LayerContext, node: MacNode): { mm: SimdMatmul; inputOffset: number } {
  const { g } = ctx;
  const filter = tensorOf(g, node.inputs[1]!);
  const { o, k } = dotShape(g, node);
  const p = paramsOf(ctx, node, 'mac');
  // int4 weights (quant.bits 4) download two a byte; the start function widens both forms to the same int16.
  const weights = ctx.data.addWidened(
    `${node.inputs[1]!}\0simd`,
    simdMatmulWeights(filter.data as Int8Array, o, k),
    filter.quant?.bits === 4 ? 'int4' : 'int8',
  );
  const bias = ctx.data.add(`${node.name}\0folded`, paddedBias(foldedMacBias(g, node, p.inputOffset)));
  const vector = vectorRequant(ctx, node);
  const scratch = scratchAddress(ctx, node);
  return {
    mm: { weights, bias, table: vector ? 0 : channelRequant(ctx, node), vector, scratch, k, outC: o, p },
    inputOffset: p.inputOffset,
  };
}

/** Emits the function `name` of a dense layer or pointwise conv: one matmul over all rows. */
export function emitMatmulLayerInt8(ctx: LayerContext, node: MacNode, name: string): void {
  const y = addr(ctx, node.outputs[0]!);
  const { mm } = matmulOf(ctx, node);
  const rows = sizeOf(tensorOf(ctx.g, node.inputs[0]!).shape) / mm.k;
  ctx.module.fn(name, 0, (f) => [emitSimdMatmul(f, mm, f.c(addr(ctx, node.inputs[0]!)), rows, f.c(y))]);
}

/** Emits the function `name` of a conv2d of any other window: gathered windows, then matmul passes. */
export function emitConv2dLayerInt8(ctx: LayerContext, node: NodeOf<'conv2d'>, name: string): void {
  const { g } = ctx;
  const y = addr(ctx, node.outputs[0]!);
  const { mm, inputOffset } = matmulOf(ctx, node);
  const filter = tensorOf(g, node.inputs[1]!);
  const w = windowOf(
    tensorOf(g, node.inputs[0]!),
    tensorOf(g, node.outputs[0]!),
    filter.shape[1]!,
    filter.shape[2]!,
    node.attrs,
  );
  const conv = {
    x: addr(ctx, node.inputs[0]!),
    y,
    patch: mm.scratch + matmulScratchBytes(mm.k, mm.outC),
    w,
    inputOffset,
  };
  ctx.module.fn(name, 0, (f) => [emitSimdConv(f, mm, conv)]);
}
