/**
 * @fileoverview Exact instruction counts of a plan on an emulated target (the Arm Linux targets under qemu's user
 * mode, the Cortex-M boards): the C project is built with layer markers and run once under qemu with the
 * instruction-counting plugin (targets/qemu-insn); the count is the run between the first and the last marker.
 * compile and inspect --target count the layer-wise plan beside the chosen one (what patches cost in instructions);
 * bench --suite patches counts its configurations through here too.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { qemuInsnPlugin } from '../../targets/qemu-insn/build.ts';
import { readPluginCounts } from '../../targets/qemu-insn/plugin-output.ts';
import { cToolchain, type Target } from '../../targets/target.ts';
import { buildTemporaryProject, runBuild } from '../../targets/toolchain.ts';
import { cBuildOf, cProject } from '../backends/c/project.ts';
import { TinyedgeError } from '../errors.ts';
import { type Graph, tensorOf } from '../ir/graph.ts';
import { DTYPE_BYTES, sizeOf } from '../ir/tensor.ts';
import type { MemoryPlan } from '../plan/plan-memory.ts';
import { type ArenaChoice, chooseArena } from './arena-configurations.ts';

/** Whether instructions can be counted on `target`: a C target that runs under qemu. */
export function countsInstructions(target: Target): boolean {
  return target.backend === 'c' && (target.run.kind === 'qemu-user' || target.run.kind === 'qemu-system');
}

/** Instructions of one run between the first and the last layer marker, and the output bytes. */
export function countPlanRun(
  g: Graph,
  plan: MemoryPlan,
  input: Uint8Array,
  target: Target,
): { instructions: number; output: Uint8Array } {
  const cflags = [...cToolchain(target).cflags, '-DTE_LAYER_MARKERS'];
  const { files } = cProject(g, plan, { ...cBuildOf(target), cflags });
  const dir = buildTemporaryProject(files, target, cflags);
  try {
    const [inputFile, outputFile, counts] = ['input.i8', 'output.i8', 'counts.json'].map((f) =>
      join(dir, `count-${f}`),
    );
    writeFileSync(inputFile!, input);
    runBuild(dir, target, inputFile!, outputFile!, 1, { lib: qemuInsnPlugin(), out: counts! });
    const { marks } = readPluginCounts(counts!);
    return { instructions: marks[marks.length - 1]! - marks[0]!, output: Uint8Array.from(readFileSync(outputFile!)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The layer-wise build's instructions and the chosen one's, or why they could not be counted. */
export type PlanInstructions = { layerWise: number; chosen: number } | { unavailable: string };

/**
 * A fixed input for counting: the kernels' instruction counts do not depend on the values (no data-dependent
 * branches in the int8 kernels), so any bytes do; these vary so that no kernel sees one constant.
 */
function countingInput(g: Graph): Uint8Array {
  const t = tensorOf(g, g.inputs[0]!);
  return Uint8Array.from({ length: sizeOf(t.shape) * DTYPE_BYTES[t.dtype] }, (_, i) => (i * 89 + 7) & 0xff);
}

/**
 * Counts the layer-wise plan (rings and patches off, the input where `choice` keeps it) and `choice`'s plan on an
 * emulated target; `step` is told each finished build or run. A missing cross compiler, qemu or plugin header
 * (TE503) comes back as `unavailable`: the count is a figure of the report, not a condition of the build.
 */
export function countPlanInstructions(
  g: Graph,
  choice: ArenaChoice,
  target: Target,
  step: (done: number, total: number) => void = () => {},
): PlanInstructions {
  const input = countingInput(g);
  const same = choice.chosen.name === 'layer-wise';
  const total = same ? 1 : 2;
  try {
    const callerInput = choice.plan.callerInput ? { callerInput: true } : {};
    const layerWise = same
      ? choice.plan
      : chooseArena(g, target, { inPlace: false, patches: false, ...callerInput }).plan;
    const before = countPlanRun(g, layerWise, input, target).instructions;
    step(1, total);
    const chosen = same ? before : countPlanRun(g, choice.plan, input, target).instructions;
    step(total, total);
    return { layerWise: before, chosen };
  } catch (e) {
    if (e instanceof TinyedgeError && e.code === 'TE503') return { unavailable: e.message };
    throw e;
  }
}
