/**
 * @fileoverview The 16×8 conv2d and fully_connected layers in WebAssembly (int16 activations, int8 weights, int64 or
 * int32 biases): conv2d of any window and the matrix products (pointwise conv, fully connected) run the SIMD
 * dot-product kernel (dot-simd-int16.ts), which requantizes as the reference (emit/requantize-int16.ts).
 */

import { TinyedgeError } from '../../../errors.ts';
import { type Graph, type NodeOf, tensorOf } from '../../../ir/graph.ts';
import { sizeOf } from '../../../ir/tensor.ts';
import { windowOf } from '../../../ir/window.ts';
import { type LayerContext, scratchAddress } from '../emit/layer-context.ts';
import { mac16Operands } from '../emit/requantize-int16.ts';
import { emitSimdMac, patchBytes, widenedWeights } from './dot-simd-int16.ts';
import { isMatmulNode } from './layer-int8.ts';

type MacNode = NodeOf<'conv2d' | 'fully_connected'>;

/** The filter's output channels and dot length k. */
function dotShape(g: Graph, node: MacNode): { outC: number; k: number } {
  const f = tensorOf(g, node.inputs[1]!).shape;
  const outC = f[0]!;
  return { outC, k: sizeOf(f) / outC };
}

/** Scratch bytes: a windowed conv's patch; a matrix product needs none. */
export function dotLayerScratchBytes16(g: Graph, node: MacNode): number {
  return isMatmulNode(g, node) ? 0 : patchBytes(dotShape(g, node).k);
}

/** Emits the function `name` computing a 16×8 conv2d or fully_connected node. */
export function emitDotLayer16(ctx: LayerContext, node: MacNode, name: string): void {
  const { g } = ctx;
  const common = mac16Operands(ctx, node);
  const { p } = common;
  // The SIMD kernel pads windows and rows with 0, which is x + input_offset = 0 only for TFLite's int16 zero point 0.
  if (p.inputOffset !== 0)
    throw new TinyedgeError(
      'TE401',
      `the WASM backend's 16×8 ${node.op} needs int16 zero point 0, '${node.inputs[0]!}' has ${-p.inputOffset}`,
    );
  const input = tensorOf(g, node.inputs[0]!);
  const filter = tensorOf(g, node.inputs[1]!);
  const { k, outC } = dotShape(g, node);
  const weights = ctx.data.add(`${node.inputs[1]!}\0int16`, widenedWeights(filter.data as Int8Array, outC, k));
  const shape =
    node.op === 'fully_connected' || isMatmulNode(g, node)
      ? { rows: sizeOf(input.shape) / k }
      : {
          w: windowOf(input, tensorOf(g, node.outputs[0]!), filter.shape[1]!, filter.shape[2]!, node.attrs),
          patch: scratchAddress(ctx, node),
        };
  ctx.module.fn(name, 0, (f) => emitSimdMac(f, { ...common, weights, k, outC, shape }));
}
