/**
 * @fileoverview Which layers get the scratch they would like rather than the scratch they need: the row-pair kernels
 * (te_matmul_row_pairs_s8, te_conv2d_row_pairs_s8) are faster but want an int16 copy of two rows, and fall back to
 * one row at a time where the plan gave less (the renderer reads the planned bytes). They get it only where the
 * arena's peak stays what the least scratch gives.
 */

import type { Graph, Node } from '../../ir/graph.ts';
import { planMemory, type ScratchQuery } from '../../plan/plan-memory.ts';

/**
 * A query that answers `wanted` for the layers whose wanted scratch leaves the graph's arena at its size with
 * `needed` everywhere, and `needed` for the others: all of them if that fits, else each in graph order where it
 * still does. The choice is made once per graph (with the planner's default options).
 */
export function scratchWithinPeak(needed: ScratchQuery, wanted: ScratchQuery): ScratchQuery {
  const chosen = new WeakMap<Graph, ReadonlySet<string>>();
  return (g, node) => {
    let given = chosen.get(g);
    if (!given) {
      given = layersGivenWanted(g, needed, wanted);
      chosen.set(g, given);
    }
    return given.has(node.name) ? wanted(g, node) : needed(g, node);
  };
}

function layersGivenWanted(g: Graph, needed: ScratchQuery, wanted: ScratchQuery): ReadonlySet<string> {
  const asking = g.nodes.filter((n) => wanted(g, n) > needed(g, n)).map((n) => n.name);
  if (asking.length === 0) return new Set();
  const arenaWith = (given: ReadonlySet<string>) =>
    planMemory(g, (h: Graph, n: Node) => (given.has(n.name) ? wanted(h, n) : needed(h, n))).arenaBytes;
  const peak = arenaWith(new Set());
  const all = new Set(asking);
  if (arenaWith(all) <= peak) return all;
  const given = new Set<string>();
  for (const name of asking) {
    given.add(name);
    if (arenaWith(given) > peak) given.delete(name);
  }
  return given;
}
