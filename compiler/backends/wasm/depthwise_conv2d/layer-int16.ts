/**
 * @fileoverview The 16×8 depthwise_conv2d layer in WebAssembly (int16 activations, int8 weights, int64 or int32
 * biases): the SIMD channel-block kernel (depthwise-simd-int16.ts) when it fits, depth multiplier 1 and a window
 * of at most 511 taps; the scalar kernel (depthwise-scalar-int16.ts) otherwise. Both requantize as the reference
 * (emit/requantize-int16.ts).
 */
import { type Graph, type NodeOf, tensorOf } from '../../../ir/graph.ts';
import { windowOf } from '../../../ir/window.ts';
import { type LayerContext, scratchAddress, tensorAddress } from '../emit/layer-context.ts';
import { mac16Operands } from '../emit/requantize-int16.ts';
import { emitDepthwise } from './depthwise-scalar-int16.ts';
import {
  depthwiseRowBytes,
  emitSimdDepthwise16,
  simdDepthwiseFits,
  widenedDepthwiseWeights,
} from './depthwise-simd-int16.ts';

type DepthwiseNode = NodeOf<'depthwise_conv2d'>;

/** The node's window over its input. */
function windowOfNode(g: Graph, node: DepthwiseNode) {
  const filter = tensorOf(g, node.inputs[1]!);
  return windowOf(
    tensorOf(g, node.inputs[0]!),
    tensorOf(g, node.outputs[0]!),
    filter.shape[1]!,
    filter.shape[2]!,
    node.attrs,
  );
}

/** Whether the SIMD kernel computes the node. */
export function depthwiseSimd16Fits(g: Graph, node: DepthwiseNode): boolean {
  const [, kh, kw] = tensorOf(g, node.inputs[1]!).shape;
  return simdDepthwiseFits({ kh: kh!, kw: kw! }, node.attrs.depthMultiplier);
}

/** Scratch bytes of the SIMD kernel: a row of one pixel's channel sums. */
export function depthwiseSimd16ScratchBytes(g: Graph, node: DepthwiseNode): number {
  return depthwiseRowBytes(tensorOf(g, node.inputs[1]!).shape[3]!);
}

/** Emits the function `name` on the SIMD kernel. */
export function emitDepthwiseSimdLayer16(ctx: LayerContext, node: DepthwiseNode, name: string): void {
  const common = mac16Operands(ctx, node);
  const w = windowOfNode(ctx.g, node);
  const filter = tensorOf(ctx.g, node.inputs[1]!);
  const weights = ctx.data.add(
    `${node.inputs[1]!}\0int16`,
    widenedDepthwiseWeights(filter.data as Int8Array, w.kh * w.kw, w.c),
  );
  const layout = { ...common, weights, sums: scratchAddress(ctx, node), w };
  ctx.module.fn(name, 0, (f) => emitSimdDepthwise16(f, layout));
}

/** Emits the function `name` on the scalar kernel (any depth multiplier). */
export function emitDepthwiseScalarLayer16(ctx: LayerContext, node: DepthwiseNode, name: string): void {
  const common = mac16Operands(ctx, node);
  const layout = {
    ...common,
    weights: tensorAddress(ctx, node.inputs[1]!),
    w: windowOfNode(ctx.g, node),
    multiplier: node.attrs.depthMultiplier,
  };
  ctx.module.fn(name, 0, (f) => emitDepthwise(f, layout));
}
