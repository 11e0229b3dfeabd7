/**
 * @fileoverview The WASM backend's op → kernel table for 16×8 nodes (int16 activations, int8 weights, int64
 * biases): scalar kernels, exact with the integer reference. A node is 16×8 when any of its activations is int16,
 * which includes the QUANTIZE-style requantizes between int8 and int16.
 */
import { Graph, Node, tensorOf } from '../../ir/graph.ts';
import { sizeOf } from '../../ir/tensor.ts';
import { TinyedgeError } from '../../errors.ts';
import type { LayerContext } from './render-layers.ts';
import { emitInt16Mac, int16MacScratchBytes } from './int16-mac.ts';
import { emitSoftmaxInt16 } from './int16-softmax.ts';
import { emitBroadcastBinary, emitMean, emitPad, emitPool, emitRequantize, paramsOf, tensorAddress } from './scalar-layers.ts';

/** Whether a node reads or writes int16 activations (it then runs a kernel of this file). */
export function isInt16Node(g: Graph, node: Node): boolean {
  return [...node.inputs, ...node.outputs].some((name) => tensorOf(g, name).dtype === 'int16');
}

/** Scratch bytes a 16×8 node's kernel needs (only the MAC kernels ask for any). */
export function int16ScratchBytes(g: Graph, node: Node): number {
  return node.op === 'conv2d' || node.op === 'depthwise_conv2d' ? int16MacScratchBytes(g, node) : 0;
}

/** Emits the function `name` computing the 16×8 node `node`. */
export function emitInt16Layer(ctx: LayerContext, node: Node, name: string): void {
  switch (node.op) {
    case 'conv2d':
    case 'depthwise_conv2d':
    case 'fully_connected':
      return emitInt16Mac(ctx, node, name);
    case 'add':
    case 'mul':
      return emitBroadcastBinary(ctx, node, name);
    case 'avg_pool2d':
    case 'max_pool2d':
      return emitPool(ctx, node, name);
    case 'mean':
      return emitMean(ctx, node, name);
    case 'pad':
      return emitPad(ctx, node, name);
    case 'concat':
    case 'reshape':
    case 'clamp':
      return emitRequantize(ctx, node, name);
    case 'softmax': {
      const p = paramsOf(ctx, node, 'softmax16');
      const out = tensorOf(ctx.g, node.outputs[0]);
      const depth = out.shape[out.shape.length - 1];
      const layout = {
        x: tensorAddress(ctx, node.inputs[0]),
        y: tensorAddress(ctx, node.outputs[0]),
        rows: sizeOf(out.shape) / depth,
        depth,
        expLut: ctx.data.add('softmax16\0exp', p.expLut),
        reciprocalLut: ctx.data.add('softmax16\0reciprocal', p.reciprocalLut),
        inputMultiplier: p.inputMultiplier,
        inputShift: p.inputShift,
      };
      ctx.module.fn(name, 0, (f) => [emitSoftmaxInt16(f, layout)]);
      return;
    }
    default:
      throw new TinyedgeError(`${node.op} has no 16×8 WASM kernel`);
  }
}
