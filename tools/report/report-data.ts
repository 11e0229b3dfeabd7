/**
 * @fileoverview Everything `tinyedge report` knows about a model on a target, as one plain data object: the page
 * embeds it and draws it, `--json` prints it, so the two cannot disagree. Each figure comes from the function the
 * other commands print it with: layer statistics (inspect), the arena compile would build (chooseArena), per-layer
 * instructions under qemu (bench's benchEmulated) or per-layer WebAssembly times (wasm-layer-times.ts), the
 * quantization report (quantize) and the split plan (offload plan's planSplit and costs). A section that needs what
 * this machine lacks (a toolchain, a float model) holds the reason instead of its figures.
 */
import { type BenchRequest, inputTensor, integerInputOf } from '../../compiler/api/bench-request.ts';
import { cwtFrontEndOf } from '../../compiler/audio/cwt-front-end.ts';
import { chooseArena } from '../../compiler/compile/arena-configurations.ts';
import { TinyedgeError } from '../../compiler/errors.ts';
import { calibrationFiles, evaluationInputs, type LoadedModel, refuseAudioOffload } from '../../compiler/index.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { modelStats } from '../../compiler/ir/stats.ts';
import { DTYPE_BYTES, formatShape, sizeOf } from '../../compiler/ir/tensor.ts';
import type { PlacedPiece } from '../../compiler/plan/plan-memory.ts';
import { cutCandidates } from '../../compiler/plan/split/cut-candidates.ts';
import { type Link, planSplit, type SplitRow } from '../../compiler/plan/split/plan-split.ts';
import type { AutoPrecisionResult } from '../../compiler/quantize/auto-precision.ts';
import { type LayerPrecision, precisionOfNode } from '../../compiler/quantize/precision-plan.ts';
import { type LayerReport, quantizationReport } from '../../compiler/quantize/report.ts';
import type { Target } from '../../targets/target.ts';
import { benchEmulated, type EmulatedBenchResult } from '../bench/emulated.ts';
import { timeHostLayers } from '../bench/host-layer-times.ts';
import { type LayerTime, timeWasmLayers } from '../bench/wasm-layer-times.ts';
import { sumBefore } from '../offload/split-costs.ts';

/** A section's figures, or why this machine or model cannot give them. */
export type Section<T> = T | { unavailable: string };

/** Per-layer cost: instructions counted under qemu, or wall time of each layer here (the host's C build, or WebAssembly in this process). */
export type CostSection =
  | {
      kind: 'instructions';
      layers: EmulatedBenchResult['layers'];
      totals: EmulatedBenchResult['totals'];
      limit: Target['limit'] | null;
      sameOutput: boolean;
    }
  | { kind: 'time'; build: 'c' | 'webassembly'; runs: number; layers: LayerTime[]; totalMs: number };

/** The memory plan as drawn: every piece at its offset over its steps, the peak and the lower bound. */
export interface ArenaSection {
  configuration: string;
  arenaBytes: number;
  lowerBoundBytes: number;
  steps: number;
  pieces: PlacedPiece[];
  /** With patch-based execution: the grid and the last node of the prefix run cell by cell. */
  patches?: { rows: number; cols: number; split: number };
}

/** The split plan at one link: head, network and tail per cut, the best one. */
export interface SplitSection {
  bandwidth: string;
  rtt: string;
  link: Link;
  /** Where the head and tail times come from. */
  note: string;
  rows: {
    cut: number;
    after: number;
    kind: SplitRow['kind'];
    wireBytes: number;
    headMs: number;
    networkMs: number;
    tailMs: number;
    totalMs: number;
  }[];
  best: number;
}

/** What the page shows and --json prints. */
export interface ReportData {
  model: string;
  target: string;
  input: string;
  summary: {
    nodes: number;
    macs: number;
    params: number;
    arenaBytes: number;
    lowerBoundBytes: number;
    ramBytes: number | null;
    weightBytes: number | null;
    codeBytes: number | null;
    flashBytes: number | null;
    /** Per inference on the target: instructions (and estimated cycles, ms at its clock) or measured ms here. */
    latency: { instructions?: number; estimatedCycles?: number; ms?: number; how: string } | null;
  };
  layers: {
    index: number;
    name: string;
    op: string;
    shape: string;
    macs: number;
    params: number;
    activationBytes: number;
  }[];
  cost: Section<CostSection>;
  quantization: Section<{ inputs: number; layers: LayerReport[]; outputSqnrDb: number; top1Agreement: number }>;
  precision: Section<PrecisionSection>;
  arena: ArenaSection;
  split: Section<SplitSection>;
}

/**
 * Each layer's precision in the quantized graph (int8, 16×8, int4w; the requantize nodes between types are layers
 * too) and, when `--precision auto` chose them, what it chose from: the predicted output SQNR, weight bytes and
 * instructions of all-int8, of the choice and of every candidate on the Pareto front, and the budgets.
 */
export interface PrecisionSection {
  layers: { index: number; name: string; op: string; precision: LayerPrecision }[];
  auto?: Pick<AutoPrecisionResult, 'chosen' | 'int8' | 'front' | 'budgets' | 'sensitivity'>;
}

/** What the report is asked for, checked: the model as loaded (float or int8) and quantized, the target, the input. */
export interface ReportRequest {
  request: BenchRequest;
  /** The model before quantization (for the quantization report), the same as `int8` for an int8 model. */
  float: LoadedModel;
  /** Quantized here (with `--precision auto`: its choice) or as loaded. */
  int8: LoadedModel & { autoPrecision?: AutoPrecisionResult };
  target: Target;
  calibration?: string[];
  runs: number;
  link: Link & { bandwidth: string; rtt: string };
}

/** Steps of the gathering, for progress bars: each reports its fraction done. */
export type ReportProgress = (
  step: 'quantization report' | 'counting under qemu' | 'timing C layers' | 'timing WebAssembly layers',
  done: number,
  total: number,
) => void;

/** A toolchain or run that is missing here becomes the section's reason, anything else fails the report. */
async function orUnavailable<T>(f: () => T | Promise<T>): Promise<Section<T>> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof TinyedgeError && /^TE(50[23]|8\d\d)$/.test(e.code)) return { unavailable: e.message };
    throw e;
  }
}

const EMULATED = new Set(['qemu-user', 'qemu-system']);

/** Gathers every section of the report. */
export async function gatherReport(r: ReportRequest, progress: ReportProgress): Promise<ReportData> {
  const { int8, target } = r;
  const g = int8.graph;
  const stats = modelStats(g);
  const emulated = EMULATED.has(target.run.kind);
  const counted = emulated
    ? await orUnavailable(() => {
        const t = inputTensor(int8);
        const front = int8.audio ? cwtFrontEndOf(g, int8.audio) : undefined;
        const x = r.request.input.kind === 'audio' ? r.request.input.pcm : integerInputOf(r.request.input, t);
        let builds = 0;
        progress('counting under qemu', 0, 2);
        return benchEmulated(g, x, target, () => progress('counting under qemu', builds++, 2), front);
      })
    : undefined;
  // The host's C build timed layer by layer (the same markers qemu counts between).
  const hostTimed =
    target.run.kind === 'native' && !int8.audio
      ? await orUnavailable(() => {
          progress('timing C layers', 0, r.runs);
          const x = integerInputOf(r.request.input, inputTensor(int8));
          return timeHostLayers(int8, x, target, r.runs, (done) => progress('timing C layers', done, r.runs));
        })
      : undefined;
  // WebAssembly layer times: the cost on wasm32, and the edge server's side of a split on any device.
  const timed = int8.audio
    ? undefined
    : await timeWasmLayers(g, r.runs, (done) => progress('timing WebAssembly layers', done, r.runs));
  const timeCost = (build: 'c' | 'webassembly', layers: LayerTime[]): CostSection => ({
    kind: 'time',
    build,
    runs: r.runs,
    layers,
    totalMs: layers.reduce((s, l) => s + l.ms, 0),
  });
  const cost: Section<CostSection> = counted
    ? 'unavailable' in counted
      ? counted
      : {
          kind: 'instructions',
          layers: counted.layers,
          totals: counted.totals,
          limit: target.limit ?? null,
          sameOutput: counted.sameOutput,
        }
    : hostTimed
      ? 'unavailable' in hostTimed
        ? hostTimed
        : timeCost('c', hostTimed.layers)
      : target.name === 'wasm32' && timed
        ? timeCost('webassembly', timed.layers)
        : {
            unavailable: `per-layer cost is measured on an emulated Arm target (instructions under qemu), on the host (its C build timed layer by layer) or on wasm32 (layer times in WebAssembly); ${target.name} is none of these`,
          };
  const choice = chooseArena(g, target, { patches: !int8.audio });
  const plan = choice.plan;
  // Weights and code of the build the cost was measured on.
  const built =
    counted && !('unavailable' in counted)
      ? counted.memory
      : hostTimed && !('unavailable' in hostTimed)
        ? hostTimed
        : target.name === 'wasm32' && timed
          ? { weightBytes: timed.dataBytes, codeBytes: timed.codeBytes }
          : undefined;
  return {
    model: r.request.spec,
    target: target.name,
    input: r.request.input.label,
    summary: {
      nodes: stats.totals.nodes,
      macs: stats.totals.macs,
      params: stats.totals.params,
      arenaBytes: plan.arenaBytes,
      lowerBoundBytes: plan.lowerBoundBytes,
      ramBytes: target.memory?.ramBytes ?? null,
      weightBytes: built?.weightBytes ?? null,
      codeBytes: built?.codeBytes ?? null,
      flashBytes: target.memory?.flashBytes ?? null,
      latency: latencyOf(cost, target),
    },
    layers: stats.nodes.map((s, i) => ({
      index: i,
      name: s.name,
      op: s.op,
      shape: formatShape(s.outputShape),
      macs: s.macs,
      params: s.params,
      activationBytes: s.activationBytes,
    })),
    cost,
    quantization: await quantizationSection(r, progress),
    precision: precisionSection(int8),
    arena: {
      configuration: choice.chosen.name,
      arenaBytes: plan.arenaBytes,
      lowerBoundBytes: plan.lowerBoundBytes,
      steps: g.nodes.length,
      pieces: plan.pieces,
      ...(plan.patches
        ? { patches: { rows: plan.patches.rows, cols: plan.patches.cols, split: plan.patches.split } }
        : {}),
    },
    split: splitSection(r, cost, timed?.layers),
  };
}

/** Each layer's precision, and auto's choice; a graph all of one type says so instead (there is nothing to draw). */
function precisionSection(int8: ReportRequest['int8']): Section<PrecisionSection> {
  const g = int8.graph;
  const layers = g.nodes.map((node, index) => ({
    index,
    name: node.name,
    op: node.op,
    precision: precisionOfNode(g, node),
  }));
  const auto = int8.autoPrecision;
  if (!auto && new Set(layers.map((l) => l.precision)).size === 1)
    return {
      unavailable: `every layer runs at ${layers[0]?.precision ?? 'int8'}: --precision layer=int8|16x8|int4w,… or --precision auto chooses per layer`,
    };
  return {
    layers,
    ...(auto && {
      auto: {
        chosen: auto.chosen,
        int8: auto.int8,
        front: auto.front,
        budgets: auto.budgets,
        sensitivity: auto.sensitivity,
      },
    }),
  };
}

/** The summary's latency line: instructions (and the cycle estimate) on an emulated core, the sum of layer times on the host and wasm32. */
function latencyOf(cost: Section<CostSection>, target: Target): ReportData['summary']['latency'] {
  if ('unavailable' in cost) return null;
  if (cost.kind === 'time')
    return {
      ms: cost.totalMs,
      how: `sum of per-layer medians ${cost.build === 'c' ? 'of the C build' : 'in WebAssembly'} on this machine (${cost.runs} run${cost.runs === 1 ? '' : 's'})`,
    };
  const t = cost.totals;
  const clock = target.clockHz;
  const cycles = t.estimatedCycles;
  return {
    instructions: t.instructions,
    ...(cycles !== undefined ? { estimatedCycles: cycles } : {}),
    ...(clock ? { ms: (1000 * (cycles ?? t.instructions)) / clock } : {}),
    how: clock
      ? `${cycles !== undefined ? 'estimated cycles' : 'instructions at one per cycle'} at ${clock / 1e6} MHz`
      : 'instructions counted under qemu',
  };
}

/** The quantization report on held-out crops of the calibration photos (one each), as `quantize` measures it. */
async function quantizationSection(r: ReportRequest, progress: ReportProgress): Promise<ReportData['quantization']> {
  if (r.float.quantized)
    return {
      unavailable: 'the model is already int8: the quantization report compares the int8 graph with its float model',
    };
  const inputs = await evaluationInputs(r.float, calibrationFiles(r.float, r.calibration), 1);
  progress('quantization report', 0, inputs.length);
  const q = quantizationReport(r.float.graph, r.int8.graph, inputs, (done) =>
    progress('quantization report', done, inputs.length),
  );
  return { inputs: q.images, layers: q.layers, outputSqnrDb: q.output.sqnrDb, top1Agreement: q.top1Agreement };
}

/**
 * The split plan: the head of each cut on the device (its counted instructions at its clock, or its WebAssembly layer
 * times on wasm32), the tail on this machine as the edge server (the same WebAssembly layer times), the network at the
 * chosen link.
 */
function splitSection(
  r: ReportRequest,
  cost: Section<CostSection>,
  serverLayers: LayerTime[] | undefined,
): ReportData['split'] {
  const g = r.int8.graph;
  try {
    refuseAudioOffload(r.int8);
  } catch (e) {
    return { unavailable: (e as Error).message };
  }
  if (!serverLayers || 'unavailable' in cost)
    return { unavailable: 'the split plan needs the per-layer cost on the device (see the cost section)' };
  const clock = r.target.clockHz;
  if (cost.kind === 'instructions' && !clock)
    return { unavailable: `target ${r.target.name} has no clock in its profile` };
  let cuts: ReturnType<typeof cutCandidates>;
  try {
    cuts = cutCandidates(g);
  } catch (e) {
    if (e instanceof TinyedgeError) return { unavailable: e.message };
    throw e;
  }
  const device =
    cost.kind === 'instructions'
      ? cost.layers.map((l) => (1000 * l.instructions) / (clock as number))
      : cost.layers.map((l) => l.ms);
  const server = serverLayers.map((l) => l.ms);
  const total = sumBefore(server, server.length);
  const out = tensorOf(g, g.outputs[0]!);
  const { rows, best } = planSplit(
    cuts,
    {
      headMs: cuts.map((c) => sumBefore(device, c.after)),
      tailMs: cuts.map((c) => total - sumBefore(server, c.after)),
      answerBytes: sizeOf(out.shape) * DTYPE_BYTES[out.dtype],
    },
    r.link,
  );
  return {
    bandwidth: r.link.bandwidth,
    rtt: r.link.rtt,
    link: { bitsPerSecond: r.link.bitsPerSecond, rttMs: r.link.rttMs },
    note:
      cost.kind === 'instructions'
        ? `head: the device's counted instructions at ${(clock as number) / 1e6} MHz, one per cycle; tail: this machine's per-layer WebAssembly times`
        : cost.build === 'c'
          ? "head: the C build's per-layer times on this machine; tail: this machine's per-layer WebAssembly times"
          : 'head and tail: per-layer WebAssembly times on this machine (device and edge server alike; `offload plan` prices a slower device)',
    rows: rows.map((x) => ({
      cut: x.cut.id,
      after: x.cut.after,
      kind: x.kind,
      wireBytes: x.wireBytes,
      headMs: x.headMs,
      networkMs: x.networkMs,
      tailMs: x.tailMs,
      totalMs: x.totalMs,
    })),
    best: best.cut.id,
  };
}
