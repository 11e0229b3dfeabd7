/** @fileoverview Cutting a graph: the part between chosen boundary tensors, as a graph of its own (split offload, per-layer checks). */

import { TinyedgeError } from '../errors.ts';
import { cloneGraph, type Graph, tensorOf } from './graph.ts';
import { verifyGraph } from './verify.ts';

/**
 * The nodes that compute `outputs` from `inputs` (and constants), with the tensors they use. Node order is kept.
 * Fails when an output needs a value that is neither a boundary input, a constant nor computed inside.
 */
export function subgraph(g: Graph, inputs: readonly string[], outputs: readonly string[]): Graph {
  const needed = new Set(outputs);
  const boundary = new Set(inputs);
  const keep = new Set<number>();
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i]!;
    if (!n.outputs.some((o) => needed.has(o) && !boundary.has(o))) continue;
    keep.add(i);
    for (const x of n.inputs) if (!boundary.has(x) && !tensorOf(g, x).data) needed.add(x);
  }
  const copy = cloneGraph(g);
  const nodes = copy.nodes.filter((_, i) => keep.has(i));
  const used = new Set<string>([...inputs, ...outputs]);
  for (const n of nodes)
    [...n.inputs, ...n.outputs].forEach((t) => {
      used.add(t);
    });
  const tensors = new Map([...copy.tensors].filter(([name]) => used.has(name)));
  const part: Graph = { source: g.source, tensors, nodes, inputs: [...inputs], outputs: [...outputs] };
  for (const name of inputs) {
    const t = tensors.get(name);
    if (!t) throw new TinyedgeError('TE302', `cut tensor '${name}' is not in the graph`, { file: g.source });
    if (t.data) throw new TinyedgeError('TE302', `cut tensor '${name}' is a constant`, { file: g.source });
  }
  verifyGraph(part);
  return part;
}
