/**
 * @fileoverview The float graph an int8 (or 16×8) graph stands for: every constant dequantized (per channel along its
 * axis), every activation f32 and unquantized, requantize nodes kept as the identities they are in f32. It lets a
 * model that ships only as an int8 file (MLPerf Tiny's) be quantized again at other precisions, and measured against
 * the float model its integers approximate.
 */

import { cloneGraph, type Graph, INDEX_OPS } from '../ir/graph.ts';
import type { Quantization, Tensor } from '../ir/tensor.ts';

/** `t`'s integer data as reals: scale × (q − zero point), per channel along the quantization's axis. */
function dequantizedData(t: Tensor, q: Quantization): Float32Array {
  const data = t.data as ArrayLike<number | bigint>;
  const axis = q.scale.length > 1 ? (q.axis ?? 0) : -1;
  const inner = axis < 0 ? 1 : t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channels = axis < 0 ? 1 : t.shape[axis]!;
  return Float32Array.from({ length: data.length }, (_, i) => {
    const c = axis < 0 ? 0 : Math.floor(i / inner) % channels;
    return q.scale[c]! * (Number(data[i]!) - q.zeroPoint[c]!);
  });
}

/** The f32 graph of a quantized graph (the input graph is left untouched); index outputs (ArgMax) stay int32. */
export function dequantizeGraph(q: Graph): Graph {
  const g = cloneGraph(q);
  const indices = new Set(g.nodes.filter((n) => INDEX_OPS.has(n.op)).flatMap((n) => n.outputs));
  for (const t of g.tensors.values()) {
    // Unquantized integer constants (shapes, paddings) are not values of the network.
    if (t.dtype === 'f32' || indices.has(t.name) || (t.data && !t.quant)) continue;
    if (t.data) t.data = dequantizedData(t, t.quant!);
    t.dtype = 'f32';
    t.quant = undefined;
  }
  return g;
}
