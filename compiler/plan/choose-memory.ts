/**
 * @fileoverview The one search over memory configurations (compile, inspect --target and bench --suite patches all
 * call it): the candidates are layer-wise (whole tensors, convolutions sliding over their inputs), in place
 * (convolutions also running over their own input through a ring of output rows: rolling-rows.ts), and R×C patch
 * grids at every split layer that can end a prefix (patch/patch-plan.ts), each with rings after its prefix where
 * they lower the peak. The cheapest that fits the RAM budget wins: fewest extra MACs, then smallest arena, so
 * layer-wise or in place (no extra MACs) whenever one fits, in place only when it is smaller (a ring copies rows).
 * Patches are tried only when neither fits; each is ranked by two quick placements (no convolution sliding over its
 * input, or every one; no rings) rather than the full search (a 224² model has a hundred options), and the chosen
 * one, or the few smallest when none fits, are planned again with it, rings after the prefix included. When none fits the refusal gives the best one's overshoot.
 */
import { TinyedgeError } from '../errors.ts';
import { type Graph, tensorOf } from '../ir/graph.ts';
import { type PatchConfig, planPatches } from './patch/patch-plan.ts';
import { type MemoryPlan, type PlanOptions, planMemory, type ScratchQuery } from './plan-memory.ts';
import { searchFloorBytes } from './search-floor.ts';

/** One configuration tried: its name, peak and lower bound, rings used, and for patches the recomputed MACs. */
export interface MemoryConfiguration {
  /** `layer-wise`, `in-place`, or `RxC@<split layer's node index>` (with `+in-place` when rings follow the prefix). */
  name: string;
  arenaBytes: number;
  lowerBoundBytes: number;
  /** Layers that run through a ring of output rows (in place). */
  inPlaceLayers?: number;
  /** MACs recomputed in the patches' halos (patch configurations only). */
  extraMacs?: number;
}

/** What the search may use and what it must fit. */
export interface ChooseOptions {
  /** The RAM to fit (absent: no limit, the cheapest zero-MAC configuration). */
  budget?: { bytes: number; name: string };
  /** Threads the model is compiled for (default 1; above 1 only layer-wise is planned). */
  threads?: number;
  /** Whether rings may be built (the C backend, one thread); false lists in-place without choosing it. */
  inPlace?: boolean;
  /** Whether in-place is planned at all (the C backend, one thread; default: true). */
  inPlaceAvailable?: boolean;
  /** Whether patch grids may be searched (the C backend, one thread; default: true). */
  patches?: boolean;
  /** One patch configuration to build, whatever the budget (`--patches RxC@layer`). */
  forced?: PatchConfig;
  /** Instead of fitting a budget: the smallest configuration recomputing at most this many MACs (the bench). */
  smallestWithinMacs?: number;
  /** Leave the graph input out of every arena: the caller's buffer holds it (one thread; plan-memory.ts). */
  callerInput?: boolean;
}

/** The plan built, its configuration, and every configuration tried (layer-wise first). */
export interface MemoryChoice {
  plan: MemoryPlan;
  chosen: MemoryConfiguration;
  configurations: MemoryConfiguration[];
}

/** The most rows of cells the search tries (row caches make rows cheap), and the most columns. */
const MAX_ROWS = 16;
const MAX_COLUMNS = 8;

/** The search stops at split layers whose output is this many times smaller (per side) than the input. */
const MAX_DOWNSCALE = 8;

/** How many of the smallest quickly planned options are planned again with the full search when picking the smallest. */
const SMALLEST_REPLANS = 24;

/** How many of the cheapest options that do not fit the budget when quickly placed get the full search to try. */
const BUDGET_REPLANS = 48;
/** How far over the budget a quick placement may be and still get the full search. */
const REPLAN_MISS = 1.25;

/** `RxC@<split layer's node index>`: how the report and `--patches` name a patch configuration. */
export function patchLabel(c: PatchConfig): string {
  return `${c.rows}x${c.cols}@${c.split}`;
}

/**
 * The patch grids tried, in order: R × C cells (R = 2…MAX_ROWS, C = 1…min(R, MAX_COLUMNS): more rows cost no MACs, while every
 * column boundary is recomputed) at every split layer that can end a prefix; a grid may still refuse (TE303).
 */
export function patchOptionsOf(g: Graph): PatchConfig[] {
  const input = tensorOf(g, g.inputs[0]!).shape;
  const options: PatchConfig[] = [];
  for (let split = 0; split < g.nodes.length; split++) {
    const out = tensorOf(g, g.nodes[split]!.outputs[0]!).shape;
    if (out.length !== 4 || out[1]! * MAX_DOWNSCALE < (input[1] ?? 0)) break;
    if (!runsInPatches(g, { rows: 2, cols: 1, split })) continue;
    for (let rows = 2; rows <= Math.min(MAX_ROWS, out[1]!); rows++)
      for (let cols = 1; cols <= Math.min(rows, MAX_COLUMNS, out[2]!); cols++) options.push({ rows, cols, split });
  }
  return options;
}

/** What `f` returns, or undefined when it refuses the patch configuration (TE303). */
function refusedAsUndefined<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof TinyedgeError && e.code === 'TE303') return undefined;
    throw e;
  }
}

/** Whether a patch configuration can run (planPatches accepts it). */
function runsInPatches(g: Graph, c: PatchConfig): boolean {
  return refusedAsUndefined(() => planPatches(g, c)) !== undefined;
}

/** A plan and how the report names it. */
interface Planned {
  plan: MemoryPlan;
  configuration: MemoryConfiguration;
  /** A quick placement's bound on what the full search could reach (search-floor.ts). */
  floorBytes?: number;
}

function describe(plan: MemoryPlan, name: string, extraMacs?: number): Planned {
  const rings = plan.rolling.size;
  const configuration: MemoryConfiguration = {
    name: extraMacs !== undefined && rings > 0 ? `${name}+in-place` : name,
    arenaBytes: plan.arenaBytes,
    lowerBoundBytes: plan.lowerBoundBytes,
    ...(name === 'in-place' || (extraMacs !== undefined && rings > 0) ? { inPlaceLayers: rings } : {}),
    ...(extraMacs !== undefined ? { extraMacs } : {}),
  };
  return { plan, configuration };
}

/** A configuration's name without `+in-place`: the same option however its rings came out. */
const baseName = (p: Planned) => p.configuration.name.replace(/\+in-place$/, '');

const smaller = (a: Planned, b: Planned) => (b.plan.arenaBytes < a.plan.arenaBytes ? b : a);

/** Plans a patch grid: `quick`, the smaller of two fixed placements; else those and the full slide (and ring) search. */
function planPatchOption(
  g: Graph,
  scratch: ScratchQuery,
  config: PatchConfig,
  rings: boolean,
  quick: boolean,
  callerInput: boolean,
): Planned {
  const patches = planPatches(g, config);
  const tries: PlanOptions[] = [
    { patches, callerInput, slide: 'none' },
    { patches, callerInput, slide: 'every' },
    ...(quick ? [] : [{ patches, callerInput }, ...(rings ? [{ patches, callerInput, inPlace: true }] : [])]),
  ];
  // The full search starts from a quick placement's choices but not all of them, so the quick ones stay in the running.
  const plans = tries.map((o) => planMemory(g, scratch, o));
  const plan = plans.reduce((a, b) => (b.arenaBytes < a.arenaBytes ? b : a));
  const planned = describe(plan, patchLabel(config), patches.patchMacs - patches.prefixMacs);
  return quick ? { ...planned, floorBytes: searchFloorBytes(g, plans[0]!) } : planned;
}

/**
 * Chooses the memory configuration: `forced` patches as asked; else the cheapest that fits the budget (fewest extra
 * MACs, then smallest arena), or with `smallestWithinMacs` the smallest within that many extra MACs; TE301 when none
 * fits, with the overshoot of the smallest found.
 */
export function chooseMemory(g: Graph, scratch: ScratchQuery, options: ChooseOptions = {}): MemoryChoice {
  const available = options.inPlaceAvailable ?? true;
  const rings = available && (options.inPlace ?? true);
  const callerInput = options.callerInput ?? false;
  const layerWise = describe(planMemory(g, scratch, { threads: options.threads ?? 1, callerInput }), 'layer-wise');
  const base: Planned[] = [layerWise];
  if (available) base.push(describe(planMemory(g, scratch, { inPlace: true, callerInput }), 'in-place'));
  const allowed = base.filter((p) => p === layerWise || (rings && p.plan.rolling.size > 0));
  const done = (p: Planned, tried: Planned[]) => ({
    plan: p.plan,
    chosen: p.configuration,
    configurations: tried.map((t) => (baseName(t) === baseName(p) ? p : t).configuration),
  });
  if (options.forced) {
    const own = planPatchOption(g, scratch, options.forced, rings, false, callerInput);
    return done(own, [...base, own]);
  }
  const zeroMacs = allowed.reduce(smaller);
  const budget = options.budget;
  const searching = (options.patches ?? true) && (options.smallestWithinMacs !== undefined || budget !== undefined);
  if (!searching || (budget && zeroMacs.plan.arenaBytes <= budget.bytes)) return done(zeroMacs, base);
  const limit = options.smallestWithinMacs ?? Number.POSITIVE_INFINITY;
  const quick = patchOptionsOf(g)
    .flatMap((config) => {
      const planned = refusedAsUndefined(() => planPatchOption(g, scratch, config, rings, true, callerInput));
      return planned ? [{ config, planned }] : [];
    })
    .filter((q) => q.planned.configuration.extraMacs! <= limit);
  const tried = [...base, ...quick.map((q) => q.planned)];
  if (budget) {
    // In order of extra MACs: the first option that fits, quickly placed or, for the first BUDGET_REPLANS that miss
    // by at most REPLAN_MISS, after the full search (its rings and slides often take the last 10–25%: 0.35/96's
    // 7x3@12 is 29,952 B placed quickly and 18,432 B searched).
    const byMacs = [...quick].sort(
      (a, b) =>
        a.planned.configuration.extraMacs! - b.planned.configuration.extraMacs! ||
        a.planned.plan.arenaBytes - b.planned.plan.arenaBytes,
    );
    let replans = 0;
    for (const q of byMacs) {
      if (q.planned.floorBytes! > budget.bytes) continue;
      const fitsQuickly = q.planned.plan.arenaBytes <= budget.bytes;
      if (!fitsQuickly && (q.planned.plan.arenaBytes > REPLAN_MISS * budget.bytes || replans++ >= BUDGET_REPLANS))
        continue;
      // The full search only shrinks a plan, so an option that fits quickly still fits.
      const full = planPatchOption(g, scratch, q.config, rings, false, callerInput);
      if (full.plan.arenaBytes <= budget.bytes) return done(full, tried);
    }
  }
  // The few smallest planned again with the full search: the smallest of those (the bench's pick, or the refusal's).
  const best = [...quick]
    .sort((a, b) => a.planned.plan.arenaBytes - b.planned.plan.arenaBytes)
    .slice(0, SMALLEST_REPLANS)
    .filter((q) => q.planned.floorBytes! < zeroMacs.plan.arenaBytes)
    .map((q) => planPatchOption(g, scratch, q.config, rings, false, callerInput))
    .reduce(smaller, zeroMacs);
  if (budget && best.plan.arenaBytes > budget.bytes) {
    const over = best.plan.arenaBytes - budget.bytes;
    throw new TinyedgeError(
      'TE301',
      `needs ${best.plan.arenaBytes} bytes of RAM for the activation arena in the smallest configuration found (${best.configuration.name}, of ${tried.length} tried) but ${budget.name} is ${budget.bytes}: over by ${over} bytes`,
      { file: g.source },
    );
  }
  return done(best, tried);
}

/** Reads `RxC@layer` (`4x4@12`, `3x3@block_3_project`; the layer by node index or name) as a patch configuration. */
export function parsePatches(g: Graph, text: string): PatchConfig {
  const m = /^(\d+)[x×](\d+)@(.+)$/.exec(text);
  const split = m ? (/^\d+$/.test(m[3]!) ? Number(m[3]) : g.nodes.findIndex((n) => n.name === m[3])) : -1;
  if (!m || split < 0)
    throw new TinyedgeError('TE601', `--patches takes RxC@layer (e.g. 4x4@12 or 4x4@<node name>), got '${text}'`);
  return { rows: Number(m[1]), cols: Number(m[2]), split };
}
