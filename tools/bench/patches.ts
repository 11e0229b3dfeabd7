/**
 * @fileoverview `tinyedge bench --suite patches --target cortex-m4`: what the memory search (the one compile uses,
 * compile/arena-configurations.ts) buys per model: the peak arena layer-wise (the plan before in place and patches),
 * its lower bound, in place (rings of output rows), and the configuration of smallest arena whose recomputed halo
 * stays within PATCH_MAC_ALLOWANCE of the model's MACs (patches, with rings after the prefix where they help); the
 * extra MACs; and the layer-wise and chosen builds counted under qemu with the instruction plugin (the run between
 * the first and the last layer marker), which must give the same output bytes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cBuildOf, cProject } from '../../compiler/backends/c/project.ts';
import { chooseArena } from '../../compiler/compile/arena-configurations.ts';
import { prepareModel, quantizeWithSamples } from '../../compiler/index.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { modelStats } from '../../compiler/ir/stats.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import type { MemoryPlan } from '../../compiler/plan/plan-memory.ts';
import { table } from '../../compiler/terminal/format.ts';
import { MCU_MODEL } from '../../models/registry.ts';
import { cToolchain, type Target } from '../../targets/target.ts';
import { buildTemporaryProject, runBuild } from '../../targets/toolchain.ts';
import { qemuInsnPlugin } from '../qemu-insn/build.ts';
import { readPluginCounts } from '../qemu-insn/plugin-output.ts';
import { pythonRandomInt8 } from './python-random.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The models of the table: the MCU MobileNetV2, MLPerf Tiny's VWW, TFLM's person_detect, and MobileNetV2 1.0 at 224. */
export const PATCH_BENCH_MODELS = [
  MCU_MODEL,
  resolve(ROOT, 'models/mlperf-tiny/vww_96_int8.tflite'),
  resolve(ROOT, 'models/tflm/person_detect.tflite'),
  'nsfwjs:mobilenet_v2',
];

/** The recomputed halo the table's configuration may cost, as a share of the model's MACs (the goal: ≤ 15% more instructions). */
export const PATCH_MAC_ALLOWANCE = 0.1;

/** One model's line. */
export interface PatchBenchRow {
  model: string;
  macs: number;
  layerWiseArenaBytes: number;
  lowerBoundBytes: number;
  inPlaceArenaBytes: number;
  patches: string;
  patchArenaBytes: number;
  extraMacs: number;
  layerWiseInstructions: number;
  patchInstructions: number;
  sameOutput: boolean;
}

/** Instructions of one run between the first and last layer marker, and the output bytes. */
function countRun(
  g: Graph,
  plan: MemoryPlan,
  x: Int8Array,
  target: Target,
): { instructions: number; output: Uint8Array } {
  const cflags = [...cToolchain(target).cflags, '-DTE_LAYER_MARKERS'];
  const { files } = cProject(g, plan, { ...cBuildOf(target), cflags });
  const dir = buildTemporaryProject(files, target, cflags);
  const [input, output, counts] = ['input.i8', 'output.i8', 'counts.json'].map((f) => join(dir, `bench-${f}`)) as [
    string,
    string,
    string,
  ];
  writeFileSync(input, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
  runBuild(dir, target, input, output, 1, { lib: qemuInsnPlugin(), out: counts });
  const { marks } = readPluginCounts(counts);
  return { instructions: marks[marks.length - 1]! - marks[0]!, output: Uint8Array.from(readFileSync(output)) };
}

/** Plans, builds and counts each model layer-wise and in patches on `target`. */
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
    const choice = chooseArena(g, target, { smallestWithinMacs: PATCH_MAC_ALLOWANCE * macs });
    const figures = (name: string) => choice.configurations.find((c) => c.name === name)!;
    // Layer-wise is the plan chosen with rings and patches both off.
    const layerWise = chooseArena(g, target, { inPlace: false, patches: false }).plan;
    const best = { plan: choice.plan, label: choice.chosen.name, extraMacs: choice.chosen.extraMacs ?? 0 };
    const x = pythonRandomInt8(1, sizeOf(tensorOf(g, g.inputs[0]!).shape));
    log(`${spec}: counting layer-wise and ${best.label} under qemu on ${target.name}…`);
    const before = countRun(g, layerWise, x, target);
    const after = countRun(g, best.plan, x, target);
    rows.push({
      model: spec.startsWith('/') ? spec.slice(ROOT.length) : spec,
      macs,
      layerWiseArenaBytes: layerWise.arenaBytes,
      lowerBoundBytes: layerWise.lowerBoundBytes,
      inPlaceArenaBytes: figures('in-place').arenaBytes,
      patches: best.label,
      patchArenaBytes: best.plan.arenaBytes,
      extraMacs: best.extraMacs,
      layerWiseInstructions: before.instructions,
      patchInstructions: after.instructions,
      sameOutput: before.output.every((v, i) => v === after.output[i]),
    });
  }
  return rows;
}

const pct = (a: number, b: number) => `${a >= b ? '+' : ''}${((100 * (a - b)) / b).toFixed(1)}%`;

/** The table: arenas, lower bound, the configuration, extra MACs and instructions, and whether outputs match. */
export function formatPatchBench(rows: readonly PatchBenchRow[], target: string): string {
  const n = (v: number) => v.toLocaleString('en-US');
  return [
    `memory configurations on ${target}: peak arena layer-wise, in place, and the smallest chosen (patches: halo recomputed, ≤ ${PATCH_MAC_ALLOWANCE * 100}% extra MACs), instructions counted under qemu`,
    table(
      [
        'model',
        'layer-wise B',
        'lower bound B',
        'in-place B',
        'chosen',
        'chosen B',
        'smaller',
        'extra MACs',
        'instructions',
        'patched',
        'same output',
      ],
      rows.map((r) => [
        r.model,
        n(r.layerWiseArenaBytes),
        n(r.lowerBoundBytes),
        n(r.inPlaceArenaBytes),
        r.patches,
        n(r.patchArenaBytes),
        `${(r.layerWiseArenaBytes / r.patchArenaBytes).toFixed(2)}×`,
        `${n(r.extraMacs)} (${pct(r.macs + r.extraMacs, r.macs)})`,
        n(r.layerWiseInstructions),
        `${n(r.patchInstructions)} (${pct(r.patchInstructions, r.layerWiseInstructions)})`,
        r.sameOutput ? 'yes' : 'NO',
      ]),
      [1, 2, 3, 5, 6, 8],
    ),
  ].join('\n');
}
