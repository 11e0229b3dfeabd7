/**
 * @fileoverview The int8 depthwise_conv2d layer in WebAssembly: its weights widened to int16 and biases (plain, and
 * folded with the input offset for interior pixels) placed in the data segment, then the SIMD128 kernel
 * (depthwise-simd-int8.ts), which takes a scalar loop itself for depth multipliers other than 1.
 */
import { type Graph, type NodeOf, tensorOf } from '../../../ir/graph.ts';
import { windowOf } from '../../../ir/window.ts';
import { channelRequant, vectorRequant } from '../emit/channel-requant-int8.ts';
import { tensorAddress as addr, type LayerContext, paramsOf, scratchAddress } from '../emit/layer-context.ts';
import {
  depthwiseScratchBytes,
  emitSimdDepthwise,
  productsPairInInt16,
  simdDepthwiseConstants,
} from './depthwise-simd-int8.ts';

/** Scratch bytes of the layer: one pixel's int32 accumulators. */
export function depthwiseLayerScratchBytes(g: Graph, node: NodeOf<'depthwise_conv2d'>): number {
  return depthwiseScratchBytes(tensorOf(g, node.outputs[0]!).shape[3]!);
}

/** Emits the function `name` computing the node. */
export function emitDepthwiseLayerInt8(ctx: LayerContext, node: NodeOf<'depthwise_conv2d'>, name: string): void {
  const { g } = ctx;
  const y = addr(ctx, node.outputs[0]!);
  const filter = tensorOf(g, node.inputs[1]!);
  const [, kh, kw, channels] = filter.shape;
  const w = windowOf(tensorOf(g, node.inputs[0]!), tensorOf(g, node.outputs[0]!), kh!, kw!, node.attrs);
  const p = paramsOf(ctx, node, 'mac');
  const bias =
    node.inputs[2] === undefined ? new Int32Array(channels!) : (tensorOf(g, node.inputs[2]!).data as Int32Array);
  const constants = simdDepthwiseConstants(filter.data as Int8Array, bias, kh! * kw!, channels!, p.inputOffset);
  const at = {
    weights: ctx.data.add(`${node.inputs[1]!}\0simd`, constants.weights),
    bias: ctx.data.add(`${node.name}\0bias`, constants.bias),
    folded: ctx.data.add(`${node.name}\0folded`, constants.folded),
  };
  const multiplier = node.attrs.depthMultiplier;
  const vector = multiplier === 1 ? vectorRequant(ctx, node) : undefined;
  const dw = {
    x: addr(ctx, node.inputs[0]!),
    y,
    acc: scratchAddress(ctx, node),
    table: vector ? 0 : channelRequant(ctx, node),
    vector,
    w,
    multiplier,
    p,
  };
  ctx.module.fn(name, 0, (f) => [emitSimdDepthwise(f, dw, at, productsPairInInt16(filter.data as Int8Array))]);
}
