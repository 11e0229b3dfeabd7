/**
 * @fileoverview The arena plans compile weighs for a model on a target, each with its peak and its lower bound:
 * layer-wise (whole tensors, convolutions sliding over their inputs) and, on the C targets with one thread, in place
 * (convolutions also run over their own input through a ring of output rows where that lowers the peak). The report
 * of compile and inspect --target lists them all; compile builds the smallest it is allowed to.
 */

import type { Target } from '../../targets/target.ts';
import type { Graph } from '../ir/graph.ts';
import { plan } from '../pipeline.ts';
import type { MemoryPlan } from '../plan/plan-memory.ts';

/** One arena plan tried: its name, peak, lower bound, and for in-place the layers that run through a ring. */
export interface ArenaConfiguration {
  name: 'layer-wise' | 'in-place';
  arenaBytes: number;
  lowerBoundBytes: number;
  inPlaceLayers?: number;
}

/** The plans tried and the one chosen (the smallest allowed; on a tie, layer-wise, which copies nothing). */
export interface ArenaChoice {
  plan: MemoryPlan;
  chosen: ArenaConfiguration['name'];
  configurations: ArenaConfiguration[];
}

/** Whether a target and thread count can run convolutions in place through a ring (the C backend, one thread). */
export const inPlaceAvailable = (target: Target, threads: number): boolean => target.backend === 'c' && threads === 1;

/** Plans the arena layer-wise and, where available, in place; `inPlace: false` keeps the layer-wise plan. */
export function chooseArena(g: Graph, target: Target, threads = 1, inPlace = true): ArenaChoice {
  const layerWise = plan(g, target, threads);
  const configurations: ArenaConfiguration[] = [
    { name: 'layer-wise', arenaBytes: layerWise.arenaBytes, lowerBoundBytes: layerWise.lowerBoundBytes },
  ];
  if (!inPlaceAvailable(target, threads)) return { plan: layerWise, chosen: 'layer-wise', configurations };
  const rolled = plan(g, target, threads, true);
  configurations.push({
    name: 'in-place',
    arenaBytes: rolled.arenaBytes,
    lowerBoundBytes: rolled.lowerBoundBytes,
    inPlaceLayers: rolled.rolling.size,
  });
  const useRings = inPlace && rolled.rolling.size > 0 && rolled.arenaBytes < layerWise.arenaBytes;
  return useRings
    ? { plan: rolled, chosen: 'in-place', configurations }
    : { plan: layerWise, chosen: 'layer-wise', configurations };
}
