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
export function splitRows(g: Graph, node: Node): number {
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

/** Rows of a matmul band (TE_MATMUL_BAND_STEP in runtime/c/threads/row_split.h): the ISA matmuls' widest row tile. */
export const MATMUL_BAND_STEP = 8;

/** The most parts per thread a layer runs in. */
const MAX_PARTS_PER_THREAD = 8;

/**
 * How many parts per thread a split node runs in (te_pool_run's `per_thread`): as many as its rows (matmuls: row
 * tiles) allow, up to MAX_PARTS_PER_THREAD, so a thread the system slows or preempts holds up one small part and the
 * others claim the rest (on this VM's two vCPUs one often runs a quarter slower than the other for a while).
 */
export function partsPerThread(g: Graph, node: Node, threads: number): number {
  const pointwise = node.op === 'fully_connected' || (node.op === 'conv2d' && isPointwiseConv(g, node));
  const units = Math.floor(splitRows(g, node) / (pointwise ? MATMUL_BAND_STEP : 1));
  let parts = MAX_PARTS_PER_THREAD;
  while (parts > 1 && units < parts * threads) parts /= 2;
  return parts;
}

/**
 * Bytes from one thread's scratch to the next (the kernel's scratch rounded up to whole 128-byte blocks, a pair of
 * cache lines): threads writing scratch in one cache line take it from each other on every write, which tripled the
 * first conv's time on two cores (54-byte im2col patches side by side).
 */
export function threadScratchStride(bytes: number): number {
  return Math.ceil(bytes / 128) * 128;
}

/** Whether a node of a model compiled for several threads runs in parts: an int8 op that splits into ≥ 2 bands. */
export function splitsAcrossThreads(g: Graph, node: Node): boolean {
  const int8 = [...node.inputs.slice(0, 1), node.outputs[0]!].every((t) => tensorOf(g, t).dtype === 'int8');
  return int8 && splitRows(g, node) >= 2;
}
