/** @fileoverview The node-by-node schedule both interpreters share: feeds checked, values freed after their last reader. */

import { TinyedgeError } from '../errors.ts';
import { type Graph, type Node, tensorOf } from '../ir/graph.ts';
import { lastReaderIndex } from '../ir/last-reader.ts';
import { formatShape, sizeOf } from '../ir/tensor.ts';

/** How one interpreter runs a node and reads constants; `kind` names its values in errors ('float32', 'int8'). */
export interface Interpreter<V> {
  kind: string;
  runNode(g: Graph, node: Node, args: V[]): V;
  constant(g: Graph, name: string): V | undefined;
}

/** Executes the graph on the feeds (by input name) and returns its outputs by name; `onNode` sees every node's output. */
export function runSchedule<V extends { length: number }>(
  g: Graph,
  feeds: Record<string, V>,
  interpreter: Interpreter<V>,
  onNode?: (node: Node, output: V) => void,
): Map<string, V> {
  const values = new Map<string, V>();
  for (const name of g.inputs) {
    const t = tensorOf(g, name);
    const v = feeds[name];
    if (!v)
      throw new TinyedgeError('TE603', `no value given for input '${name}'`, {
        file: g.source,
        node: name,
        op: 'input',
      });
    if (v.length !== sizeOf(t.shape)) {
      throw new TinyedgeError(
        'TE603',
        `expects ${sizeOf(t.shape)} ${interpreter.kind} values (shape ${formatShape(t.shape)}), got ${v.length}`,
        { file: g.source, node: name, op: 'input' },
      );
    }
    values.set(name, v);
  }
  const lastUse = lastReaderIndex(g);
  for (const o of g.outputs) lastUse.set(o, Infinity);
  g.nodes.forEach((node, i) => {
    const args = node.inputs.map((name) => {
      const v = values.get(name) ?? interpreter.constant(g, name);
      if (!v) throw new Error(`internal: value '${name}' missing at node '${node.name}'`);
      return v;
    });
    const y = interpreter.runNode(g, node, args);
    values.set(node.outputs[0]!, y);
    onNode?.(node, y);
    for (const name of node.inputs) if (lastUse.get(name) === i) values.delete(name);
  });
  return new Map(g.outputs.map((o) => [o, values.get(o) as V]));
}
