/**
 * @fileoverview `tinyedge inspect MODEL --target T`: the model's activation memory on a C target, quantized as
 * compile quantizes it: the layer-wise arena and its lower bound, and, when they exceed the target's RAM (or
 * `--budget-ram`), the patch-based configuration compile would choose, with its arena and extra MACs.
 */
import { loadTarget } from '../../targets/target.ts';
import type { Budget } from '../compile/compile-model.ts';
import { TinyedgeError } from '../errors.ts';
import { modelStats } from '../ir/stats.ts';
import { planWithin } from '../pipeline.ts';
import type { MemoryChoice } from '../plan/patch/choose-memory.ts';
import { bytes } from '../terminal/format.ts';
import { parseBytes } from './compile.ts';
import { prepareModel } from './prepare-model.ts';
import { quantizeWithSamplesShown } from './quantize.ts';

/** What inspect --target reports: the RAM budget, the layer-wise figures, and what fits (absent: nothing does). */
export interface InspectedMemory {
  target: string;
  budgetBytes?: number;
  layerWiseArenaBytes: number;
  lowerBoundBytes: number;
  macs: number;
  chosen?: { label: string; arenaBytes: number; extraMacs: number };
  /** When nothing fits: the refusal compile would give. */
  refused?: string;
  tried: MemoryChoice['tried'];
}

/** Plans the model's arena for `target` (within `budgetRam`, else the target's RAM) as compile would. */
export async function inspectMemory(
  spec: string | undefined,
  targetName: string,
  options: { budgetRam?: string; json?: boolean },
): Promise<InspectedMemory> {
  const target = loadTarget(targetName);
  if (target.backend !== 'c')
    throw new TinyedgeError('TE502', `inspect --target plans the C backend's arena; ${target.name} is not a C target`);
  const budget: Budget | undefined =
    options.budgetRam !== undefined
      ? { bytes: parseBytes(options.budgetRam, '--budget-ram'), name: '--budget-ram' }
      : target.memory?.ramBytes != null
        ? { bytes: target.memory.ramBytes, name: `${target.name}'s RAM` }
        : undefined;
  const model = await quantizeWithSamplesShown(prepareModel(spec, { quiet: options.json }), options.json);
  const g = model.graph;
  const base = {
    target: target.name,
    ...(budget ? { budgetBytes: budget.bytes } : {}),
    macs: modelStats(g).totals.macs,
  };
  try {
    const choice = planWithin(g, budget);
    return {
      ...base,
      layerWiseArenaBytes: choice.layerWise.arenaBytes,
      lowerBoundBytes: choice.layerWise.lowerBoundBytes,
      chosen: { ...choice.chosen, arenaBytes: choice.plan.arenaBytes },
      tried: choice.tried,
    };
  } catch (e) {
    if (!(e instanceof TinyedgeError) || e.code !== 'TE301') throw e;
    const layerWise = planWithin(g);
    return {
      ...base,
      layerWiseArenaBytes: layerWise.layerWise.arenaBytes,
      lowerBoundBytes: layerWise.layerWise.lowerBoundBytes,
      refused: e.message,
      tried: [],
    };
  }
}

/** The text lines of inspect --target's memory report. */
export function memoryLines(m: InspectedMemory): string[] {
  const within = m.budgetBytes !== undefined ? ` within ${bytes(m.budgetBytes)}` : '';
  const chosen = m.chosen;
  return [
    `memory on ${m.target}${within}: layer-wise arena ${m.layerWiseArenaBytes} B, lower bound ${m.lowerBoundBytes} B`,
    chosen && chosen.label !== 'layer-wise'
      ? `  in patches ${chosen.label}: arena ${chosen.arenaBytes} B (${(m.layerWiseArenaBytes / chosen.arenaBytes).toFixed(2)}× smaller), +${chosen.extraMacs} MACs (+${((100 * chosen.extraMacs) / m.macs).toFixed(1)}%), the cheapest of ${m.tried.length} configurations that fits`
      : chosen
        ? '  layer-wise fits'
        : `  nothing fits: ${m.refused}`,
  ];
}
