/**
 * @fileoverview The 16×8 MAC layers (int16 activations, int8 weights, int64 or int32 biases) in WebAssembly: conv2d
 * of any window and the matrix products (pointwise conv, fully connected) run the SIMD dot-product kernel
 * (int16-simd-mac.ts); the depthwise conv runs the SIMD channel-block kernel (int16-simd-depthwise.ts) at depth
 * multiplier 1 and the scalar one (int16-depthwise.ts) otherwise. All requantize as the reference
 * (int16-requantize.ts).
 */
import { Graph, Node, NodeOf, tensorOf } from '../../ir/graph.ts';
import { sizeOf } from '../../ir/tensor.ts';
import { TinyedgeError } from '../../errors.ts';
import { isPointwiseConv } from '../../quantize/prepare/prepare-int8.ts';
import { windowOf } from '../../ir/window.ts';
import { requantTable } from './int16-requantize.ts';
import { emitSimdMac, patchBytes, widenedWeights } from './int16-simd-mac.ts';
import { emitDepthwise } from './int16-depthwise.ts';
import { depthwiseRowBytes, emitSimdDepthwise16, simdDepthwiseFits, widenedDepthwiseWeights } from './int16-simd-depthwise.ts';
import { LayerContext, paramsOf, tensorAddress } from './layer-context.ts';

/** A conv2d or fully_connected node's dot length k, and whether it is a matrix product over rows (pointwise or dense). */
function dotShape(g: Graph, node: Node): { k: number; matmul: boolean } {
  const f = tensorOf(g, node.inputs[1]).shape;
  return { k: sizeOf(f) / f[0], matmul: node.op === 'fully_connected' || isPointwiseConv(g, node) };
}

/** Whether a 16×8 depthwise node runs the SIMD kernel (int16-simd-depthwise.ts); others run the scalar one. */
function depthwiseRunsSimd(g: Graph, node: NodeOf<'depthwise_conv2d'>): boolean {
  const [, kh, kw] = tensorOf(g, node.inputs[1]).shape;
  return simdDepthwiseFits({ kh, kw }, node.attrs.depthMultiplier);
}

/** Scratch bytes of a 16×8 MAC node: a windowed conv's patch, a SIMD depthwise conv's row of channel sums. */
export function int16MacScratchBytes(g: Graph, node: Node): number {
  if (node.op === 'depthwise_conv2d') return depthwiseRunsSimd(g, node) ? depthwiseRowBytes(tensorOf(g, node.inputs[1]).shape[3]) : 0;
  if (node.op !== 'conv2d') return 0;
  const { k, matmul } = dotShape(g, node);
  return matmul ? 0 : patchBytes(k);
}

/** The node's scratch address; int16MacScratchBytes must have asked for it. */
function scratchOf(ctx: LayerContext, node: Node): number {
  const at = ctx.scratch.get(node.name);
  if (at === undefined) throw new Error(`internal: 16×8 node '${node.name}' has no scratch`);
  return at;
}

/** Emits the function `name` computing a 16×8 conv2d, depthwise_conv2d or fully_connected node. */
export function emitInt16Mac(ctx: LayerContext, node: NodeOf<'conv2d' | 'depthwise_conv2d' | 'fully_connected'>, name: string): void {
  const { g } = ctx;
  const input = tensorOf(g, node.inputs[0]);
  const out = tensorOf(g, node.outputs[0]);
  const filter = tensorOf(g, node.inputs[1]);
  const p = paramsOf(ctx, node, 'mac');
  const bias = node.inputs[2] === undefined ? undefined : { at: tensorAddress(ctx, node.inputs[2]), int64: tensorOf(g, node.inputs[2]).dtype === 'int64' };
  const common = { x: tensorAddress(ctx, node.inputs[0]), y: tensorAddress(ctx, node.outputs[0]), ...(bias ? { bias } : {}), table: ctx.data.add(`${node.name}\0requant16`, requantTable(p)), p };
  if (node.op === 'depthwise_conv2d') {
    const w = windowOf(input, out, filter.shape[1], filter.shape[2], node.attrs);
    if (depthwiseRunsSimd(g, node)) {
      const weights = ctx.data.add(`${node.inputs[1]}\0int16`, widenedDepthwiseWeights(filter.data as Int8Array, w.kh * w.kw, w.c));
      const layout = { ...common, weights, sums: scratchOf(ctx, node), w };
      ctx.module.fn(name, 0, (f) => emitSimdDepthwise16(f, layout));
      return;
    }
    const layout = { ...common, weights: tensorAddress(ctx, node.inputs[1]), w, multiplier: node.attrs.depthMultiplier };
    ctx.module.fn(name, 0, (f) => emitDepthwise(f, layout));
    return;
  }
  // The SIMD kernel pads windows and rows with 0, which is x + input_offset = 0 only for TFLite's int16 zero point 0.
  if (p.inputOffset !== 0) throw new TinyedgeError('TE401', `the WASM backend's 16×8 ${node.op} needs int16 zero point 0, '${node.inputs[0]}' has ${-p.inputOffset}`);
  const { k, matmul } = dotShape(g, node);
  const outC = filter.shape[0];
  const weights = ctx.data.add(`${node.inputs[1]}\0int16`, widenedWeights(filter.data as Int8Array, outC, k));
  const shape = node.op === 'fully_connected' || matmul ? { rows: sizeOf(input.shape) / k } : { w: windowOf(input, out, filter.shape[1], filter.shape[2], node.attrs), patch: scratchOf(ctx, node) };
  ctx.module.fn(name, 0, (f) => emitSimdMac(f, { ...common, weights, k, outC, shape }));
}
