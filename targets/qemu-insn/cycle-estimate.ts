/**
 * @fileoverview The cycle estimate of a stretch of executed code on one Cortex-M core, from the plugin's counts per
 * instruction class (targets/qemu-insn/thumb-class.h) and the core's table (cycle-costs.ts): each resource adds up
 * the cycles its classes occupy, and the busiest resource sets the estimate. Pure arithmetic, no I/O.
 */
import { type CoreCycleCosts, type Counter, EXTRA_COUNTERS, INSTRUCTION_CLASSES } from './cycle-costs.ts';

/** How many times each counter counted over a stretch (a counter not listed counted 0). */
export type CounterCounts = Partial<Record<Counter, number>>;

const KNOWN: ReadonlySet<string> = new Set<string>([...INSTRUCTION_CLASSES, ...EXTRA_COUNTERS]);

/** Whether a plugin counter name is one the cost tables price. */
export function isCounter(name: string): name is Counter {
  return KNOWN.has(name);
}

/** Estimated cycles of the stretch on the core: the busiest resource's total (zero-wait-state memory). */
export function estimateCycles(table: CoreCycleCosts, counts: CounterCounts): number {
  const busy = new Map<string, number>(table.resources.map((r) => [r, 0]));
  for (const [counter, n] of Object.entries(counts) as [Counter, number][]) {
    for (const [resource, cycles] of Object.entries(table.costs[counter].cycles)) {
      const sum = busy.get(resource);
      if (sum === undefined)
        throw new Error(`internal: ${table.core}'s ${counter} uses the unknown resource ${resource}`);
      busy.set(resource, sum + n * cycles);
    }
  }
  return Math.max(0, ...busy.values());
}

/** The instructions the classes of a stretch add up to (the extras are not instructions). */
export function classTotal(counts: CounterCounts): number {
  return INSTRUCTION_CLASSES.reduce((s, c) => s + (counts[c] ?? 0), 0);
}
