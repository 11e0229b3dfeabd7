/** @fileoverview The model hash of the offload protocol: both sides of a split must run the same quantized model. */
import { createHash } from 'node:crypto';
import type { Graph } from '../../ir/graph.ts';

/** 16 hex digits of the SHA-256 of the graph: nodes, tensors (shape, type, quantization) and constant bytes. */
export function modelHash(g: Graph): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ inputs: g.inputs, outputs: g.outputs, nodes: g.nodes }));
  for (const t of g.tensors.values()) {
    h.update(JSON.stringify([t.name, t.shape, t.dtype, t.quant ?? null]));
    if (t.data) h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  return h.digest('hex').slice(0, 16);
}
