/**
 * @fileoverview XNNPACK beside tinyedge on an aarch64 target under qemu: the same int8 graph built with XNNPACK's
 * operators (tools/peers/xnnpack), the driver built for the target's core and run under the target's qemu command
 * with the same instruction-counting plugin; one inference counted between the driver's two `hint #100` markers.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Graph } from '../../compiler/ir/graph.ts';
import type { Activations } from '../../compiler/reference/integer/conv.ts';
import { cToolchain, type Target } from '../../targets/target.ts';
import { buildXnnpackPeer, outputDifference, runXnnpackPeer } from '../peers/xnnpack/xnnpack-peer.ts';
import { qemuInsnPlugin } from '../qemu-insn/build.ts';
import { readPluginCounts } from '../qemu-insn/plugin-output.ts';
import { type SkippedPeer, tryPeer } from './peers.ts';

/** XNNPACK's count for one inference on the target, and how its output differs from tinyedge's. */
export interface XnnpackCount {
  instructions: number;
  /** XNNPACK operators per kind. */
  operators: Record<string, number>;
  output: { bytes: number; differing: number; maxAbs: number };
}

/** The core a target's C flags tune for (`-mcpu=cortex-a72`). */
function mcpuOf(target: Target): string {
  const flag = cToolchain(target).cflags.find((f) => f.startsWith('-mcpu='));
  if (!flag) throw new Error(`internal: target '${target.name}' names no -mcpu`);
  return flag.slice('-mcpu='.length);
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
      const build = buildXnnpackPeer(g, { kind: 'aarch64', mcpu: mcpuOf(target) });
      const input = join(build.dir, 'in.i8');
      writeFileSync(input, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
      const counts = join(build.dir, 'counts.json');
      const r = runXnnpackPeer(build, input, 1, { command, plugin: { lib: qemuInsnPlugin(), out: counts } });
      const { marks } = readPluginCounts(counts);
      if (marks.length !== 2) throw new Error(`internal: expected 2 markers around XNNPACK's run, saw ${marks.length}`);
      return {
        instructions: marks[1]! - marks[0]!,
        operators: build.operators,
        output: { bytes: ours.length, ...outputDifference(Int8Array.from(ours), r.output) },
      };
    },
    skipped,
    log,
  );
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The lines bench prints under the table: XNNPACK's count beside ours, the ratio, and the output check. */
export function formatXnnpackCount(x: XnnpackCount, ours: { instructions: number; macs: number }): string[] {
  const ops = Object.entries(x.operators)
    .map(([k, n]) => `${n} ${k.replace(/^PEER_/, '').toLowerCase()}`)
    .join(', ');
  return [
    `XNNPACK 2022 (same qemu command and counter, one inference between markers, ${ops}): ${fmt(x.instructions)} instructions, ${(ours.macs / x.instructions).toFixed(2)} MACs per instruction; tinyedge ÷ XNNPACK = ${(ours.instructions / x.instructions).toFixed(2)}×.`,
    `XNNPACK output vs tinyedge: ${x.output.differing} of ${x.output.bytes} bytes differ, max |difference| ${x.output.maxAbs} (XNNPACK requantizes in fp32, tinyedge in TFLite's fixed point; ties round apart).`,
  ];
}
