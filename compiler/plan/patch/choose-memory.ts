/**
 * @fileoverview The memory configuration a RAM budget gets (`compile --budget-ram B`, or the target's SRAM): the
 * candidates are data (memoryOptionsOf), each planned, and the cheapest that fits wins, cheapest meaning fewest
 * extra MACs (layer-wise costs none, so it wins whenever it fits). Every option tried is reported with its arena and
 * extra MACs; when none fits, the refusal says by how much the smallest misses. `--patches RxC@layer` forces one.
 * Patch options are compared as planned with no convolution sliding over its input or every one that can (two
 * greedy placements each rather than the slide search, which can only do better than both: a 224² model has a
 * hundred options); the chosen one, and the few smallest when none fits, are planned again with the search.
 */
import { TinyedgeError } from '../../errors.ts';
import { type Graph, tensorOf } from '../../ir/graph.ts';
import { type MemoryPlan, planMemory, type ScratchQuery } from '../plan-memory.ts';
import { type PatchConfig, planPatches } from './patch-plan.ts';

/**
 * A configuration the search may choose. In-place depthwise (TinyEngine) is planned by another change and will join
 * this union (and memoryOptionsOf's list) as `{ kind: 'in-place-depthwise' }`, alone and under patches.
 */
export type MemoryOption = { kind: 'layer-wise' } | { kind: 'patches'; config: PatchConfig };

/** One option as the search planned it. */
export interface TriedOption {
  /** `layer-wise`, or `RxC@<split layer's node index>`. */
  label: string;
  arenaBytes: number;
  extraMacs: number;
}

/** The chosen plan, what it is, what the layer-wise plan needs, and every option tried. */
export interface MemoryChoice {
  plan: MemoryPlan;
  chosen: TriedOption;
  layerWise: { arenaBytes: number; lowerBoundBytes: number };
  tried: TriedOption[];
}

/** The largest grid the search tries (n × n cells). */
const MAX_GRID = 8;

/** The search stops at split layers whose output is this many times smaller (per side) than the input. */
const MAX_DOWNSCALE = 8;

/** How many of the smallest options a refusal plans again with the slide search before naming the smallest. */
const REFUSAL_REPLANS = 8;

/** `RxC@<split layer's node index>`: how the report and `--patches` name a patch configuration. */
export function patchLabel(c: PatchConfig): string {
  return `${c.rows}x${c.cols}@${c.split}`;
}

/** Whether a patch configuration can run (planPatches accepts it). */
function runsInPatches(g: Graph, c: PatchConfig): boolean {
  try {
    planPatches(g, c);
    return true;
  } catch (e) {
    if (e instanceof TinyedgeError && e.code === 'TE303') return false;
    throw e;
  }
}

/** The candidates, in the order they are tried: layer-wise, then n × n grids at every split layer that can end a prefix. */
export function memoryOptionsOf(g: Graph): MemoryOption[] {
  const input = tensorOf(g, g.inputs[0]!).shape;
  const options: MemoryOption[] = [{ kind: 'layer-wise' }];
  for (let split = 0; split < g.nodes.length; split++) {
    const out = tensorOf(g, g.nodes[split]!.outputs[0]!).shape;
    if (out.length !== 4 || out[1]! * MAX_DOWNSCALE < (input[1] ?? 0)) break;
    for (let n = 2; n <= Math.min(MAX_GRID, out[1]!, out[2]!); n++) {
      const config = { rows: n, cols: n, split };
      if (!runsInPatches(g, config)) break;
      options.push({ kind: 'patches', config });
    }
  }
  return options;
}

function planOption(
  g: Graph,
  scratch: ScratchQuery,
  option: MemoryOption,
  quick = false,
): { plan: MemoryPlan; tried: TriedOption } {
  if (option.kind === 'layer-wise') {
    const plan = planMemory(g, scratch);
    return { plan, tried: { label: 'layer-wise', arenaBytes: plan.arenaBytes, extraMacs: 0 } };
  }
  const patches = planPatches(g, option.config);
  const plans = (quick ? (['none', 'every'] as const) : (['best'] as const)).map((slide) =>
    planMemory(g, scratch, { patches, slide }),
  );
  const plan = plans.reduce((a, b) => (b.arenaBytes < a.arenaBytes ? b : a));
  const label = patchLabel(option.config);
  return { plan, tried: { label, arenaBytes: plan.arenaBytes, extraMacs: patches.patchMacs - patches.prefixMacs } };
}

/**
 * Plans the arena for a budget: `forced` patches as asked, else layer-wise if it fits (or no budget), else the option
 * with the fewest extra MACs that fits; TE301 when none does, with the smallest option's overshoot.
 */
export function chooseMemory(
  g: Graph,
  scratch: ScratchQuery,
  budget?: { bytes: number; name: string },
  forced?: PatchConfig,
): MemoryChoice {
  const layerWise = planOption(g, scratch, { kind: 'layer-wise' });
  const base = { arenaBytes: layerWise.plan.arenaBytes, lowerBoundBytes: layerWise.plan.lowerBoundBytes };
  if (forced) {
    const own = planOption(g, scratch, { kind: 'patches', config: forced });
    return { plan: own.plan, chosen: own.tried, layerWise: base, tried: [layerWise.tried, own.tried] };
  }
  if (!budget || layerWise.plan.arenaBytes <= budget.bytes)
    return { plan: layerWise.plan, chosen: layerWise.tried, layerWise: base, tried: [layerWise.tried] };
  const options = memoryOptionsOf(g).slice(1);
  const planned = [layerWise, ...options.map((o) => planOption(g, scratch, o, true))];
  const tried = planned.map((p) => p.tried);
  const fitting = planned.filter((p) => p.plan.arenaBytes <= budget.bytes);
  if (fitting.length === 0) {
    // The few smallest planned again with the slide search: the refusal names the smallest of those.
    const best = planned
      .slice(1)
      .map((p, i) => ({ p, i }))
      .sort((x, y) => x.p.plan.arenaBytes - y.p.plan.arenaBytes)
      .slice(0, REFUSAL_REPLANS)
      .map(({ i }) => planOption(g, scratch, options[i]!))
      .reduce((a, b) => (b.plan.arenaBytes < a.plan.arenaBytes ? b : a), layerWise);
    if (best.plan.arenaBytes > budget.bytes)
      throw new TinyedgeError(
        'TE301',
        `needs ${best.plan.arenaBytes} bytes of RAM for the activation arena in the smallest configuration found (${best.tried.label}, of ${tried.length} tried) but ${budget.name} is ${budget.bytes}: over by ${best.plan.arenaBytes - budget.bytes} bytes`,
        { file: g.source },
      );
    return { plan: best.plan, chosen: best.tried, layerWise: base, tried };
  }
  const cheapest = fitting.reduce((a, b) =>
    b.tried.extraMacs < a.tried.extraMacs ||
    (b.tried.extraMacs === a.tried.extraMacs && b.plan.arenaBytes < a.plan.arenaBytes)
      ? b
      : a,
  );
  // The slide search only shrinks a plan, so the chosen option still fits.
  const chosen = cheapest === layerWise ? cheapest : planOption(g, scratch, options[planned.indexOf(cheapest) - 1]!);
  return { plan: chosen.plan, chosen: chosen.tried, layerWise: base, tried };
}

/** Reads `RxC@layer` (`4x4@12`, `3x3@block_3_project`; the layer by node index or name) as a patch configuration. */
export function parsePatches(g: Graph, text: string): PatchConfig {
  const m = /^(\d+)[x×](\d+)@(.+)$/.exec(text);
  const split = m ? (/^\d+$/.test(m[3]!) ? Number(m[3]) : g.nodes.findIndex((n) => n.name === m[3])) : -1;
  if (!m || split < 0)
    throw new TinyedgeError('TE601', `--patches takes RxC@layer (e.g. 4x4@12 or 4x4@<node name>), got '${text}'`);
  return { rows: Number(m[1]), cols: Number(m[2]), split };
}
