/**
 * @fileoverview When each value is read for the last time in node order: what lets the memory planners, the
 * interpreters and calibration free a value.
 */
import type { Graph } from './graph.ts';

/** Each value's last reader as an index into `g.nodes` (values no node reads are absent; callers pin outputs). */
export function lastReaderIndex(g: Graph): Map<string, number> {
  const last = new Map<string, number>();
  g.nodes.forEach((n, i) => {
    for (const x of n.inputs) last.set(x, i);
  });
  return last;
}
