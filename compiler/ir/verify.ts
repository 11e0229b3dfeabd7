/** @fileoverview Graph verification, run after the frontend and after every pass: structure, attributes, shapes, constants. */

import { type ErrorPlace, TinyedgeError, withPlace } from '../errors.ts';
import { checkNodeRecord, type Graph, inferNode } from './graph.ts';
import { formatShape, sameShape, sizeOf } from './tensor.ts';

/** No model tinyedge runs has a tensor near this size; above it a corrupt dimension would only exhaust memory. */
export const MAX_TENSOR_ELEMENTS = 2 ** 28;

/** Throws a TinyedgeError naming the file, node and op of the first inconsistency found. */
export function verifyGraph(g: Graph): void {
  withPlace({ file: g.source }, () => verifyStructure(g));
}

function verifyStructure(g: Graph): void {
  const place = (node?: string, op?: string) => ({ file: g.source, node, op });
  if (g.inputs.length === 0 || g.outputs.length === 0)
    throw new TinyedgeError(
      'TE107',
      `the graph has ${g.inputs.length} inputs and ${g.outputs.length} outputs; a model needs at least one of each`,
      { file: g.source },
    );
  const available = new Set<string>();
  for (const [name, t] of g.tensors) {
    checkShape(t.shape, place(name, t.data ? 'const' : 'tensor'));
    if (t.data) {
      if (t.data.length !== sizeOf(t.shape)) {
        throw new TinyedgeError(
          'TE108',
          `constant holds ${t.data.length} values but its shape ${formatShape(t.shape)} needs ${sizeOf(t.shape)}`,
          place(name, 'const'),
        );
      }
      available.add(name);
    }
  }
  for (const i of g.inputs) {
    if (!g.tensors.has(i)) throw new TinyedgeError('TE107', `graph input '${i}' has no tensor`, place(i, 'input'));
    available.add(i);
  }
  const written = new Set<string>();
  const names = new Set<string>();
  for (const node of g.nodes) {
    withPlace({ node: String(node.name), op: String(node.op) }, () => checkNodeRecord(node));
    if (names.has(node.name)) throw new TinyedgeError('TE107', 'two nodes share this name', place(node.name, node.op));
    names.add(node.name);
    for (const i of node.inputs) {
      if (!available.has(i))
        throw new TinyedgeError(
          'TE107',
          `input '${i}' is used before it is computed (or never is)`,
          place(node.name, node.op),
        );
    }
    const shape = inferNode(g, node);
    if (node.outputs.length !== 1)
      throw new TinyedgeError(
        'TE107',
        `has ${node.outputs.length} outputs, IR ops have one`,
        place(node.name, node.op),
      );
    const out = node.outputs[0]!;
    if (written.has(out) || available.has(out))
      throw new TinyedgeError('TE107', `output '${out}' is written twice`, place(node.name, node.op));
    const t = g.tensors.get(out);
    if (!t) throw new TinyedgeError('TE107', `output '${out}' has no tensor`, place(node.name, node.op));
    if (!sameShape(t.shape, shape)) {
      throw new TinyedgeError(
        'TE107',
        `output '${out}' is recorded as ${formatShape(t.shape)} but the op computes ${formatShape(shape)}`,
        place(node.name, node.op),
      );
    }
    written.add(out);
    available.add(out);
  }
  for (const o of g.outputs) {
    if (!available.has(o))
      throw new TinyedgeError('TE107', `graph output '${o}' is never computed`, place(o, 'output'));
  }
}

/** A shape is a list of non-negative integer sizes, small enough to allocate. */
function checkShape(shape: unknown, place: ErrorPlace): void {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
    throw new TinyedgeError('TE107', `shape ${JSON.stringify(shape)} is not a list of sizes`, place);
  if (sizeOf(shape) > MAX_TENSOR_ELEMENTS)
    throw new TinyedgeError(
      'TE111',
      `shape ${formatShape(shape)} has ${sizeOf(shape)} elements, more than the ${MAX_TENSOR_ELEMENTS} tinyedge allows`,
      place,
    );
}
