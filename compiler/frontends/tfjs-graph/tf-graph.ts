/**
 * @fileoverview The TF node list as a graph: tensor references, who reads whom, the part a set of outputs needs
 * (the cut), and an order in which every node follows its inputs.
 */
import { TinyedgeError } from '../../errors.ts';
import type { TfNode } from './tf-node.ts';

/** A tensor reference 'node', 'node:1' or '^control' split into node and output index. */
export function parseRef(ref: string): { node: string; index: number; control: boolean } {
  if (ref.startsWith('^')) return { node: ref.slice(1), index: 0, control: true };
  const m = /^(.*):(\d+)$/.exec(ref);
  return m ? { node: m[1]!, index: Number(m[2]), control: false } : { node: ref, index: 0, control: false };
}

/** The data inputs of a node (control inputs only order execution; tinyedge runs a data-flow graph). */
export function dataInputs(node: TfNode): string[] {
  return (node.input ?? []).filter((r) => !r.startsWith('^'));
}

/** 'node:0' and 'node' name the same tensor; the short form is the canonical one. */
export function canonicalRef(ref: string): string {
  const r = parseRef(ref);
  return r.index ? `${r.node}:${r.index}` : r.node;
}

/** For each tensor (canonical ref), the nodes reading it as data. */
export function readersOf(nodes: readonly TfNode[]): Map<string, TfNode[]> {
  const m = new Map<string, TfNode[]>();
  for (const n of nodes) {
    for (const ref of dataInputs(n)) {
      const key = canonicalRef(ref);
      const list = m.get(key);
      if (list) list.push(n);
      else m.set(key, [n]);
    }
  }
  return m;
}

/**
 * The nodes `outputs` need through data inputs, in the list's order: everything else (post-processing, loops
 * feeding only other outputs) is cut away before any op is mapped, so ops there need no mapping.
 */
export function neededNodes(nodes: readonly TfNode[], outputs: readonly string[], file: string): TfNode[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const needed = new Set<string>();
  const stack = outputs.map((o) => parseRef(o).node);
  for (const name of stack) {
    if (!byName.has(name)) throw new TinyedgeError('TE114', `output '${name}' names no node in the graph`, { file });
  }
  while (stack.length) {
    const name = stack.pop() as string;
    if (needed.has(name)) continue;
    needed.add(name);
    const node = byName.get(name) as TfNode;
    for (const ref of dataInputs(node)) {
      const dep = parseRef(ref).node;
      if (!byName.has(dep))
        throw new TinyedgeError('TE106', `input '${ref}' names no node in the graph`, {
          file,
          node: node.name,
          op: node.op,
        });
      stack.push(dep);
    }
  }
  return nodes.filter((n) => needed.has(n.name));
}

/** Orders nodes so every node comes after its data inputs (model.json does not promise an order). */
export function topologicalOrder(nodes: readonly TfNode[], file: string): TfNode[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const order: TfNode[] = [];
  const visit = (root: TfNode) => {
    const stack: [TfNode, number][] = [[root, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [node, i] = top;
      if (i === 0) state.set(node.name, 'visiting');
      const refs = dataInputs(node);
      if (i < refs.length) {
        top[1]++;
        const dep = parseRef(refs[i]!).node;
        const depNode = byName.get(dep);
        if (!depNode)
          throw new TinyedgeError('TE106', `input '${refs[i]}' names no node in the graph`, {
            file,
            node: node.name,
            op: node.op,
          });
        const s = state.get(dep);
        if (s === 'visiting')
          throw new TinyedgeError('TE106', `the graph has a cycle through '${dep}'`, {
            file,
            node: node.name,
            op: node.op,
          });
        if (!s) stack.push([depNode, 0]);
        continue;
      }
      state.set(node.name, 'done');
      order.push(node);
      stack.pop();
    }
  };
  for (const n of nodes) if (!state.has(n.name)) visit(n);
  return order;
}

/** Nodes whose output nobody reads: the outputs when model.json has no signature. */
export function sinks(nodes: readonly TfNode[]): string[] {
  const read = new Set(nodes.flatMap((n) => (n.input ?? []).map((r) => parseRef(r).node)));
  return nodes
    .filter((n) => !read.has(n.name) && n.op !== 'Const' && n.op !== 'Placeholder' && n.op !== 'NoOp')
    .map((n) => n.name);
}

/** Names of the nodes whose value is known at import: Consts, and `foldable` ops whose data inputs all are. */
export function constantNodes(nodes: readonly TfNode[], foldable: (op: string) => boolean): Set<string> {
  const constant = new Set(nodes.filter((n) => n.op === 'Const').map((n) => n.name));
  // Repeat until nothing changes: the list need not be in topological order (and may hold cycles).
  for (let grew = true; grew; ) {
    grew = false;
    for (const n of nodes) {
      if (constant.has(n.name) || !foldable(n.op)) continue;
      if (dataInputs(n).every((r) => constant.has(parseRef(r).node))) {
        constant.add(n.name);
        grew = true;
      }
    }
  }
  return constant;
}
