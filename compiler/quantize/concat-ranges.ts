/**
 * @fileoverview One range per concat group, as TFLite's converter chooses: TFLite's int8 and int16 CONCATENATION
 * require every input to share the output's scale and zero point, so a concat's output and the tensors its inputs
 * take their quantization from (through pooling, pad, reshape and resize, which share their input's) get the union of
 * their calibrated ranges. The concat then copies bytes instead of requantizing, and its .tflite export is valid.
 */
import { type Graph, type Node, producersOf } from '../ir/graph.ts';
import type { TensorRange } from './calibrate.ts';

/** The tensor whose calibrated range sets `name`'s quantization, following ops that share their input's. */
function quantRoot(producers: Map<string, Node>, name: string, sharesInputQuant: ReadonlySet<string>): string {
  let root = name;
  for (let p = producers.get(root); p && sharesInputQuant.has(p.op); p = producers.get(root)) root = p.inputs[0]!;
  return root;
}

/**
 * The ranges with each concat group widened to the union of its members' ranges. Members whose quantization is not
 * set by a range (constants, probability outputs) keep theirs and are requantized by the concat as before.
 */
export function unifyConcatRanges(
  g: Graph,
  ranges: ReadonlyMap<string, TensorRange>,
  sharesInputQuant: ReadonlySet<string>,
  fixedQuantOps: ReadonlySet<string>,
): Map<string, TensorRange> {
  const producers = producersOf(g);
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  for (const node of g.nodes) {
    if (node.op !== 'concat') continue;
    const out = node.outputs[0]!;
    for (const input of node.inputs) {
      const root = quantRoot(producers, input, sharesInputQuant);
      const op = producers.get(root)?.op;
      if (!ranges.has(root) || (op !== undefined && fixedQuantOps.has(op))) continue;
      const a = find(out);
      const b = find(root);
      if (a !== b) parent.set(b, a);
    }
  }
  const union = new Map<string, TensorRange>();
  for (const member of parent.keys()) {
    const root = find(member);
    for (const name of [member, root]) {
      const r = ranges.get(name)!;
      const u = union.get(root);
      union.set(root, u ? { min: Math.min(u.min, r.min), max: Math.max(u.max, r.max) } : { ...r });
    }
  }
  const unified = new Map(ranges);
  for (const member of parent.keys()) unified.set(member, union.get(find(member))!);
  for (const [root, r] of union) unified.set(root, r);
  return unified;
}
