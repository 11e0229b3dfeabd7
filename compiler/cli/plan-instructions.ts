/**
 * @fileoverview compile's and inspect --target's instruction count on an emulated target: the layer-wise build and
 * the chosen one, counted under qemu (compile/count-instructions.ts) behind a progress bar, as the report's figure
 * beside the MACs; none elsewhere or with --no-count-instructions.
 */
import type { Target } from '../../targets/target.ts';
import type { ArenaChoice } from '../compile/arena-configurations.ts';
import { countPlanInstructions, countsInstructions, type PlanInstructions } from '../compile/count-instructions.ts';
import type { Graph } from '../ir/graph.ts';
import { startProgress } from '../terminal/progress.ts';

/** The counts for the report, or undefined where the target is not emulated or counting is off. */
export function planInstructionsShown(
  g: Graph,
  choice: ArenaChoice,
  target: Target,
  options: { countInstructions?: boolean; json?: boolean },
): PlanInstructions | undefined {
  if (options.countInstructions === false || !countsInstructions(target)) return undefined;
  const progress = startProgress(`counting instructions under qemu on ${target.name}`, 2, !options.json);
  try {
    return countPlanInstructions(g, choice, target, (done, total) => progress.update((2 * done) / total));
  } finally {
    progress.stop();
  }
}
