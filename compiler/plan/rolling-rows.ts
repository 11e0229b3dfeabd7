/**
 * @fileoverview In-place convolution through a ring of output rows (TinyEngine's in-place depthwise, by rows): the
 * output takes its input's own bytes (the same start), and each output row is computed into a small ring and
 * copied over the input only once no later row reads the input bytes it lands on. Unlike a slide (plan-memory.ts),
 * the output does not start before its input, so a chain of such layers stays where it is instead of drifting down
 * the arena, and the ring is the only extra memory. The kernels are unchanged: a row is a one-row band of the same
 * call (as thread bands are), so the output is bit-identical.
 */
import { type Graph, type Node, tensorOf } from '../ir/graph.ts';
import { tupleOf } from '../ir/tuple.ts';

/** How a node runs in place: `rows` output rows of `rowBytes` each, each copied `lag` rows after it is computed. */
export interface RollingRows {
  rows: number;
  rowBytes: number;
  /** Rows computed before a row's copy over the input is safe; the ring holds lag + 1 rows. */
  lag: number;
}

/** Bytes of the ring a node in place needs. */
export const ringBytes = (r: RollingRows): number => (r.lag + 1) * r.rowBytes;

/**
 * The ring geometry of a conv2d or depthwise_conv2d run in place over its input (batch 1, int8 in and out), or
 * undefined for any other node. Output row q lands on input bytes [q·rowOut, (q + 1)·rowOut); input row i is last
 * read by output row ⌊(i + pad_top) / stride⌋ (the last row whose window starts at or above it).
 */
export function rollingRowsOf(g: Graph, node: Node): RollingRows | undefined {
  if (node.op !== 'conv2d' && node.op !== 'depthwise_conv2d') return undefined;
  const x = tensorOf(g, node.inputs[0]!);
  const y = tensorOf(g, node.outputs[0]!);
  if (x.dtype !== 'int8' || y.dtype !== 'int8' || x.shape.length !== 4) return undefined;
  const [n, h, w, cin] = tupleOf(x.shape, 4);
  const [, oh, ow, cout] = tupleOf(y.shape, 4);
  if (n !== 1) return undefined;
  const sh = node.attrs.strides[0];
  const pt = node.attrs.pads[0];
  const rowIn = w * cin;
  const rowOut = ow * cout;
  const lastReader = (i: number) => Math.min(oh - 1, Math.floor((i + pt) / sh));
  let lag = 0;
  for (let q = 0; q < oh; q++) {
    const first = Math.floor((q * rowOut) / rowIn);
    const last = Math.min(h - 1, Math.floor(((q + 1) * rowOut - 1) / rowIn));
    for (let i = first; i <= last; i++) lag = Math.max(lag, lastReader(i) - q);
  }
  return { rows: oh, rowBytes: rowOut, lag };
}
