/** @fileoverview The edits passes share: rerouting a tensor's readers, asking who reads a tensor, dropping unused tensors. */
import { consumersOf, type Graph, type Node } from '../ir/graph.ts';

/** Makes every reader of `from` (nodes and graph outputs) read `to` instead. */
export function replaceUses(g: Graph, from: string, to: string): void {
  for (const n of g.nodes) n.inputs = n.inputs.map((i) => (i === from ? to : i));
  g.outputs = g.outputs.map((o) => (o === from ? to : o));
}

/** The only node reading `tensor`, or undefined when it has several readers or is a graph output. */
export function soleConsumer(g: Graph, tensor: string, consumers = consumersOf(g)): Node | undefined {
  const readers = consumers.get(tensor) ?? [];
  if (readers.length !== 1 || g.outputs.includes(tensor)) return undefined;
  return readers[0];
}

/** Removes tensors that no node, input or output references (weights replaced by a fold). */
export function pruneTensors(g: Graph): void {
  const used = new Set<string>([...g.inputs, ...g.outputs]);
  for (const n of g.nodes) {
    n.inputs.forEach((i) => {
      used.add(i);
    });
    n.outputs.forEach((o) => {
      used.add(o);
    });
  }
  for (const name of [...g.tensors.keys()]) if (!used.has(name)) g.tensors.delete(name);
}
