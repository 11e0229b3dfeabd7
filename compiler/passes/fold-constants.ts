/** @fileoverview Pass: evaluate nodes whose inputs are all constants once, at compile time, with the f32 reference kernels. */
import { cloneGraph, type Graph, isConstant, tensorOf } from '../ir/graph.ts';
import { runNodeF32 } from '../reference/f32/interpreter.ts';

/** Replaces constant-only subgraphs by their values. */
export function foldConstants(input: Graph): Graph {
  const g = cloneGraph(input);
  g.nodes = g.nodes.filter((n) => {
    if (n.inputs.length === 0 || !n.inputs.every((i) => isConstant(g, i))) return true;
    const values = n.inputs.map((i) => Float32Array.from(tensorOf(g, i).data as ArrayLike<number>));
    const out = tensorOf(g, n.outputs[0]!);
    out.data = Float32Array.from(runNodeF32(g, n, values));
    return false;
  });
  return g;
}
