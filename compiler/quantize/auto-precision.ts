/**
 * @fileoverview `--precision auto`: a precision per layer chosen by measured sensitivity under the budgets.
 * Sensitivity: on a few calibration inputs, the output's noise fraction e = Σ(f − dq)² / Σf² (f the f32 output, dq
 * the dequantized integer-reference output; SQNR = −10·log10 e) of the all-int8 graph, and of the graph with only one
 * layer (with weights, or a softmax: only 16×8) moved to int4w (its rise, Δ4) or to 16×8 (its fall, Δ16), each
 * bias-corrected as the model ships. A plan's noise is predicted as e_int8 + ΣΔ4 − ΣΔ16 (errors of different layers
 * add as independent noise). Candidates: the first i layers in order of least Δ4 per flash byte saved at int4w, with the first j of the
 * others in order of most Δ16 per extra instructions and flash at 16×8 (as fractions of all-int8's), for every i and
 * j, within the budgets; their Pareto front (flash and instructions against SQNR) is what the report shows. The best
 * few predictions, and the best without int4w layers, are then measured as they would ship (bias-corrected on half
 * the calibration inputs, measured on the other half, both ways) beside all-int8, and the best measured one is the
 * choice.
 */

import { TinyedgeError } from '../errors.ts';
import { type Graph, tensorOf } from '../ir/graph.ts';
import { runF32 } from '../reference/f32/interpreter.ts';
import { runInteger } from '../reference/integer/interpreter.ts';
import { correctBiases } from './bias-correction.ts';
import type { TensorRange } from './calibrate.ts';
import {
  int32Biases16x8,
  type LayerCost,
  layerCosts,
  type MacsPerInstruction,
  mixingInstructions,
  planCost,
  planRamBytes,
} from './layer-costs.ts';
import { int8OnlyOutputs, type LayerPrecision, MAC_OPS, type PrecisionPlan } from './precision-plan.ts';
import { UNSUPPORTED_16X8 } from './prepare/prepare-int8.ts';
import { dequantizeArray, quantizeForTensor } from './prepare/quant-params.ts';
import { quantizeGraph } from './quantize-graph.ts';

/** What `--precision auto` optimizes under. */
export interface AutoPrecisionOptions {
  /** MACs per instruction of each precision's kernels (default MACS_PER_INSTRUCTION, measured on cortex-m4). */
  rate?: MacsPerInstruction;
  /** Most bytes of weights and biases. */
  budgetFlash?: number;
  /** Most bytes of the largest node's activations (inputs + output). */
  budgetRam?: number;
  /** Most instructions as a multiple of all-int8's (default 1.15). */
  maxCost?: number;
  /** Least predicted output SQNR in dB. */
  minSqnrDb?: number;
  /** Calibration inputs the sensitivity is measured on (default 4). */
  inputs?: number;
  /**
   * The sensitivity an earlier choice measured on the same graph, ranges and calibration inputs (its result's
   * `measure`): reused instead of measured again, so budgets can be tried without the ~2 quantize-and-run passes a layer.
   */
  measure?: SensitivityMeasure;
}

/** Output noise fractions the choice rests on: all-int8's, and each layer's change when it alone moves. */
export interface SensitivityMeasure {
  base: number;
  /** Noise added with the layer at int4w (absent: its int4 weights would not be packed). */
  rise4: Record<string, number>;
  /** Noise removed with the layer at 16×8 (0 for a layer kept int8). */
  fall16: Record<string, number>;
}

/** Predicted-best plans measured as they would ship before one is chosen. */
const FINALISTS = 4;

/** A plan within the budgets and its prediction. */
interface Candidate {
  point: PrecisionPoint;
  plan: Record<string, LayerPrecision>;
}

/** The default instruction budget: at most 15% above all-int8. */
export const DEFAULT_MAX_COST = 1.15;

/** One layer's measured sensitivity: the output SQNR with only this layer at int4w or at 16×8. */
export interface LayerSensitivity {
  node: string;
  /** null: the layer's int4 weights would not be packed (not a 1×1 conv or dense layer), so it is not measured. */
  int4wDb: number | null;
  x16Db: number;
}

/** A candidate plan's predicted output SQNR and its costs. */
export interface PrecisionPoint {
  sqnrDb: number;
  flash: number;
  instructions: number;
  /** Layers at int4w and at 16×8 (the rest int8). */
  int4w: number;
  x16: number;
}

/** The choice, the measurements it rests on and the front it was chosen from. */
export interface AutoPrecisionResult {
  plan: Record<string, LayerPrecision>;
  chosen: PrecisionPoint;
  /**
   * The chosen plan's output SQNR measured on every calibration input (the prediction adds single-layer changes
   * measured on a few), and all-int8's on the same inputs.
   */
  measuredSqnrDb: number;
  measuredInt8SqnrDb: number;
  /** What the sensitivity pass measured, for a later choice on the same model (options.measure). */
  measure: SensitivityMeasure;
  /** All-int8, all-16×8 and all-int4w as the same model predicts them, for scale. */
  int8: PrecisionPoint;
  sensitivity: LayerSensitivity[];
  costs: LayerCost[];
  /** Non-dominated candidates (less flash, fewer instructions, more SQNR), by flash. */
  front: PrecisionPoint[];
  /** The budgets in force. */
  budgets: { flash?: number; ram?: number; instructions: number; minSqnrDb?: number };
}

const db = (noise: number) => (noise > 0 ? -10 * Math.log10(noise) : Infinity);

/** The output noise fraction of a quantized graph against the f32 outputs. */
function noiseFraction(q: Graph, inputs: readonly Float32Array[], reference: readonly Float32Array[]): number {
  const input = tensorOf(q, q.inputs[0]!);
  const out = tensorOf(q, q.outputs[0]!);
  let signal = 0;
  let noise = 0;
  inputs.forEach((x, k) => {
    const y = runInteger(q, { [q.inputs[0]!]: quantizeForTensor(x, input) }).get(q.outputs[0]!)!;
    const dq = dequantizeArray(y, out.quant!);
    const f = reference[k]!;
    for (let i = 0; i < f.length; i++) {
      signal += f[i]! * f[i]!;
      noise += (f[i]! - dq[i]!) ** 2;
    }
  });
  return signal > 0 ? noise / signal : 0;
}

/** Only layers whose int4 weights are packed save flash: the others would add noise for nothing. */
const packsInt4 = (c: LayerCost) => c.flash.int4w < c.flash.int8;

/**
 * All-int8's output noise on `inputs`, and each layer's change with only it at int4w (where its weights pack) or at
 * 16×8 (unless kept int8); each bias-corrected on `inputs`, as the final quantization will be.
 */
function measureSensitivity(
  f32: Graph,
  ranges: Map<string, TensorRange>,
  inputs: readonly Float32Array[],
  costs: LayerCost[],
  keptInt8: ReadonlySet<string>,
  step: () => void,
): SensitivityMeasure {
  const reference = inputs.map((x) => runF32(f32, { [f32.inputs[0]!]: x }).get(f32.outputs[0]!)!);
  const noise = (plan: PrecisionPlan) => {
    const q = quantizeGraph(f32, ranges, plan);
    correctBiases(f32, q, inputs);
    const e = noiseFraction(q, inputs, reference);
    step();
    return e;
  };
  const base = noise({});
  const rise4: Record<string, number> = {};
  const fall16: Record<string, number> = {};
  for (const c of costs) {
    if (packsInt4(c)) rise4[c.node] = noise({ [c.node]: 'int4w' }) - base;
    fall16[c.node] = keptInt8.has(c.node) ? 0 : base - noise({ [c.node]: '16x8' });
  }
  return { base, rise4, fall16 };
}

/** Layers in the order a greedy move takes them: best ratio of benefit to cost first. */
function ordered<T>(items: T[], score: (t: T) => number): T[] {
  return items
    .map((t) => ({ t, s: score(t) }))
    .sort((a, b) => b.s - a.s)
    .map((x) => x.t);
}

/** Candidates no other beats on flash, instructions and SQNR at once, by flash. */
function paretoFront(points: PrecisionPoint[]): PrecisionPoint[] {
  const dominated = (p: PrecisionPoint, q: PrecisionPoint) =>
    q.flash <= p.flash &&
    q.instructions <= p.instructions &&
    q.sqnrDb >= p.sqnrDb &&
    (q.flash < p.flash || q.instructions < p.instructions || q.sqnrDb > p.sqnrDb);
  return points.filter((p) => !points.some((q) => dominated(p, q))).sort((a, b) => a.flash - b.flash);
}

/**
 * Chooses a precision per layer for an f32 graph calibrated with `ranges` on `inputs` (see the file comment); fails
 * (TE208) when no candidate meets the budgets, saying what the closest one needs.
 */
export function choosePrecision(
  f32: Graph,
  ranges: Map<string, TensorRange>,
  calibration: readonly Float32Array[],
  options: AutoPrecisionOptions,
  onProgress?: (done: number, total: number) => void,
): AutoPrecisionResult {
  const int8Only = int8OnlyOutputs(f32);
  // Layers writing a detector's SSD output stay int8 (its decoding reads int8): no 16×8 gain to measure.
  const keptInt8 = new Set(f32.nodes.filter((n) => int8Only.has(n.outputs[0]!)).map((n) => n.name));
  // Which 16×8 biases are stored int32 (4 bytes a channel, as int8's) is read off every movable layer quantized at
  // 16×8: one quantization, cheap beside the sensitivity pass.
  const all16x8 = Object.fromEntries(
    f32.nodes
      .filter((n) => MAC_OPS.has(n.op) && !UNSUPPORTED_16X8.has(n.op) && !keptInt8.has(n.name))
      .map((n) => [n.name, '16x8' as const]),
  );
  const costs = layerCosts(f32, options.rate, int32Biases16x8(quantizeGraph(f32, ranges, all16x8)));
  // Each layer at 16×8 and at int4w where measured and all-int8 (unless reused), then all-int8 and the finalists
  // (and the best without int4w).
  const total =
    2 +
    FINALISTS +
    (options.measure ? 0 : 1 + costs.filter((c) => !keptInt8.has(c.node)).length + costs.filter(packsInt4).length);
  let done = 0;
  const step = () => onProgress?.(++done, total);
  const measure =
    options.measure ??
    measureSensitivity(f32, ranges, calibration.slice(0, options.inputs ?? 4), costs, keptInt8, step);
  const { base } = measure;
  const layers = costs.map((c) => ({
    cost: c,
    rise4: measure.rise4[c.node] ?? Infinity,
    fall16: measure.fall16[c.node] ?? 0,
  }));
  const packable = layers.filter((l) => packsInt4(l.cost));
  const toInt4 = ordered(packable, (l) => (l.cost.flash.int8 - l.cost.flash.int4w) / Math.max(l.rise4, 1e-12));
  const { flash: flash8, instructions: instructions8 } = planCost(costs, {});
  // What a layer's move to 16×8 spends, as fractions of all-int8's: instructions (a 16×8 layer of many MACs per
  // output can need fewer than int8) and flash (an int64 bias past int32); a free move (a softmax) goes first.
  const extra16 = (c: LayerCost) =>
    Math.max(0, c.instructions['16x8'] - c.instructions.int8) / instructions8 +
    Math.max(0, c.flash['16x8'] - c.flash.int8) / flash8;
  const budgets = {
    ...(options.budgetFlash !== undefined && { flash: options.budgetFlash }),
    ...(options.budgetRam !== undefined && { ram: options.budgetRam }),
    instructions: instructions8 * (options.maxCost ?? DEFAULT_MAX_COST),
    ...(options.minSqnrDb !== undefined && { minSqnrDb: options.minSqnrDb }),
  };
  const points: PrecisionPoint[] = [];
  const fitting: Candidate[] = [];
  for (let i = 0; i <= toInt4.length; i++) {
    const int4 = new Set(toInt4.slice(0, i).map((l) => l.cost.node));
    const toX16 = ordered(
      layers.filter((l) => !int4.has(l.cost.node) && l.fall16 > 0),
      (l) => l.fall16 / Math.max(extra16(l.cost), 1e-12),
    );
    for (let j = 0; j <= toX16.length; j++) {
      const plan: Record<string, LayerPrecision> = {};
      for (const n of int4) plan[n] = 'int4w';
      for (const l of toX16.slice(0, j)) plan[l.cost.node] = '16x8';
      const noise =
        base +
        toInt4.slice(0, i).reduce((s, l) => s + l.rise4, 0) -
        toX16.slice(0, j).reduce((s, l) => s + l.fall16, 0);
      const cost = planCost(costs, plan);
      const { flash } = cost;
      const instructions = cost.instructions + mixingInstructions(f32, plan);
      const point = { sqnrDb: db(Math.max(noise, base * 1e-3)), flash, instructions, int4w: i, x16: j };
      points.push(point);
      const fits =
        flash <= (budgets.flash ?? Infinity) &&
        instructions <= budgets.instructions &&
        point.sqnrDb >= (budgets.minSqnrDb ?? -Infinity) &&
        (budgets.ram === undefined || planRamBytes(f32, plan) <= budgets.ram);
      if (fits) fitting.push({ point, plan });
    }
  }
  const int8 = points[0]!;
  if (fitting.length === 0)
    throw new TinyedgeError('TE208', noChoice(points, budgets, f32, layers.length), { file: f32.source });
  // Single-layer changes need not add up, and bias correction (which the final quantization applies) changes what a
  // layer's precision is worth (MLPerf Tiny's VWW: a plan predicted to gain measured 2 dB below int8 after it). So the
  // best few predictions are quantized as they would ship, bias-corrected on half the calibration inputs and measured on the other half (both ways),
  // beside all-int8, and the best measured one (all-int8 when it fits and none beats it) is the choice.
  const halves = [0, 1].map((h) => calibration.filter((_, k) => k % 2 === h));
  const references = halves.map((xs) => xs.map((x) => runF32(f32, { [f32.inputs[0]!]: x }).get(f32.outputs[0]!)!));
  // Two-fold: biases corrected on one half of the inputs, noise measured on the other (in-sample it flatters a plan).
  const checked = (plan: PrecisionPlan) => {
    let e = 0;
    for (const h of [0, 1]) {
      const q = quantizeGraph(f32, ranges, plan);
      correctBiases(f32, q, halves[1 - h]!);
      e += noiseFraction(q, halves[h]!, references[h]!) / 2;
    }
    step();
    return e;
  };
  const int8Noise = checked({});
  const ranked = fitting.sort((a, b) => b.point.sqnrDb - a.point.sqnrDb || a.point.flash - b.point.flash);
  // With 16×8 layers cheap in instructions, the best predictions may pay an int64 bias past int32 with int4w layers,
  // which can each measure below int8 (KWS, VWW); the best plan without int4w is measured too.
  const withoutInt4 = ranked.find((c) => c.point.int4w === 0 && c.point.x16 > 0);
  const finalists = [...ranked.slice(0, FINALISTS), ...(withoutInt4 ? [withoutInt4] : [])]
    .filter((c, k, all) => all.indexOf(c) === k)
    .map((c) => ({ ...c, noise: Object.keys(c.plan).length === 0 ? int8Noise : checked(c.plan) }));
  onProgress?.(total, total);
  const int8Fits = fitting.some((c) => Object.keys(c.plan).length === 0);
  if (int8Fits) finalists.push({ point: int8, plan: {}, noise: int8Noise });
  const best = finalists.reduce((a, b) => (b.noise < a.noise ? b : a));
  const measured = best.noise;
  return {
    plan: best.plan,
    chosen: best.point,
    measuredSqnrDb: db(measured),
    measuredInt8SqnrDb: db(int8Noise),
    measure,
    int8,
    sensitivity: layers.map((l) => ({
      node: l.cost.node,
      int4wDb: Number.isFinite(l.rise4) ? db(base + l.rise4) : null,
      x16Db: db(base - l.fall16),
    })),
    costs,
    front: paretoFront(points),
    budgets,
  };
}

/** Why nothing fits: each budget that no candidate meets (with the others it does), and by how much. */
function noChoice(points: PrecisionPoint[], budgets: AutoPrecisionResult['budgets'], g: Graph, layers: number): string {
  const int8 = points[0]!;
  const leastFlash = Math.min(...points.map((p) => p.flash));
  const parts = [`no per-layer precision of the ${layers} layers with weights meets the budgets`];
  if (budgets.flash !== undefined && leastFlash > budgets.flash)
    parts.push(
      `the weights need at least ${leastFlash} B (every packed layer int4w), over --budget-flash ${budgets.flash} B`,
    );
  const inFlash = points.filter((p) => p.flash <= (budgets.flash ?? Infinity));
  const leastInstructions = Math.min(...inFlash.map((p) => p.instructions));
  if (inFlash.length > 0 && leastInstructions > budgets.instructions)
    parts.push(
      `within the flash budget the fewest instructions are ${(leastInstructions / int8.instructions).toFixed(2)}× int8's (int4 weights cost more per MAC), over --max-cost ${(budgets.instructions / int8.instructions).toFixed(2)}`,
    );
  if (budgets.minSqnrDb !== undefined) {
    const bestDb = Math.max(...points.filter((p) => p.instructions <= budgets.instructions).map((p) => p.sqnrDb));
    if (bestDb < budgets.minSqnrDb)
      parts.push(`the best predicted output SQNR within the instruction budget is ${bestDb.toFixed(1)} dB`);
  }
  const ram = planRamBytes(g, {});
  if (budgets.ram !== undefined && ram > budgets.ram)
    parts.push(`the largest layer needs ${ram} B of activations at int8, over --budget-ram ${budgets.ram} B`);
  return parts.join('; ');
}
