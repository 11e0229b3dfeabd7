/**
 * @fileoverview Which layers a model compiled for several threads runs in parts (`tinyedge compile --threads N`):
 * the int8 ops whose kernels split into bands of output rows without a change (runtime/c/threads/row_split.h). The
 * planner gives such a layer one scratch per thread and never writes its output over its input (a thread's band
 * would overwrite rows another thread has yet to read); the C backend renders it as a task of the thread pool.
 */
import { type Graph, type Node, tensorOf } from '../ir/graph.ts';
import { sizeOf } from '../ir/tensor.ts';
import { isPointwiseConv } from '../quantize/prepare/prepare-int8.ts';

/** The most threads a model may be compiled for (TE_POOL_MAX_THREADS in runtime/c/threads/pool.h). */
export const MAX_THREADS = 64;

/** How many rows (bands) a node's work splits into, 0 when its kernel does not split. */
function splitRows(g: Graph, node: Node): number {
  const out = tensorOf(g, node.outputs[0]!);
  const x = tensorOf(g, node.inputs[0]!);
  switch (node.op) {
    case 'conv2d':
      // A pointwise conv runs as a matmul over pixels; the others slide a window over the rows of one image.
      if (isPointwiseConv(g, node)) return sizeOf(x.shape) / x.shape[3]!;
      return x.shape[0] === 1 ? out.shape[1]! : 0;
    case 'depthwise_conv2d':
    case 'avg_pool2d':
    case 'max_pool2d':
      return x.shape[0] === 1 ? out.shape[1]! : 0;
    case 'fully_connected':
      return sizeOf(x.shape) / tensorOf(g, node.inputs[1]!).shape[1]!;
    case 'add':
    case 'mul':
      // The outermost dimension longer than one.
      return out.shape.length <= 4 ? (out.shape.find((d) => d > 1) ?? 1) : 0;
    default:
      return 0;
  }
}

/** Whether a node of a model compiled for several threads runs in parts: an int8 op that splits into ≥ 2 bands. */
export function splitsAcrossThreads(g: Graph, node: Node): boolean {
  const int8 = [...node.inputs.slice(0, 1), node.outputs[0]!].every((t) => tensorOf(g, t).dtype === 'int8');
  return int8 && splitRows(g, node) >= 2;
}
