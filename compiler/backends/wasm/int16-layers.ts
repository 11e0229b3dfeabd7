/**
 * @fileoverview The WASM kernels only 16×8 nodes (int16 activations, int8 weights, int64 biases) have: the MAC ops
 * and softmax. Their other ops (add, mul, pools, mean, pad, requantize) run the scalar kernels of scalar-layers.ts,
 * which read the element type from the tensors, through render-layers.ts like int8 nodes. A node is 16×8 when any
 * of its activations is int16, which includes the QUANTIZE-style requantizes between int8 and int16.
 */
import { Graph, Node, tensorOf } from '../../ir/graph.ts';
import { sizeOf } from '../../ir/tensor.ts';
import { TinyedgeError } from '../../errors.ts';
import { emitInt16Mac, int16MacScratchBytes } from './int16-mac.ts';
import { emitSoftmaxInt16 } from './int16-softmax.ts';
import { LayerContext, paramsOf, tensorAddress } from './layer-context.ts';

/** Whether a node reads or writes int16 activations (it then runs a kernel of this file). */
export function isInt16Node(g: Graph, node: Node): boolean {
  return [...node.inputs, ...node.outputs].some((name) => tensorOf(g, name).dtype === 'int16');
}

/** Scratch bytes a 16×8 node's kernel needs (only the MAC kernels ask for any). */
export function int16ScratchBytes(g: Graph, node: Node): number {
  return node.op === 'conv2d' || node.op === 'depthwise_conv2d' ? int16MacScratchBytes(g, node) : 0;
}

/** Emits the function `name` for a 16×8 MAC or softmax node and says true; false for the ops kernels share. */
export function emitInt16Layer(ctx: LayerContext, node: Node, name: string): boolean {
  switch (node.op) {
    case 'conv2d':
    case 'depthwise_conv2d':
    case 'fully_connected':
      emitInt16Mac(ctx, node, name);
      return true;
    case 'add':
    case 'mul':
    case 'avg_pool2d':
    case 'max_pool2d':
    case 'mean':
    case 'pad':
    case 'concat':
    case 'reshape':
    case 'clamp':
      return false;
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
      return true;
    }
    default:
      throw new TinyedgeError('TE401', `${node.op} has no 16×8 WASM kernel`);
  }
}
