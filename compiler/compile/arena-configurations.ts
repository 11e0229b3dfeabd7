/**
 * @fileoverview The memory configurations compile weighs for a model on a target: what the target allows of the one
 * search (plan/choose-memory.ts): in place and patches on the C targets with one thread, layer-wise everywhere.
 * compile, inspect --target and bench --suite patches all choose through here.
 */

import type { Target } from '../../targets/target.ts';
import type { Graph } from '../ir/graph.ts';
import { scratchQueryOf } from '../pipeline.ts';
import {
  type ChooseOptions,
  chooseMemory,
  type MemoryChoice,
  type MemoryConfiguration,
} from '../plan/choose-memory.ts';

/** One configuration tried: its name, peak, lower bound, ring layers, and for patches the extra MACs. */
export type ArenaConfiguration = MemoryConfiguration;

/** The plan built, its configuration, and every configuration tried. */
export type ArenaChoice = MemoryChoice;

/** Whether a target and thread count can run convolutions in place through a ring or a prefix in patches (the C backend, one thread). */
export const inPlaceAvailable = (target: Target, threads: number): boolean => target.backend === 'c' && threads === 1;

/** What compile asks for besides the target: threads, rings allowed, patches searched or forced, the budget. */
export type ArenaOptions = Omit<ChooseOptions, 'inPlaceAvailable'>;

/** Chooses the arena plan for `target`: the cheapest configuration it allows that fits `options.budget`. */
export function chooseArena(g: Graph, target: Target, options: ArenaOptions = {}): ArenaChoice {
  const available = inPlaceAvailable(target, options.threads ?? 1);
  const scratch = scratchQueryOf(target);
  const patches = available && (options.patches ?? true);
  return chooseMemory(g, scratch, { ...options, inPlaceAvailable: available, patches });
}
