/** @fileoverview Pass: fuse relu/relu6 (clamp nodes, chains of them too) into the producing op as its clamp attribute. */

import { combineClamps } from '../ir/attrs.ts';
import { cloneGraph, consumersOf, type Graph, producersOf } from '../ir/graph.ts';
import { hasClamp } from '../ir/ops.ts';
import { replaceUses, soleConsumer } from './graph-edit.ts';

/** Removes each clamp node whose producer carries a clamp (or is a clamp) and has no other reader. */
export function fuseActivation(input: Graph): Graph {
  const g = cloneGraph(input);
  const producers = producersOf(g);
  const consumers = consumersOf(g);
  const fused = new Set<string>();
  for (const node of g.nodes) {
    if (node.op !== 'clamp') continue;
    const prev = producers.get(node.inputs[0]!);
    // A clamp after a clamp merges too: Keras's relu6 is Relu, Minimum(6) and Maximum(0) in a row.
    if (!prev || !(prev.op === 'clamp' || hasClamp(prev.op)) || soleConsumer(g, prev.outputs[0]!, consumers) !== node)
      continue;
    const attrs = prev.attrs as { clamp: typeof node.attrs.clamp };
    attrs.clamp = combineClamps(attrs.clamp, node.attrs.clamp);
    replaceUses(g, node.outputs[0]!, prev.outputs[0]!);
    // The next clamp of a chain now reads `prev`: it is that clamp's producer, and its readers are prev's.
    consumers.set(prev.outputs[0]!, consumers.get(node.outputs[0]!) ?? []);
    fused.add(node.name);
  }
  g.nodes = g.nodes.filter((n) => !fused.has(n.name));
  return g;
}
