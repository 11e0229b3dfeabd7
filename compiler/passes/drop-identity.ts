/** @fileoverview Pass: drop identity nodes (TF Identity, Keras Dropout at inference): readers read the input directly. */
import { cloneGraph, type Graph } from '../ir/graph.ts';
import { replaceUses } from './graph-edit.ts';

/** Removes every identity node. */
export function dropIdentity(input: Graph): Graph {
  const g = cloneGraph(input);
  for (const n of g.nodes.filter((x) => x.op === 'identity')) replaceUses(g, n.outputs[0]!, n.inputs[0]!);
  g.nodes = g.nodes.filter((n) => n.op !== 'identity');
  return g;
}
