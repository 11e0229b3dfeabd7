/**
 * @fileoverview A bound on what the slide and ring search (planMemory's default) can reach, read off one plan made
 * without either: compile skips the search for a patch grid this rules out. A slide or a ring at node s only lets
 * s's output overlap its input, and that input is last read at s (planMemory's condition), so the choice at s
 * changes the bytes alive at step s alone, by at most the smaller of the two tensors; rings add bytes of their own.
 */
import { type Graph, tensorOf } from '../ir/graph.ts';
import { DTYPE_BYTES, sizeOf } from '../ir/tensor.ts';
import { alignedSize, type Span, unionBytes } from './arena.ts';
import { type MemoryPlan, slidingOutputOffset } from './plan-memory.ts';
import { rollingRowsOf } from './rolling-rows.ts';

/**
 * Bytes no choice of slides and rings can take `unchosen` (planned with neither) below: at each step, the bytes
 * alive less what the step's node could overlap, the largest over the steps. Nodes of a patch prefix have no choice.
 */
export function searchFloorBytes(g: Graph, unchosen: MemoryPlan): number {
  const steps = Math.max(0, ...unchosen.pieces.map((p) => p.lastUse + 1));
  const alive: Span[][] = Array.from({ length: steps }, () => []);
  for (const p of unchosen.pieces)
    for (let s = p.firstUse; s <= p.lastUse; s++) alive[s]!.push([p.offset, p.offset + alignedSize(p.size)]);
  const split = unchosen.patches?.split ?? -1;
  let floor = 0;
  alive.forEach((intervals, s) => {
    const node = g.nodes[s];
    const choice =
      node !== undefined &&
      s > split &&
      (slidingOutputOffset(g, node) !== undefined || rollingRowsOf(g, node) !== undefined);
    const overlap = choice
      ? Math.min(
          ...[node.inputs[0]!, node.outputs[0]!].map((t) => {
            const { shape, dtype } = tensorOf(g, t);
            return alignedSize(sizeOf(shape) * DTYPE_BYTES[dtype]);
          }),
        )
      : 0;
    floor = Math.max(floor, unionBytes(intervals) - overlap);
  });
  return floor;
}
