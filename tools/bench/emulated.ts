/**
 * @fileoverview `tinyedge bench --target T` for a target that runs under qemu: instructions, not time (wall time
 * under emulation says nothing about a device). The model is built twice with layer markers, with the target's
 * optimized kernels and with the reference kernels, and run once each under qemu with the instruction-counting
 * plugin (targets/qemu-insn); the table gives each layer's MACs, instructions of both builds, and MACs per
 * instruction against the ISA's limit from the target profile. Both builds must give the same output bytes. On a
 * Cortex-M core with a cycle table (targets/qemu-insn/cycle-costs.ts), the optimized build's instruction classes also
 * give estimated cycles per layer (zero-wait-state memory), printed beside the exact counts.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CwtFrontEnd } from '../../compiler/audio/cwt-front-end.ts';
import { cwtMacs } from '../../compiler/audio/cwt-kernels.ts';
import { AUDIO_OBJECTS, cAudioProject } from '../../compiler/backends/c/audio-project.ts';
import { chooseKernels, familiesOf, kernelLayoutsOf } from '../../compiler/backends/c/kernel-table.ts';
import { cBuildOf, cProject, kernelSources } from '../../compiler/backends/c/project.ts';
import { cScratchQuery } from '../../compiler/backends/c/render-nodes.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { modelStats } from '../../compiler/ir/stats.ts';
import { formatShape } from '../../compiler/ir/tensor.ts';
import { tupleOf } from '../../compiler/ir/tuple.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import type { Activations } from '../../compiler/reference/integer/conv.ts';
import { table } from '../../compiler/terminal/format.ts';
import { qemuInsnPlugin } from '../../targets/qemu-insn/build.ts';
import { CYCLE_COSTS, CYCLE_ESTIMATE_NOTE } from '../../targets/qemu-insn/cycle-costs.ts';
import { type CounterCounts, estimateCycles } from '../../targets/qemu-insn/cycle-estimate.ts';
import { countsBetween, readPluginCounts } from '../../targets/qemu-insn/plugin-output.ts';
import { cToolchain, type Target } from '../../targets/target.ts';
import { buildTemporaryProject, runBuild, textBytes } from '../../targets/toolchain.ts';
import { type TflmFigures, tflmArenaBytesOn } from './tflm-figures.ts';

/** What the emulated benchmark counted. */
export interface EmulatedBenchResult {
  target: string;
  layers: {
    index: number;
    name: string;
    op: string;
    shape: string;
    macs: number;
    refInstructions: number;
    instructions: number;
    /** With a cycle table: the optimized build's estimated cycles and its instructions per class. */
    estimatedCycles?: number;
    instructionClasses?: CounterCounts;
  }[];
  /** An audio model's CWT front end, run before the layers (and counted in the totals). */
  frontEnd?: { macs: number; refInstructions: number; instructions: number; estimatedCycles?: number };
  totals: {
    macs: number;
    refInstructions: number;
    instructions: number;
    programInstructions: number;
    estimatedCycles?: number;
  };
  /** Which core's table priced the estimate, and what it assumes. */
  cycleEstimate?: { core: string; note: string; sources: string[] };
  /** The optimized build's memory: planned arena, const weights (with folded biases and multipliers), code. */
  memory: { arenaBytes: number; weightBytes: number; codeBytes: number };
  limit: Target['limit'];
  clockHz: number | null;
  sameOutput: boolean;
  /** The optimized build's output values (int8, or int16 for a 16×8 model). */
  output: number[];
}

/**
 * One build with layer markers, run once under qemu with the plugin: per-layer instruction counts and the output's
 * bytes (the offload planner reads the counts too). With an audio front end, x is the PCM clip and the CWT, marked
 * before the layers, is counted as `frontEnd`.
 */
export function countLayers(
  g: Graph,
  x: Activations,
  target: Target,
  kernels: string[],
  front?: CwtFrontEnd,
): {
  perLayer: number[];
  frontEnd: number;
  total: number;
  output: Uint8Array;
  memory: EmulatedBenchResult['memory'];
  /** On a 32-bit Arm guest: the counters per class of each layer and of the front end. */
  perLayerCounts?: CounterCounts[];
  frontEndCounts?: CounterCounts;
} {
  const build = { ...cBuildOf(target), kernels: chooseKernels(kernels, target.name) };
  const cflags = [...cToolchain(target).cflags, '-DTE_LAYER_MARKERS'];
  const plan = planMemory(g, cScratchQuery(kernelLayoutsOf(build.kernels)));
  const project = front ? cAudioProject(g, plan, { ...build, cflags }, front) : cProject(g, plan, { ...build, cflags });
  const dir = buildTemporaryProject(project.files, target, cflags);
  const objects = [
    'model.o',
    ...kernelSources(project.kernels, familiesOf(g)).map((s) => s.replace(/\.c$/, '.o')),
    ...(front ? AUDIO_OBJECTS : []),
  ];
  const memory = {
    arenaBytes: plan.arenaBytes,
    weightBytes: project.weightBytes,
    codeBytes: textBytes(dir, objects, target),
  };
  const [input, output, counts] = tupleOf(
    ['input.i8', 'output.i8', 'counts.json'].map((f) => join(dir, `bench-${f}`)),
    3,
  );
  writeFileSync(input, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
  runBuild(dir, target, input, output, 1, { lib: qemuInsnPlugin(), out: counts });
  const { instructions, marks, counterMarks: at } = readPluginCounts(counts);
  const first = front ? 1 : 0;
  if (marks.length !== g.nodes.length + 1 + first)
    throw new Error(`internal: expected ${g.nodes.length + 1 + first} layer marks, the plugin saw ${marks.length}`);
  return {
    ...(at
      ? {
          perLayerCounts: g.nodes.map((_, i) => countsBetween(at[first + i]!, at[first + i + 1]!)),
          ...(front ? { frontEndCounts: countsBetween(at[0]!, at[1]!) } : {}),
        }
      : {}),
    perLayer: g.nodes.map((_, i) => marks[first + i + 1]! - marks[first + i]!),
    frontEnd: front ? marks[1]! - marks[0]! : 0,
    total: instructions,
    output: Uint8Array.from(readFileSync(output)),
    memory,
  };
}

/** The output file's values: int8 bytes, or little-endian int16 pairs. */
function outputValues(bytes: Uint8Array, dtype: string): number[] {
  if (dtype !== 'int16') return Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return Array.from({ length: bytes.length >> 1 }, (_, i) => view.getInt16(2 * i, true));
}

/** Counts the int8 graph's instructions per layer on `target`, optimized and reference kernels. */
export function benchEmulated(
  g: Graph,
  x: Activations,
  target: Target,
  log: (s: string) => void,
  front?: CwtFrontEnd,
): EmulatedBenchResult {
  log(
    `building and running ${target.name} with its kernels (${target.kernels.join(', ')}) under qemu with the instruction counter…`,
  );
  const opt = countLayers(g, x, target, target.kernels, front);
  log(`…and with the reference kernels`);
  const ref = countLayers(g, x, target, ['ref'], front);
  const stats = modelStats(g);
  const table = CYCLE_COSTS[target.name];
  // Estimated cycles of a stretch the plugin classified, on a core with a table.
  const cyclesOf = (counts: CounterCounts | undefined) =>
    table && counts ? { estimatedCycles: estimateCycles(table, counts) } : {};
  const layers = g.nodes.map((node, i) => ({
    index: i,
    name: node.name,
    op: node.op,
    shape: formatShape(tensorOf(g, node.outputs[0]!).shape),
    macs: stats.nodes[i]!.macs,
    refInstructions: ref.perLayer[i]!,
    instructions: opt.perLayer[i]!,
    ...cyclesOf(opt.perLayerCounts?.[i]),
    ...(table && opt.perLayerCounts ? { instructionClasses: opt.perLayerCounts[i]! } : {}),
  }));
  const frontEnd = front
    ? {
        macs: cwtMacs(front.tables),
        refInstructions: ref.frontEnd,
        instructions: opt.frontEnd,
        ...cyclesOf(opt.frontEndCounts),
      }
    : undefined;
  const estimated = table && opt.perLayerCounts;
  const sum = (f: (l: (typeof layers)[number] | NonNullable<typeof frontEnd>) => number) =>
    [...(frontEnd ? [frontEnd] : []), ...layers].reduce((s, l) => s + f(l), 0);
  return {
    target: target.name,
    layers,
    ...(frontEnd ? { frontEnd } : {}),
    totals: {
      macs: sum((l) => l.macs),
      refInstructions: sum((l) => l.refInstructions!),
      instructions: sum((l) => l.instructions!),
      programInstructions: opt.total,
      ...(estimated ? { estimatedCycles: sum((l) => l.estimatedCycles ?? 0) } : {}),
    },
    ...(estimated ? { cycleEstimate: { core: table.core, note: CYCLE_ESTIMATE_NOTE, sources: table.sources } } : {}),
    memory: opt.memory,
    limit: target.limit,
    clockHz: target.clockHz ?? null,
    sameOutput: opt.output.length === ref.output.length && opt.output.every((v, i) => v === ref.output[i]),
    output: outputValues(opt.output, tensorOf(g, g.outputs[0]!).dtype),
  };
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** tinyedge beside TFLM's own figures for the same model and board: instructions, arena, flash. */
function formatTflmComparison(r: EmulatedBenchResult, tflm: TflmFigures): string {
  const t = r.totals;
  const peer = tflm.instructions[r.target];
  const rows: (string | number)[][] = [];
  const ratio = (ours: number, theirs: number) => `${(ours / theirs).toFixed(2)}×`;
  if (peer) {
    rows.push([
      'instructions, optimized kernels',
      fmt(t.instructions),
      `${fmt(peer.cmsisNn)} (CMSIS-NN)`,
      ratio(t.instructions, peer.cmsisNn),
    ]);
    if (peer.reference !== undefined)
      rows.push([
        'instructions, reference kernels',
        fmt(t.refInstructions),
        `${fmt(peer.reference)} (reference)`,
        ratio(t.refInstructions, peer.reference),
      ]);
  }
  const m = r.memory;
  const arena = tflmArenaBytesOn(tflm, r.target);
  rows.push([
    'arena (RAM)',
    fmt(m.arenaBytes),
    `${fmt(arena)}${tflm.activationBytes === undefined ? '' : ` (${fmt(tflm.activationBytes)} activations)`}`,
    ratio(m.arenaBytes, arena),
  ]);
  const ours = m.weightBytes + m.codeBytes;
  const code = tflm.runtimeCodeBytes;
  rows.push(
    code
      ? [
          'flash: weights + code',
          fmt(ours),
          `${fmt(tflm.fileBytes + code.tflm + code.cmsisNn)} (.tflite + TFLM + CMSIS-NN code on M4)`,
          ratio(ours, tflm.fileBytes + code.tflm + code.cmsisNn),
        ]
      : [
          'flash: weights + code',
          fmt(ours),
          `> ${fmt(tflm.fileBytes)} (the .tflite alone)`,
          `< ${ratio(ours, tflm.fileBytes)}`,
        ],
  );
  return [
    `beside TFLM on the same model and board (TFLM's own figures, ${tflm.model}):`,
    table(['', 'tinyedge', 'TFLM', 'ratio'], rows, [1, 2, 3]),
  ].join('\n');
}

/** The table the benchmark prints: every layer, then the totals, MACs per instruction, the ISA's limit, memory, and TFLM's figures when it measured this model. */
export function formatEmulatedBench(r: EmulatedBenchResult, tflm?: TflmFigures): string {
  const ratio = (macs: number, instr: number) => (instr ? (macs / instr).toFixed(2) : '');
  const est = r.cycleEstimate;
  // With a cycle table, two columns after the exact ones: estimated cycles and MACs per estimated cycle.
  const cycles = (l: { macs: number; estimatedCycles?: number }) =>
    est ? [fmt(Math.round(l.estimatedCycles ?? 0)), ratio(l.macs, l.estimatedCycles ?? 0)] : [];
  const rows = r.layers.map((l) => [
    l.index,
    l.op,
    l.shape,
    fmt(l.macs),
    fmt(l.refInstructions),
    fmt(l.instructions),
    ratio(l.macs, l.instructions),
    (l.refInstructions / Math.max(1, l.instructions)).toFixed(2),
    ...cycles(l),
  ]);
  const f = r.frontEnd;
  // The CWT front end runs first: the same code in both builds (its SMLAD path follows the core, not the kernel folders).
  if (f)
    rows.unshift([
      '',
      'cwt (front end)',
      'scalogram',
      fmt(f.macs),
      fmt(f.refInstructions),
      fmt(f.instructions),
      ratio(f.macs, f.instructions),
      (f.refInstructions / Math.max(1, f.instructions)).toFixed(2),
      ...cycles(f),
    ]);
  const t = r.totals;
  rows.push([
    '',
    'total',
    '',
    fmt(t.macs),
    fmt(t.refInstructions),
    fmt(t.instructions),
    ratio(t.macs, t.instructions),
    (t.refInstructions / t.instructions).toFixed(2),
    ...cycles(t),
  ]);
  const lines = [
    table(
      [
        '#',
        'op',
        'output',
        'MACs',
        'instr (ref kernels)',
        'instr (optimized)',
        'MACs/instr',
        'speedup',
        ...(est ? [`cycles (${est.note})`, 'MACs/est. cycle'] : []),
      ],
      rows,
      [0, 3, 4, 5, 6, 7, ...(est ? [8, 9] : [])],
    ),
    `${r.target}: ${fmt(t.instructions)} instructions per inference with its kernels (${fmt(t.refInstructions)} with the reference kernels), ${ratio(t.macs, t.instructions)} MACs per instruction.`,
  ];
  if (est && t.estimatedCycles !== undefined)
    lines.push(
      `Cycles (${est.note}): ≈ ${fmt(Math.round(t.estimatedCycles))}, ${ratio(t.macs, t.estimatedCycles)} MACs per estimated cycle${r.clockHz ? `, ≈ ${((1000 * t.estimatedCycles) / r.clockHz).toFixed(1)} ms at ${r.clockHz / 1e6} MHz` : ''}: the plugin's instruction classes priced by ${est.core}'s timing table (targets/qemu-insn/cycle-costs.ts; ${est.sources.join('; ')}). An estimate beside the exact count above, not a measurement.`,
    );
  if (r.limit)
    lines.push(
      `ISA limit: ${r.limit.macsPerInstruction} MACs per instruction (${r.limit.instruction}): tinyedge reaches ${((100 * t.macs) / t.instructions / r.limit.macsPerInstruction).toFixed(0)}% of it over the whole network.`,
    );
  if (r.clockHz)
    lines.push(
      `At ${r.clockHz / 1e6} MHz and one instruction per cycle that is ≈ ${((1000 * t.instructions) / r.clockHz).toFixed(1)} ms (a rough bound: real cores stall on memory and issue some instructions in pairs).`,
    );
  lines.push(
    `Counted by a qemu TCG plugin between layer markers; the whole program (startup, file I/O) took ${fmt(t.programInstructions)}. Outputs of both builds ${r.sameOutput ? 'identical' : 'DIFFER'}.`,
  );
  const m = r.memory;
  lines.push(
    `Memory: arena ${fmt(m.arenaBytes)} B, weights ${fmt(m.weightBytes)} B (const, with folded biases and requantization constants), code ${fmt(m.codeBytes)} B (model and kernels).`,
  );
  if (tflm) lines.push(formatTflmComparison(r, tflm));
  return lines.join('\n');
}
