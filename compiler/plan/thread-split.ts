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

/** Rows of a matmul band (TE_MATMUL_BAND_STEP in runtime/c/threads/row_split.h): the ISA matmuls' widest row tile. */
const MATMUL_BAND_STEP = 8;

/** Parts of a thread's share kept at least this many rows (matmul: tiles) high, so splitting finer costs little. */
const MIN_PART_ROWS = 4;

/** The most parts per thread a layer runs in. */
const MAX_PARTS_PER_THREAD = 4;

/**
 * How many parts per thread a split node runs in (te_pool_run's `per_thread`): several where its rows allow bands of
 * at least MIN_PART_ROWS rows (matmuls: whole tiles), so a thread the system preempts holds up one small part, not
 * half the layer, and the others claim the rest; one for a small layer (7 or 14 rows), where finer bands would only
 * add uneven edges.
 */
export function partsPerThread(g: Graph, node: Node, threads: number): number {
  const pointwise = node.op === 'fully_connected' || (node.op === 'conv2d' && isPointwiseConv(g, node));
  const units = Math.floor(splitRows(g, node) / (pointwise ? MATMUL_BAND_STEP : 1));
  let parts = MAX_PARTS_PER_THREAD;
  while (parts > 1 && units < MIN_PART_ROWS * parts * threads) parts /= 2;
  return parts;
}

/** Whether a node of a model compiled for several threads runs in parts: an int8 op that splits into ≥ 2 bands. */
export function splitsAcrossThreads(g: Graph, node: Node): boolean {
  const int8 = [...node.inputs.slice(0, 1), node.outputs[0]!].every((t) => tensorOf(g, t).dtype === 'int8');
  return int8 && splitRows(g, node) >= 2;
}
