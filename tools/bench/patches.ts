/**
 * @fileoverview `tinyedge bench --suite patches --target cortex-m4`: what the memory search (the one compile uses,
 * compile/arena-configurations.ts) buys per model: the peak arena layer-wise (the plan before in place and patches),
 * its lower bound, in place (rings of output rows), and the configuration of smallest arena whose recomputed halo
 * stays within PATCH_MAC_ALLOWANCE of the model's MACs (patches, with rings after the prefix where they help); the
 * extra MACs; and the layer-wise and chosen builds counted under qemu with the instruction plugin (the run between
 * the first and the last layer marker), which must give the same output bytes.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ArenaOptions, chooseArena } from '../../compiler/compile/arena-configurations.ts';
import { countPlanRun } from '../../compiler/compile/count-instructions.ts';
import { prepareModel, quantizeWithSamples } from '../../compiler/index.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { modelStats } from '../../compiler/ir/stats.ts';
import { DTYPE_BYTES, sizeOf } from '../../compiler/ir/tensor.ts';
import { table } from '../../compiler/terminal/format.ts';
import { MCU_MODEL } from '../../models/registry.ts';
import type { Target } from '../../targets/target.ts';
import { pythonRandomInt8 } from './python-random.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The models of the table: the MCU MobileNetV2, MLPerf Tiny's VWW, TFLM's person_detect, and MobileNetV2 1.0 at 224. */
export const PATCH_BENCH_MODELS = [
  MCU_MODEL,
  resolve(ROOT, 'models/mlperf-tiny/vww_96_int8.tflite'),
  resolve(ROOT, 'models/tflm/person_detect.tflite'),
  'nsfwjs:mobilenet_v2',
];

/** Issue 21's goal per model: the arena this many times below layer-wise (4× on MobileNetV2, 2.5× on the others). */
export function goalRatioOf(spec: string): number {
  return /mobilenet_v2/.test(spec) ? 4 : 2.5;
}

/** The recomputed halo the table's configuration may cost, as a share of the model's MACs (the goal: ≤ 15% more instructions). */
export const PATCH_MAC_ALLOWANCE = 0.1;

/** One footing's chosen configuration: its name, arena, recomputed MACs and instructions. */
export interface PatchBenchChoice {
  patches: string;
  arenaBytes: number;
  /** The arena with input left out of it (`callerInput`) on this footing: layer-wise, for the ratio. */
  layerWiseArenaBytes: number;
  extraMacs: number;
  instructions: number;
  sameOutput: boolean;
}

/** One model's line. */
export interface PatchBenchRow {
  model: string;
  macs: number;
  inputBytes: number;
  lowerBoundBytes: number;
  inPlaceArenaBytes: number;
  layerWiseInstructions: number;
  /** The input in the arena. */
  inArena: PatchBenchChoice;
  /** The input in the caller's buffer, outside the arena (layer-wise too). */
  callerInput: PatchBenchChoice;
  /** What compile chooses (fewest extra MACs that fit) for a RAM budget of the caller's-buffer layer-wise ÷ the goal's ratio. */
  atGoal: PatchBenchChoice & { budgetBytes: number };
}

/** Plans, builds and counts each model layer-wise and in patches on `target`, with the input in the arena and out of it. */
export async function benchPatches(
  specs: readonly string[],
  target: Target,
  log: (s: string) => void,
): Promise<PatchBenchRow[]> {
  const rows: PatchBenchRow[] = [];
  for (const spec of specs) {
    log(`${spec}: quantizing, planning every patch configuration…`);
    const g = (await quantizeWithSamples(prepareModel(spec))).graph;
    const macs = modelStats(g).totals.macs;
    const inputShape = tensorOf(g, g.inputs[0]!).shape;
    const random = pythonRandomInt8(1, sizeOf(inputShape));
    const x = new Uint8Array(random.buffer, random.byteOffset, random.byteLength);
    log(`${spec}: counting layer-wise under qemu on ${target.name}…`);
    // Layer-wise is the plan chosen with rings and patches both off.
    const layerWise = chooseArena(g, target, { inPlace: false, patches: false }).plan;
    const callerLayerWise = chooseArena(g, target, { inPlace: false, patches: false, callerInput: true }).plan;
    const before = countPlanRun(g, layerWise, x, target);
    const footing = (options: ArenaOptions & { callerInput: boolean }, what: string): PatchBenchChoice => {
      const choice = chooseArena(g, target, options);
      const base = options.callerInput ? callerLayerWise : layerWise;
      log(`${spec}: counting ${choice.chosen.name} (${what})…`);
      const after = countPlanRun(g, choice.plan, x, target);
      return {
        patches: choice.chosen.name,
        arenaBytes: choice.plan.arenaBytes,
        layerWiseArenaBytes: base.arenaBytes,
        extraMacs: choice.chosen.extraMacs ?? 0,
        instructions: after.instructions,
        sameOutput: before.output.every((v, i) => v === after.output[i]),
      };
    };
    const smallest = { smallestWithinMacs: PATCH_MAC_ALLOWANCE * macs };
    const budgetBytes = Math.floor(callerLayerWise.arenaBytes / goalRatioOf(spec));
    const budget = { bytes: budgetBytes, name: `the goal's budget (layer-wise ÷ ${goalRatioOf(spec)})` };
    rows.push({
      model: spec.startsWith('/') ? spec.slice(ROOT.length) : spec,
      macs,
      inputBytes: sizeOf(inputShape) * DTYPE_BYTES[tensorOf(g, g.inputs[0]!).dtype],
      lowerBoundBytes: layerWise.lowerBoundBytes,
      inPlaceArenaBytes: chooseArena(g, target).configurations.find((c) => c.name === 'in-place')!.arenaBytes,
      layerWiseInstructions: before.instructions,
      inArena: footing({ ...smallest, callerInput: false }, 'input in the arena'),
      callerInput: footing({ ...smallest, callerInput: true }, "input in the caller's buffer"),
      atGoal: { ...footing({ budget, callerInput: true }, `the goal's budget, ${budgetBytes} B`), budgetBytes },
    });
  }
  return rows;
}

const pct = (a: number, b: number) => `${a >= b ? '+' : ''}${((100 * (a - b)) / b).toFixed(1)}%`;

/** The table: per footing the layer-wise and chosen arenas (and per model the in-place arena and the lower bound), the configuration, extra MACs and instructions, and whether outputs match. */
export function formatPatchBench(rows: readonly PatchBenchRow[], target: string): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const lines = (r: PatchBenchRow, footing: 'inArena' | 'callerInput' | 'atGoal') => {
    const c = r[footing];
    return [
      r.model,
      {
        inArena: 'in the arena',
        callerInput: "caller's buffer",
        atGoal: `caller's, budget ${n(r.atGoal.budgetBytes)}`,
      }[footing],
      n(c.layerWiseArenaBytes),
      footing === 'inArena' ? n(r.inPlaceArenaBytes) : '',
      footing === 'inArena' ? n(r.lowerBoundBytes) : '',
      c.patches,
      n(c.arenaBytes),
      `${(c.layerWiseArenaBytes / c.arenaBytes).toFixed(2)}×`,
      footing === 'inArena'
        ? ''
        : `${n(c.arenaBytes + r.inputBytes)} (${((c.layerWiseArenaBytes + r.inputBytes) / (c.arenaBytes + r.inputBytes)).toFixed(2)}×)`,
      `${n(c.extraMacs)} (${pct(r.macs + c.extraMacs, r.macs)})`,
      n(r.layerWiseInstructions),
      `${n(c.instructions)} (${pct(c.instructions, r.layerWiseInstructions)})`,
      c.sameOutput ? 'yes' : 'NO',
    ];
  };
  return [
    `memory configurations on ${target}: peak arena layer-wise, in place (no patches) and its lower bound (whole tensors), and the smallest chosen (patches: ≤ ${PATCH_MAC_ALLOWANCE * 100}% extra MACs, the halo's columns recomputed, its rows cached), instructions counted under qemu;`,
    "each model with the input in the arena, and in the caller's buffer (--caller-input; layer-wise leaves it out too, and '+ input' adds it back to both);",
    "then what compile --caller-input --budget-ram B picks (fewest extra MACs that fit) for B = layer-wise ÷ issue 21's goal (4× on MobileNetV2, 2.5× on the others)",
    table(
      [
        'model',
        'input',
        'layer-wise B',
        'in-place B',
        'lower bound B',
        'chosen',
        'chosen B',
        'smaller',
        '+ input B',
        'extra MACs',
        'layer-wise instr.',
        'chosen instr.',
        'same output',
      ],
      rows.flatMap((r) => [lines(r, 'inArena'), lines(r, 'callerInput'), lines(r, 'atGoal')]),
      [2, 3, 4, 6, 7, 9, 10],
    ),
  ].join('\n');
}
