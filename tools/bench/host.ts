/**
 * @fileoverview `npm run bench -- --target host`: tinyedge's C build of the int8 model against onnxruntime-node
 * (native MLAS, one thread) running the same model exported as ONNX, on the same input, in one run: interleaved
 * blocks of runs, medians and ratios; plus instructions per inference counted by callgrind (repeatable, unlike
 * time) on an AVX2 build, set against the ISA's ceiling in MACs per instruction. XNNPACK (Debian's 2022 snapshot,
 * one thread, tools/peers/xnnpack) runs the same int8 graph in the same rounds when it is installed.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cBuildOf, cProject } from '../../compiler/backends/c/project.ts';
import { cScratchBytes } from '../../compiler/backends/c/render-nodes.ts';
import { exportInt8Onnx } from '../../compiler/exporters/onnx/export-int8.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { modelStats } from '../../compiler/ir/stats.ts';
import type { Quantization } from '../../compiler/ir/tensor.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import { quantizeArray } from '../../compiler/quantize/prepare/quant-params.ts';
import { table } from '../../compiler/terminal/format.ts';
import { cToolchain, loadTarget } from '../../targets/target.ts';
import { buildTemporaryProject } from '../../targets/toolchain.ts';
import { loadOnnxPeer } from '../peers/onnxruntime.ts';
import { buildXnnpackPeer, outputDifference, runXnnpackPeer } from '../peers/xnnpack/xnnpack-peer.ts';
import { type SkippedPeer, skippedLines, tryPeer } from './peers.ts';
import { mad, median } from './stats.ts';

/** What the host benchmark measured; the ratios and the output comparison are null when onnxruntime-node was left out. */
export interface HostBenchResult {
  rows: { runtime: string; medianMs: number; madMs: number; vsOrt: number | null; vsXnnpack: number | null }[];
  skipped: SkippedPeer[];
  macs: number;
  instructions: number | null;
  macsPerInstruction: number | null;
  sameTop1: boolean | null;
  equalOutputBytes: number | null;
  /** XNNPACK's output against tinyedge's: differing bytes and the largest difference; null when XNNPACK was left out. */
  xnnpackOutput: { bytes: number; differing: number; maxAbs: number } | null;
}

/** The peers' names in the table and in a left-out line. */
const ORT_NODE = 'onnxruntime-node int8 (MLAS, 1 thread)';
const XNNPACK = 'XNNPACK 2022 int8 (Debian build, its own ISA dispatch, 1 thread)';

function writeProject(g: Graph, cflags: string[]): string {
  const host = loadTarget('host');
  return buildTemporaryProject(
    cProject(g, planMemory(g, cScratchBytes), { ...cBuildOf(host, cflags), cflags }).files,
    host,
    cflags,
  );
}

function runC(dir: string, input: string, runs: number): { latencies: number[]; output: Int8Array } {
  const out = join(dir, 'out.i8');
  const r = spawnSync(join(dir, 'runner'), [input, out, String(runs)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`runner failed: ${r.stderr}`);
  return {
    latencies: (JSON.parse(r.stdout) as { latencyMs: number[] }).latencyMs,
    output: new Int8Array(readFileSync(out)),
  };
}

/** Instructions of one inference under callgrind, or null when valgrind is not installed. */
function callgrindInstructions(dir: string, input: string): number | null {
  const r = spawnSync(
    'valgrind',
    [
      '--tool=callgrind',
      `--callgrind-out-file=${join(dir, 'callgrind.out')}`,
      join(dir, 'runner'),
      input,
      join(dir, 'cg.i8'),
      '1',
    ],
    { encoding: 'utf8' },
  );
  if (r.error) return null;
  const m = /Collected : (\d+)/.exec(r.stderr);
  return m ? Number(m[1]) : null;
}

function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}

/**
 * Benchmarks an int8 graph on the host against onnxruntime-node on our ONNX export (left out, saying why, when the
 * export cannot express the model or ORT cannot run it); `x` is the f32 input (quantized here).
 */
export async function benchHost(
  g: Graph,
  x: Float32Array,
  rounds: number,
  perRound: number,
  log: (s: string) => void,
): Promise<HostBenchResult> {
  const target = loadTarget('host');
  const shape = tensorOf(g, g.inputs[0]!).shape;
  const xi = quantizeArray(x, tensorOf(g, g.inputs[0]!).quant as Quantization);
  log('building the C model (host flags) and an AVX2 build for callgrind…');
  const fast = writeProject(g, cToolchain(target).cflags);
  const counted = writeProject(g, ['-std=c99', '-O3', '-march=x86-64-v3']);
  const input = join(fast, 'in.i8');
  writeFileSync(input, xi);
  const skipped: SkippedPeer[] = [];
  const ort = await tryPeer(
    ORT_NODE,
    async () => {
      const peer = await loadOnnxPeer(exportInt8Onnx(g), shape, 1);
      for (let i = 0; i < 3; i++) await peer.run(xi); // warm-up; a model ORT cannot run fails here
      return peer;
    },
    skipped,
    log,
  );
  const xnnpack = await tryPeer(
    XNNPACK,
    () => {
      const build = buildXnnpackPeer(g, { kind: 'host' });
      runXnnpackPeer(build, input, 2); // warm-up; a model XNNPACK cannot run fails here
      return build;
    },
    skipped,
    log,
  );
  const cTimes: number[] = [];
  const ortTimes: number[] = [];
  const xnnTimes: number[] = [];
  let xnnOut: Int8Array = new Int8Array();
  let cOut: Int8Array = new Int8Array();
  let ortOut: Int8Array = new Int8Array();
  // Warm-up, then interleaved blocks: each round runs both, so drift in machine load hits both alike.
  runC(fast, input, 2);
  for (let round = 0; round < rounds; round++) {
    const c = runC(fast, input, perRound + 1);
    cTimes.push(...c.latencies.slice(1)); // the first run of a process pages the weights in
    cOut = c.output;
    if (xnnpack) {
      const r = runXnnpackPeer(xnnpack, input, perRound + 1);
      xnnTimes.push(...r.latencyMs.slice(1)); // the same first-run paging as ours
      xnnOut = r.output;
    }
    for (let i = 0; ort && i < perRound; i++) {
      const t0 = performance.now();
      ortOut = await ort.run(xi);
      ortTimes.push(performance.now() - t0);
    }
    log(`round ${round + 1}/${rounds}`);
  }
  log('counting instructions with callgrind…');
  const instructions = callgrindInstructions(counted, input);
  const macs = modelStats(g).totals.macs;
  const ortMedian = median(ortTimes);
  const rows = [
    {
      runtime: `tinyedge C (gcc ${cToolchain(target)
        .cflags.filter((f) => f.startsWith('-O') || f.startsWith('-march'))
        .join(' ')}, 1 thread)`,
      times: cTimes,
    },
    ...(ort ? [{ runtime: ORT_NODE, times: ortTimes }] : []),
    ...(xnnpack ? [{ runtime: XNNPACK, times: xnnTimes }] : []),
  ].map((r) => ({
    runtime: r.runtime,
    medianMs: Number(median(r.times).toFixed(2)),
    madMs: Number(mad(r.times).toFixed(2)),
    vsOrt: ort ? Number((median(r.times) / ortMedian).toFixed(3)) : null,
    vsXnnpack: xnnpack ? Number((median(r.times) / median(xnnTimes)).toFixed(3)) : null,
  }));
  let equal = 0;
  for (let i = 0; i < cOut.length; i++) if (cOut[i] === ortOut[i]) equal++;
  return {
    rows,
    skipped,
    macs,
    instructions,
    macsPerInstruction: instructions ? Number((macs / instructions).toFixed(3)) : null,
    sameTop1: ort ? argmax(cOut) === argmax(ortOut) : null,
    equalOutputBytes: ort ? equal / cOut.length : null,
    xnnpackOutput: xnnpack ? { bytes: cOut.length, ...outputDifference(cOut, xnnOut) } : null,
  };
}

/** XNNPACK's output check: it requantizes in float (fp32 "magic" rounding), so ties may land 1 apart per layer. */
export function xnnpackOutputLine(d: { bytes: number; differing: number; maxAbs: number }): string {
  return `XNNPACK output vs tinyedge: ${d.differing} of ${d.bytes} bytes differ, max |difference| ${d.maxAbs} (XNNPACK requantizes in fp32, tinyedge in TFLite's fixed point; ties round apart)`;
}

/** The table the benchmark prints. */
export function formatHostBench(r: HostBenchResult, runs: number): string {
  return [
    table(
      ['runtime', 'median ms', '± MAD', '× onnxruntime-node', '× XNNPACK'],
      r.rows.map((row) => [
        row.runtime,
        row.medianMs.toFixed(2),
        row.madMs.toFixed(2),
        row.vsOrt === null ? '—' : row.vsOrt.toFixed(2),
        row.vsXnnpack === null ? '—' : row.vsXnnpack.toFixed(2),
      ]),
      [1, 2, 3, 4],
    ),
    ...skippedLines(r.skipped),
    `${runs} timed runs each. × < 1 is faster than that peer.`,
    `instructions per inference (callgrind, -march=x86-64-v3 build): ${r.instructions ?? 'valgrind not installed'}` +
      (r.macsPerInstruction
        ? `; ${(r.macs / 1e6).toFixed(1)}M MACs → ${r.macsPerInstruction} MACs per instruction (AVX2 vpmaddwd ceiling: 16; AVX-512 VNNI vpdpbusd: 64)`
        : ''),
    ...(r.equalOutputBytes === null
      ? []
      : [
          `outputs: same top-1 ${r.sameTop1}; ${(100 * r.equalOutputBytes).toFixed(0)}% of output bytes equal (ORT requantizes in float, tinyedge in TFLite's fixed point)`,
        ]),
    ...(r.xnnpackOutput ? [xnnpackOutputLine(r.xnnpackOutput)] : []),
  ].join('\n');
}
