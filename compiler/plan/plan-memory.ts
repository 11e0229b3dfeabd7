/**
 * @fileoverview The memory plan of an int8 graph: every activation (the input and each node's output) gets an
 * offset in one arena, planned greedy-by-size from tensor lifetimes. Steps are node indices; a tensor lives from
 * the step that writes it (the input: step 0) to the last step that reads it (a graph output: to the end).
 *
 * In place, where provably safe:
 * - reshape (same quantization): the output is the input's bytes, so it shares the buffer;
 * - add/mul without broadcasting: y[i] depends only on a[i] and b[i], so y may overwrite an input that no later
 *   step reads, through any tensor sharing its bytes (never the graph input, which belongs to the caller).
 */
import { Graph, Node, tensorOf } from '../ir/graph.ts';
import { DTYPE_BYTES, sizeOf, sameShape } from '../ir/tensor.ts';
import { int8ParamsOf } from '../reference/int8/interpreter.ts';
import { BufferRequest, GreedyBySizePlanner, LinearPlanner, lowerBound } from './arena.ts';

/** Where each activation lives and how big the arena is. */
export interface MemoryPlan {
  arenaBytes: number;
  /** The largest set of buffers alive at one step: no plan can be smaller. */
  lowerBoundBytes: number;
  /** Without any reuse: every activation its own buffer. */
  naiveBytes: number;
  /** Byte offset of each activation tensor in the arena. */
  offsets: Map<string, number>;
  /** Byte offset of each node's scratch buffer (only nodes whose kernel asked for one). */
  scratch: Map<string, number>;
}

/** A backend's scratch-size query: bytes a node's kernel needs while it runs (0 for none). */
export type ScratchQuery = (g: Graph, node: Node) => number;

function bytesOf(g: Graph, name: string): number {
  const t = tensorOf(g, name);
  return sizeOf(t.shape) * DTYPE_BYTES[t.dtype];
}

/** The input whose buffer the node's output may take over, if any. */
function inPlaceSource(g: Graph, node: Node, step: number, storageEnd: (tensor: string) => number): string | undefined {
  if (node.op === 'reshape') {
    const p = int8ParamsOf(g).get(node.name);
    if (p?.kind === 'requantize' && p.inputs[0].identity) return node.inputs[0];
    return undefined;
  }
  if (node.op === 'add' || node.op === 'mul') {
    const out = tensorOf(g, node.outputs[0]);
    return node.inputs.find((i) => {
      const t = tensorOf(g, i);
      return !t.data && !g.inputs.includes(i) && !g.outputs.includes(i) && sameShape(t.shape, out.shape) && storageEnd(i) === step;
    });
  }
  return undefined;
}

/** Plans the arena of an int8 graph; `scratchOf` says which kernels need scratch, alive only at their own step. */
export function planMemory(g: Graph, scratchOf: ScratchQuery = () => 0): MemoryPlan {
  const end = g.nodes.length;
  const lastRead = new Map<string, number>();
  g.nodes.forEach((n, i) => n.inputs.forEach((x) => lastRead.set(x, i)));
  for (const o of g.outputs) lastRead.set(o, end);
  // Union of tensors sharing storage: each tensor points at the group that owns its bytes.
  const groupOf = new Map<string, number>();
  const groups: BufferRequest[] = [];
  const open = (name: string, first: number) => {
    groupOf.set(name, groups.length);
    groups.push({ size: bytesOf(g, name), firstUse: first, lastUse: Math.max(first, lastRead.get(name) ?? first) });
  };
  for (const name of g.inputs) open(name, 0);
  g.nodes.forEach((node, step) => {
    const out = node.outputs[0];
    const source = inPlaceSource(g, node, step, (t) => groups[groupOf.get(t) as number].lastUse);
    if (source === undefined) {
      open(out, step);
      return;
    }
    const gi = groupOf.get(source) as number;
    groupOf.set(out, gi);
    const grp = groups[gi];
    grp.size = Math.max(grp.size, bytesOf(g, out));
    grp.lastUse = Math.max(grp.lastUse, lastRead.get(out) ?? step);
  });
  const scratchGroup = new Map<string, number>();
  g.nodes.forEach((node, step) => {
    const size = scratchOf(g, node);
    if (size > 0) {
      scratchGroup.set(node.name, groups.length);
      groups.push({ size, firstUse: step, lastUse: step });
    }
  });
  const greedy = new GreedyBySizePlanner();
  const linear = new LinearPlanner();
  for (const b of groups) {
    greedy.addBuffer(b.size, b.firstUse, b.lastUse);
    linear.addBuffer(b.size, b.firstUse, b.lastUse);
  }
  const offsets = new Map([...groupOf].map(([name, gi]) => [name, greedy.offsetOf(gi)]));
  const scratch = new Map([...scratchGroup].map(([name, gi]) => [name, greedy.offsetOf(gi)]));
  return { arenaBytes: greedy.arenaSize(), lowerBoundBytes: lowerBound(groups), naiveBytes: linear.arenaSize(), offsets, scratch };
}
