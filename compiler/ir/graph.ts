/** @fileoverview The graph IR: tensors by name and nodes in topological order, plus the builder frontends use. */

import { TinyedgeError, withPlace } from '../errors.ts';
import { type AttrKind, isAttrOfKind } from './attrs.ts';
import type { SsdDetection } from './detection.ts';
import { inputArity, OP_DECLS, OP_SEMANTICS, type OpAttrs, type OpName } from './ops.ts';
import { type DType, formatShape, sizeOf, type Tensor, type TensorData } from './tensor.ts';

/** One op application; `attrs` is typed by `op`. */
export type Node = {
  [K in OpName]: { name: string; op: K; inputs: string[]; outputs: string[]; attrs: OpAttrs<K> };
}[OpName];

/** A node of a known op. */
export type NodeOf<K extends OpName> = Extract<Node, { op: K }>;

/** A model: where it came from, its tensors, its nodes in execution order, its inputs and outputs. */
export interface Graph {
  /** The file (or package path) the model was read from, for error messages. */
  source: string;
  tensors: Map<string, Tensor>;
  nodes: Node[];
  inputs: string[];
  outputs: string[];
  /** For a detector whose outputs are SSD box encodings and class scores: how to post-process them. */
  detection?: SsdDetection;
}

/** A copy that passes may change freely: new maps, arrays and node objects; constant data is shared (never mutated). */
export function cloneGraph(g: Graph): Graph {
  const tensors = new Map<string, Tensor>();
  for (const [k, t] of g.tensors) tensors.set(k, { ...t, shape: [...t.shape] });
  return {
    source: g.source,
    tensors,
    nodes: g.nodes.map(
      (n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attrs: { ...n.attrs } }) as Node,
    ),
    inputs: [...g.inputs],
    outputs: [...g.outputs],
    ...(g.detection ? { detection: g.detection } : {}),
  };
}

/** The tensor of that name; an internal error if absent (verify guarantees presence). */
export function tensorOf(g: Graph, name: string): Tensor {
  const t = g.tensors.get(name);
  if (!t) throw new Error(`internal: tensor '${name}' missing from graph`);
  return t;
}

/** For each tensor, the nodes that read it. */
export function consumersOf(g: Graph): Map<string, Node[]> {
  const m = new Map<string, Node[]>();
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      const list = m.get(i);
      if (list) list.push(n);
      else m.set(i, [n]);
    }
  }
  return m;
}

/** For each tensor, the node that writes it. */
export function producersOf(g: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) m.set(o, n);
  return m;
}

/** Ops writing int32 indices (scale 1, zero point 0) once quantized: post-processing, a model output only. */
export const INDEX_OPS: ReadonlySet<string> = new Set(['arg_max', 'top_k_indices']);

/** Whether a tensor is a model output that no node reads (where post-processing such as ArgMax may sit). */
export function isOutputOnly(g: Graph, name: string): boolean {
  return g.outputs.includes(name) && !g.nodes.some((n) => n.inputs.includes(name));
}

/** Whether a tensor is a constant (has data). */
export function isConstant(g: Graph, name: string): boolean {
  return g.tensors.get(name)?.data !== undefined;
}

/** Nodes read from a file (an artifact) arrive untyped: checks the record's fields before anything indexes by them. */
export function checkNodeRecord(node: Node): void {
  if (typeof node.op !== 'string' || !Object.hasOwn(OP_DECLS, node.op))
    throw new TinyedgeError('TE107', `unknown op ${JSON.stringify(node.op)}`);
  const isNames = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
  if (
    typeof node.name !== 'string' ||
    !isNames(node.inputs) ||
    !isNames(node.outputs) ||
    typeof node.attrs !== 'object' ||
    node.attrs === null
  ) {
    throw new TinyedgeError('TE107', 'a node needs a name, lists of input and output names, and an attrs object');
  }
}

/** Checks a node's inputs and attributes against the op table and returns its output shape. */
export function inferNode(g: Graph, node: Node): number[] {
  return withPlace({ node: String(node.name), op: String(node.op) }, () => {
    checkNodeRecord(node);
    const { min, max } = inputArity(node.op);
    if (node.inputs.length < min || node.inputs.length > max) {
      throw new TinyedgeError(
        'TE107',
        `takes ${min === max ? min : `${min} to ${max === Infinity ? 'any number of' : max}`} inputs, got ${node.inputs.length}`,
      );
    }
    const declared: Record<string, AttrKind> = OP_DECLS[node.op].attrs;
    for (const [key, kind] of Object.entries(declared)) {
      const v = (node.attrs as Record<string, unknown>)[key];
      if (!isAttrOfKind(kind, v))
        throw new TinyedgeError('TE107', `attribute '${key}' must be ${kind}, got ${JSON.stringify(v)}`);
    }
    const ins = node.inputs.map((name) => {
      const t = g.tensors.get(name);
      if (!t) throw new TinyedgeError('TE107', `input '${name}' is not produced by any node`);
      return t;
    });
    const semantics = OP_SEMANTICS[node.op] as { inferShape(i: readonly Tensor[], a: unknown): number[] };
    return semantics.inferShape(ins, node.attrs);
  });
}

/** Builds a graph node by node, inferring each output's shape as it goes so errors point at the node that is wrong. */
export class GraphBuilder {
  readonly graph: Graph;

  constructor(source: string) {
    this.graph = { source, tensors: new Map(), nodes: [], inputs: [], outputs: [] };
  }

  /** Declares a model input. */
  input(name: string, shape: number[], dtype: DType = 'f32'): string {
    this.graph.tensors.set(name, { name, shape, dtype });
    this.graph.inputs.push(name);
    return name;
  }

  /** Adds a constant; its data must hold exactly as many elements as its shape. */
  constant(name: string, shape: number[], data: TensorData, dtype: DType = 'f32'): string {
    if (data.length !== sizeOf(shape)) {
      throw new TinyedgeError(
        'TE108',
        `constant has ${data.length} values but shape ${formatShape(shape)} needs ${sizeOf(shape)}`,
        { node: name, op: 'const' },
      );
    }
    this.graph.tensors.set(name, { name, shape, dtype, data });
    return name;
  }

  /** Adds a node writing one output tensor named `output` (default: the node name) and returns that tensor's name. */
  node<K extends OpName>(op: K, name: string, inputs: string[], attrs: OpAttrs<K>, output = name): string {
    const node = { name, op, inputs, outputs: [output], attrs } as Node;
    const shape = inferNode(this.graph, node);
    const dtype = this.graph.tensors.get(inputs[0]!)?.dtype ?? 'f32';
    this.graph.tensors.set(output, { name: output, shape, dtype });
    this.graph.nodes.push(node);
    return output;
  }

  /** Shape of a tensor already in the graph. */
  shapeOf(name: string): number[] {
    return tensorOf(this.graph, name).shape;
  }

  /** Whether a tensor of that name exists. */
  has(name: string): boolean {
    return this.graph.tensors.has(name);
  }
}
