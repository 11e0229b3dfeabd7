/**
 * @fileoverview `npm run bench -- --target host`: tinyedge's C build of the int8 model against onnxruntime-node
 * (native MLAS, one thread) running the same model exported as ONNX, on the same input, in one run: interleaved
 * blocks of runs, medians and ratios; plus instructions per inference counted by callgrind (repeatable, unlike
 * time) on an AVX2 build, set against the ISA's ceiling in MACs per instruction. With `threads` > 1, the same
 * rounds also run tinyedge compiled for that many threads (the thread pool) and onnxruntime-node with as many
 * intra-op threads, each row with its speedup over its own one-thread row. XNNPACK (Debian's 2022 snapshot,
 * tools/peers/xnnpack; its pthreadpool for several threads) runs the same int8 graph in the same rounds when it is
 * installed: what another engine gets from the same cores is the yardstick for our own speedup.
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
import {
  buildXnnpackPeer,
  outputDifference,
  runXnnpackPeer,
  type XnnpackBuild,
} from '../peers/xnnpack/xnnpack-peer.ts';
import { type SkippedPeer, skippedLines, tryPeer } from './peers.ts';
import { mad, median } from './stats.ts';

/** What the host benchmark measured; the ratios and the output comparison are null when onnxruntime-node was left out. */
export interface HostBenchResult {
  /**
   * vsOrt: against onnxruntime-node on as many threads; vsXnnpack: against XNNPACK on as many threads; speedup: the
   * one-thread row's time over this one's.
   */
  rows: {
    runtime: string;
    medianMs: number;
    madMs: number;
    vsOrt: number | null;
    vsXnnpack: number | null;
    speedup: number | null;
  }[];
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
const ortNode = (threads: number) => `onnxruntime-node int8 (MLAS, ${threads} thread${threads > 1 ? 's' : ''})`;
const xnnpackName = (threads: number) =>
  `XNNPACK 2022 int8 (Debian build, its own ISA dispatch, ${threads} thread${threads > 1 ? 's' : ''})`;

function writeProject(g: Graph, cflags: string[], threads = 1): string {
  const host = loadTarget('host');
  return buildTemporaryProject(
    cProject(g, planMemory(g, cScratchBytes, { threads }), { ...cBuildOf(host, cflags, threads), cflags }).files,
    host,
    cflags,
  );
}

function runC(dir: string, input: string, runs: number, threads?: number): { latencies: number[]; output: Int8Array } {
  const out = join(dir, 'out.i8');
  const args = [input, out, String(runs), ...(threads === undefined ? [] : [String(threads)])];
  const r = spawnSync(join(dir, 'runner'), args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`runner failed: ${r.stderr}`);
  return {
    latencies: (JSON.parse(r.stdout) as { latencyMs: number[] }).latencyMs,
    output: new Int8Array(readFileSync(out)),
  };
}

/**
 * Instructions of one inference under callgrind, or null when valgrind is not installed. One thread only: valgrind
 * runs a program's threads one at a time, so how the pool's claimed parts fall among them says nothing of a speedup.
 */
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

/** The build callgrind counts: AVX2, which valgrind runs (it has no AVX-512). */
const COUNTED_CFLAGS = ['-std=c99', '-O3', '-march=x86-64-v3'];

function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}

/** One row of the table: what ran, on how many threads, and its timed runs. */
interface Contender {
  runtime: string;
  family: 'tinyedge' | 'ort' | 'xnnpack';
  threads: number;
  times: number[];
  /** Runs one round of `perRound` timed runs, appending to `times`. */
  round: () => Promise<void>;
}

/** An onnxruntime-node contender on `threads` intra-op threads, or null (and a skipped line) when ORT cannot run the model. */
async function ortContender(
  g: Graph,
  xi: Int8Array,
  threads: number,
  perRound: number,
  skipped: SkippedPeer[],
  log: (s: string) => void,
  sink: { out: Int8Array },
): Promise<Contender | null> {
  const shape = tensorOf(g, g.inputs[0]!).shape;
  const peer = await tryPeer(
    ortNode(threads),
    async () => {
      const p = await loadOnnxPeer(exportInt8Onnx(g), shape, threads);
      for (let i = 0; i < 3; i++) await p.run(xi); // warm-up; a model ORT cannot run fails here
      return p;
    },
    skipped,
    log,
  );
  if (!peer) return null;
  const times: number[] = [];
  return {
    runtime: ortNode(threads),
    family: 'ort',
    threads,
    times,
    round: async () => {
      for (let i = 0; i < perRound; i++) {
        const t0 = performance.now();
        sink.out = await peer.run(xi);
        times.push(performance.now() - t0);
      }
    },
  };
}

/** XNNPACK on each of `counts` threads, or none (and a skipped line) when it is not installed or cannot run the model. */
async function xnnpackContenders(
  g: Graph,
  input: string,
  counts: readonly number[],
  perRound: number,
  skipped: SkippedPeer[],
  log: (s: string) => void,
  sink: { out: Int8Array },
): Promise<Contender[]> {
  const build = await tryPeer(
    xnnpackName(1),
    () => {
      const b = buildXnnpackPeer(g, { kind: 'host' });
      runXnnpackPeer(b, input, 2); // warm-up; a model XNNPACK cannot run fails here
      return b;
    },
    skipped,
    log,
  );
  if (!build) return [];
  return counts.map((threads) => xnnpackContender(build, input, perRound, threads, sink));
}

function xnnpackContender(
  build: XnnpackBuild,
  input: string,
  perRound: number,
  threads: number,
  sink: { out: Int8Array },
): Contender {
  return processContender(xnnpackName(threads), 'xnnpack', threads, perRound, sink, (runs) => {
    const r = runXnnpackPeer(build, input, runs, undefined, threads);
    return { latencies: r.latencyMs, output: r.output };
  });
}

/**
 * A contender whose rounds each start a process (`run`: that many runs, their ms and the output) and keep all but its
 * first run: the first run of a process pages the weights in.
 */
function processContender(
  runtime: string,
  family: Contender['family'],
  threads: number,
  perRound: number,
  sink: { out: Int8Array },
  run: (runs: number) => { latencies: number[]; output: Int8Array },
): Contender {
  const times: number[] = [];
  return {
    runtime,
    family,
    threads,
    times,
    round: async () => {
      const r = run(perRound + 1);
      times.push(...r.latencies.slice(1));
      sink.out = r.output;
    },
  };
}

/** A tinyedge C contender: the runner in `dir` (on `threads` if compiled for several). */
function cContender(
  runtime: string,
  dir: string,
  input: string,
  perRound: number,
  threads: number,
  sink: { out: Int8Array },
): Contender {
  const arg = threads > 1 ? threads : undefined;
  runC(dir, input, 2, arg); // warm-up
  return processContender(runtime, 'tinyedge', threads, perRound, sink, (runs) => runC(dir, input, runs, arg));
}

/**
 * Benchmarks an int8 graph on the host against onnxruntime-node on our ONNX export (left out, saying why, when the
 * export cannot express the model or ORT cannot run it); `x` is the f32 input (quantized here); `threads` > 1 adds
 * both on that many threads.
 */
export async function benchHost(
  g: Graph,
  x: Float32Array,
  rounds: number,
  perRound: number,
  log: (s: string) => void,
  threads = 1,
): Promise<HostBenchResult> {
  const target = loadTarget('host');
  const xi = quantizeArray(x, tensorOf(g, g.inputs[0]!).quant as Quantization);
  const cflags = cToolchain(target).cflags;
  log('building the C model (host flags) and an AVX2 build for callgrind…');
  const fast = writeProject(g, cflags);
  const counted = writeProject(g, COUNTED_CFLAGS);
  const input = join(fast, 'in.i8');
  writeFileSync(input, xi);
  const skipped: SkippedPeer[] = [];
  const c = { out: new Int8Array() };
  const ort = { out: new Int8Array() };
  const xnn = { out: new Int8Array() };
  const flags = cflags.filter((f) => f.startsWith('-O') || f.startsWith('-march')).join(' ');
  const counts = threads > 1 ? [1, threads] : [1];
  const contenders: Contender[] = [];
  for (const t of counts) {
    if (t > 1) log(`building the C model for ${t} threads…`);
    const dir = t > 1 ? writeProject(g, cflags, t) : fast;
    contenders.push(
      cContender(`tinyedge C (gcc ${flags}, ${t} thread${t > 1 ? 's' : ''})`, dir, input, perRound, t, c),
    );
  }
  for (const t of counts) {
    const peer = await ortContender(g, xi, t, perRound, skipped, log, ort);
    if (peer) contenders.push(peer);
  }
  contenders.push(...(await xnnpackContenders(g, input, counts, perRound, skipped, log, xnn)));
  // Interleaved blocks: each round runs every contender, so drift in machine load hits all alike.
  for (let round = 0; round < rounds; round++) {
    for (const k of contenders) await k.round();
    log(`round ${round + 1}/${rounds}`);
  }
  log('counting instructions with callgrind…');
  const instructions = callgrindInstructions(counted, input);
  const macs = modelStats(g).totals.macs;
  const ortOf = (t: number) => contenders.find((k) => k.family === 'ort' && k.threads === t);
  const xnnpackOf = (t: number) => contenders.find((k) => k.family === 'xnnpack' && k.threads === t);
  const oneThread = (k: Contender) => contenders.find((o) => o.family === k.family && o.threads === 1);
  const rows = contenders.map((k) => {
    const peer = ortOf(k.threads);
    const xnnpack = xnnpackOf(k.threads);
    const single = oneThread(k);
    return {
      runtime: k.runtime,
      medianMs: Number(median(k.times).toFixed(2)),
      madMs: Number(mad(k.times).toFixed(2)),
      vsOrt: peer ? Number((median(k.times) / median(peer.times)).toFixed(3)) : null,
      vsXnnpack: xnnpack ? Number((median(k.times) / median(xnnpack.times)).toFixed(3)) : null,
      speedup: threads > 1 && single ? Number((median(single.times) / median(k.times)).toFixed(2)) : null,
    };
  });
  const hasOrt = ortOf(1) !== undefined;
  let equal = 0;
  for (let i = 0; i < c.out.length; i++) if (c.out[i] === ort.out[i]) equal++;
  return {
    rows,
    skipped,
    macs,
    instructions,
    macsPerInstruction: instructions ? Number((macs / instructions).toFixed(3)) : null,
    sameTop1: hasOrt ? argmax(c.out) === argmax(ort.out) : null,
    equalOutputBytes: hasOrt ? equal / c.out.length : null,
    xnnpackOutput: xnnpackOf(1) ? { bytes: c.out.length, ...outputDifference(c.out, xnn.out) } : null,
  };
}

/** XNNPACK's output check: it requantizes in float (fp32 "magic" rounding), so ties may land 1 apart per layer. */
function xnnpackOutputLine(d: { bytes: number; differing: number; maxAbs: number }): string {
  return `XNNPACK output vs tinyedge: ${d.differing} of ${d.bytes} bytes differ, max |difference| ${d.maxAbs} (XNNPACK requantizes in fp32, tinyedge in TFLite's fixed point; ties round apart)`;
}

/** The table the benchmark prints. */
export function formatHostBench(r: HostBenchResult, runs: number): string {
  const threaded = r.rows.some((row) => row.speedup !== null);
  return [
    table(
      ['runtime', 'median ms', '± MAD', '× onnxruntime-node', '× XNNPACK', ...(threaded ? ['speedup'] : [])],
      r.rows.map((row) => [
        row.runtime,
        row.medianMs.toFixed(2),
        row.madMs.toFixed(2),
        row.vsOrt === null ? '—' : row.vsOrt.toFixed(2),
        row.vsXnnpack === null ? '—' : row.vsXnnpack.toFixed(2),
        ...(threaded ? [row.speedup === null ? '—' : `${row.speedup.toFixed(2)}×`] : []),
      ]),
      threaded ? [1, 2, 3, 4, 5] : [1, 2, 3, 4],
    ),
    ...skippedLines(r.skipped),
    `${runs} timed runs each. × < 1 is faster than that peer (on as many threads).${threaded ? ' speedup: the same runtime on one thread over this row (this machine has 2 cores, shared).' : ''}`,
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
