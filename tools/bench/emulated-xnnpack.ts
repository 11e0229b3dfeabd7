/**
 * @fileoverview XNNPACK beside tinyedge on an aarch64 target under qemu: the same int8 graph built with XNNPACK's
 * operators (tools/peers/xnnpack), the driver built for the target's core and run under the target's qemu command
 * with the same instruction-counting plugin; one inference counted between the driver's `hint #100` markers, one
 * before each operator, so the counts also split by op beside tinyedge's per-layer counts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Graph } from '../../compiler/ir/graph.ts';
import type { Activations } from '../../compiler/reference/integer/conv.ts';
import { table } from '../../compiler/terminal/format.ts';
import { qemuInsnPlugin } from '../../targets/qemu-insn/build.ts';
import { readPluginCounts } from '../../targets/qemu-insn/plugin-output.ts';
import { cToolchain, type Target } from '../../targets/target.ts';
import { buildXnnpackPeer, outputDifference, runXnnpackPeer } from '../peers/xnnpack/xnnpack-peer.ts';
import type { EmulatedBenchResult } from './emulated.ts';
import { type SkippedPeer, tryPeer } from './peers.ts';

/** XNNPACK's count for one inference on the target, and how its output differs from tinyedge's. */
export interface XnnpackCount {
  instructions: number;
  /** XNNPACK operators per kind. */
  operators: Record<string, number>;
  /** Instructions per graph op (conv2d, depthwise_conv2d, add, …), summed over its operators. */
  perOp: Record<string, number>;
  output: { bytes: number; differing: number; maxAbs: number };
}

/** Sums `count(i)` by `opOf(i)`. */
function sumByOp(n: number, opOf: (i: number) => string, count: (i: number) => number): Record<string, number> {
  const sums: Record<string, number> = {};
  for (let i = 0; i < n; i++) sums[opOf(i)] = (sums[opOf(i)] ?? 0) + count(i);
  return sums;
}

/** The flag a target's C flags choose the CPU with (`-mcpu=cortex-a72`, `-march=armv8.2-a+dotprod`). */
function cpuFlagOf(target: Target): string {
  const flag = cToolchain(target).cflags.find((f) => f.startsWith('-mcpu=') || f.startsWith('-march='));
  if (!flag) throw new Error(`internal: target '${target.name}' names no -mcpu or -march`);
  return flag;
}

/**
 * Counts XNNPACK's instructions per inference of `g` on an aarch64 qemu-user target; `ours` is tinyedge's output on
 * the same input. XNNPACK missing, or an op it cannot run, leaves it out (in `skipped`) and returns undefined.
 */
export async function countXnnpack(
  g: Graph,
  x: Activations,
  target: Target,
  ours: readonly number[],
  skipped: SkippedPeer[],
  log: (s: string) => void,
): Promise<XnnpackCount | undefined> {
  if (target.isa.arch !== 'aarch64' || target.run.kind !== 'qemu-user') return undefined;
  const command = target.run.command;
  return tryPeer(
    'XNNPACK 2022 int8 (1 thread)',
    () => {
      log(`building XNNPACK's driver for ${target.name} and counting it under qemu…`);
      const build = buildXnnpackPeer(g, { kind: 'aarch64', cpuFlag: cpuFlagOf(target) });
      const input = join(build.dir, 'in.i8');
      writeFileSync(input, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
      const counts = join(build.dir, 'counts.json');
      const r = runXnnpackPeer(build, input, 1, { command, plugin: { lib: qemuInsnPlugin(), out: counts } });
      const { marks } = readPluginCounts(counts);
      const ops = build.opOfRow;
      if (marks.length !== ops.length + 1)
        throw new Error(`internal: expected ${ops.length + 1} markers in XNNPACK's run, saw ${marks.length}`);
      return {
        instructions: marks[ops.length]! - marks[0]!,
        operators: build.operators,
        perOp: sumByOp(
          ops.length,
          (i) => ops[i]!,
          (i) => marks[i + 1]! - marks[i]!,
        ),
        output: { bytes: ours.length, ...outputDifference(Int8Array.from(ours), r.output) },
      };
    },
    skipped,
    log,
  );
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The lines bench prints under the table: XNNPACK's count beside ours by op and in total, and the output check. */
export function formatXnnpackCount(x: XnnpackCount, r: EmulatedBenchResult): string[] {
  const ours = r.totals;
  const oursByOp = sumByOp(
    r.layers.length,
    (i) => r.layers[i]!.op,
    (i) => r.layers[i]!.instructions,
  );
  const macsByOp = sumByOp(
    r.layers.length,
    (i) => r.layers[i]!.op,
    (i) => r.layers[i]!.macs,
  );
  const byOp = Object.keys(oursByOp).map((op) => {
    const theirs = x.perOp[op] ?? 0;
    const mpi = (instr: number) => (instr && macsByOp[op] ? (macsByOp[op]! / instr).toFixed(2) : '');
    return [
      op,
      fmt(oursByOp[op]!),
      mpi(oursByOp[op]!),
      fmt(theirs),
      mpi(theirs),
      theirs ? `${(oursByOp[op]! / theirs).toFixed(2)}×` : '—',
    ];
  });
  const ops = Object.entries(x.operators)
    .map(([k, n]) => `${n} ${k.replace(/^PEER_/, '').toLowerCase()}`)
    .join(', ');
  return [
    'beside XNNPACK 2022 by op (instructions, MACs per instruction):',
    table(['op', 'tinyedge', 'MACs/instr', 'XNNPACK', 'MACs/instr', 'tinyedge ÷ XNNPACK'], byOp, [1, 2, 3, 4, 5]),
    `XNNPACK 2022 (same qemu command and counter, one inference between markers, ${ops}): ${fmt(x.instructions)} instructions, ${(ours.macs / x.instructions).toFixed(2)} MACs per instruction; tinyedge ÷ XNNPACK = ${(ours.instructions / x.instructions).toFixed(2)}×.`,
    `XNNPACK output vs tinyedge: ${x.output.differing} of ${x.output.bytes} bytes differ, max |difference| ${x.output.maxAbs} (XNNPACK requantizes in fp32, tinyedge in TFLite's fixed point; ties round apart).`,
  ];
}
