/**
 * @fileoverview `tinyedge bench --suite patches --target cortex-m4`: what patch-based execution (compiler/plan/patch/)
 * buys per model: the peak arena layer-wise (today's plan), its lower bound, and with the patch configuration of
 * smallest arena whose recomputed halo stays within PATCH_MAC_ALLOWANCE of the model's MACs; the extra MACs; and
 * both builds counted under qemu with the instruction plugin (the run between the first and the last layer marker),
 * which must give the same output bytes. The in-place depthwise column waits for that option of the budget search.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cBuildOf, cProject } from '../../compiler/backends/c/project.ts';
import { cScratchBytes } from '../../compiler/backends/c/render-nodes.ts';
import { prepareModel, quantizeWithSamples } from '../../compiler/index.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { modelStats } from '../../compiler/ir/stats.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import { memoryOptionsOf, patchLabel } from '../../compiler/plan/patch/choose-memory.ts';
import { planPatches } from '../../compiler/plan/patch/patch-plan.ts';
import { type MemoryPlan, planMemory } from '../../compiler/plan/plan-memory.ts';
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

/** How many of the quickly ranked options are planned again with the slide search. */
const BENCH_REPLANS = 4;

/** One model's line. */
export interface PatchBenchRow {
  model: string;
  macs: number;
  layerWiseArenaBytes: number;
  lowerBoundBytes: number;
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
    const layerWise = planMemory(g, cScratchBytes);
    // Ranked by two quick placements (no convolution sliding over its input, or every one); the BENCH_REPLANS
    // smallest are planned again with the slide search, which only shrinks them, and the smallest of those is shown.
    const quick = memoryOptionsOf(g)
      .flatMap((option) => {
        if (option.kind !== 'patches') return [];
        const patches = planPatches(g, option.config);
        const extraMacs = patches.patchMacs - patches.prefixMacs;
        if (extraMacs > PATCH_MAC_ALLOWANCE * macs) return [];
        const bytes = Math.min(
          ...(['none', 'every'] as const).map((slide) => planMemory(g, cScratchBytes, { patches, slide }).arenaBytes),
        );
        return [{ bytes, label: patchLabel(option.config), extraMacs, patches }];
      })
      .sort((a, b) => a.bytes - b.bytes)
      .slice(0, BENCH_REPLANS);
    const best = quick
      .map((q) => ({ ...q, plan: planMemory(g, cScratchBytes, { patches: q.patches }) }))
      .reduce<{ plan: MemoryPlan; label: string; extraMacs: number } | undefined>(
        (a, b) => (a && a.plan.arenaBytes <= b.plan.arenaBytes ? a : b),
        undefined,
      );
    const x = pythonRandomInt8(1, sizeOf(tensorOf(g, g.inputs[0]!).shape));
    log(`${spec}: counting layer-wise and ${best?.label ?? 'no patches'} under qemu on ${target.name}…`);
    const before = countRun(g, layerWise, x, target);
    const after = best ? countRun(g, best.plan, x, target) : before;
    rows.push({
      model: spec.startsWith('/') ? spec.slice(ROOT.length) : spec,
      macs,
      layerWiseArenaBytes: layerWise.arenaBytes,
      lowerBoundBytes: layerWise.lowerBoundBytes,
      patches: best?.label ?? 'none',
      patchArenaBytes: best?.plan.arenaBytes ?? layerWise.arenaBytes,
      extraMacs: best?.extraMacs ?? 0,
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
    `patch-based execution on ${target}: peak arena layer-wise vs in patches (halo recomputed, ≤ ${PATCH_MAC_ALLOWANCE * 100}% extra MACs), instructions counted under qemu`,
    table(
      [
        'model',
        'layer-wise B',
        'lower bound B',
        'in-place dw B',
        'patches',
        'patched B',
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
        'not yet',
        r.patches,
        n(r.patchArenaBytes),
        `${(r.layerWiseArenaBytes / r.patchArenaBytes).toFixed(2)}×`,
        `${n(r.extraMacs)} (${pct(r.macs + r.extraMacs, r.macs)})`,
        n(r.layerWiseInstructions),
        `${n(r.patchInstructions)} (${pct(r.patchInstructions, r.layerWiseInstructions)})`,
        r.sameOutput ? 'yes' : 'NO',
      ]),
      [1, 2, 5, 6, 8],
    ),
  ].join('\n');
}
