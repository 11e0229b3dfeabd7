/**
 * @fileoverview `npm run bench -- --target wasm32`: tinyedge's int8 WebAssembly (SIMD128, in Node's V8) against
 * TF.js wasm (XNNPACK, SIMD, f32, one thread) on the same photo and onnxruntime-web int8 on our ONNX export (one
 * thread interleaved in this process; two threads in a process of its own, since its thread count is fixed at
 * start). Medians of runs in rotating blocks, ratios, the module's code and data bytes, and the compile time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { wasmScratchBytes } from '../../compiler/backends/wasm/kernel-table.ts';
import { wasmProject } from '../../compiler/backends/wasm/package/project.ts';
import { exportInt8Onnx } from '../../compiler/exporters/onnx/export-int8.ts';
import type { TfjsArtifacts } from '../../compiler/frontends/tfjs-common/artifacts.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { modelStats } from '../../compiler/ir/stats.ts';
import type { Quantization } from '../../compiler/ir/tensor.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import { quantizeArray } from '../../compiler/quantize/prepare/quant-params.ts';
import { table } from '../../compiler/terminal/format.ts';
import { TinyedgeModel } from '../../runtime/wasm/tinyedge-loader.js';
import { loadOrtWebPeer } from '../peers/onnxruntime-web.ts';
import { loadTfjsModel, useTfjsBackend } from '../peers/tfjs.ts';
import { type SkippedPeer, skippedLines, tryPeer } from './peers.ts';
import { mad, median } from './stats.ts';

/** What the wasm32 benchmark measured; a ratio is null when that peer was left out. */
export interface WasmBenchResult extends Simd128Figures {
  rows: {
    runtime: string;
    medianMs: number;
    madMs: number | null;
    coldMs: number | null;
    vsTfjsWasm: number | null;
    vsOrtWeb1: number | null;
  }[];
  skipped: SkippedPeer[];
  compileMs: number;
  codeBytes: number;
  dataBytes: number;
}

/** The CPU clock: Node's report, else /proc/cpuinfo (virtual machines often report 0 to Node), else 0. */
function cpuClockMHz(): number {
  const reported = cpus()[0]?.speed;
  if (reported) return reported;
  const m = existsSync('/proc/cpuinfo') ? /cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync('/proc/cpuinfo', 'utf8')) : null;
  return m ? Math.round(Number(m[1])) : 0;
}

/** tinyedge's MACs per second beside the SIMD128 limit (the CPU clock, and 8 MACs × 2 dots per cycle at it). */
export interface Simd128Figures {
  macs: number;
  macsPerSecond: number;
  cpuMHz: number;
  limitMacsPerSecond: number;
}

/** The figures of a model of `macs` MACs run in `medianMs`. */
export function simd128Figures(macs: number, medianMs: number): Simd128Figures {
  const cpuMHz = cpuClockMHz();
  return { macs, macsPerSecond: macs / (medianMs / 1000), cpuMHz, limitMacsPerSecond: cpuMHz * 1e6 * 8 * 2 };
}

/** The line under a table that sets tinyedge's MACs per second beside the SIMD128 limit. */
export function simd128Line(r: Simd128Figures): string {
  const rate = `tinyedge: ${(r.macsPerSecond / 1e9).toFixed(2)} G MACs/s (${(r.macs / 1e6).toFixed(1)}M MACs). The SIMD128 limit is 8 MACs per i32x4.dot_i16x8_s`;
  return r.cpuMHz
    ? `${rate}: at ${r.cpuMHz} MHz and two dots per cycle, ${(r.limitMacsPerSecond / 1e9).toFixed(1)} G MACs/s, so tinyedge runs at ${((100 * r.macsPerSecond) / r.limitMacsPerSecond).toFixed(0)}% of it.`
    : `${rate} (the CPU clock is unknown here).`;
}

/** Timed runs per block of one contender. */
export const BLOCK = 5;

/** onnxruntime-web, and its one-thread row (the ratios' second reference). */
const ORT_WEB = 'onnxruntime-web int8';
const ORT_WEB_1 = `${ORT_WEB} (wasm SIMD, 1 thread)`;

/**
 * Benchmarks `g` against TF.js wasm running `tfjsTwin()`, the same model in f32 (to `tfjsOutputs` by executeAsync when
 * tinyedge's graph is cut before the model's own outputs, as a detector is before its NMS), and onnxruntime-web on
 * our ONNX export. `x` is the f32 input (quantized here for the int8 runtimes). A peer that cannot run the model is
 * left out, saying why.
 */
export async function benchWasm(
  g: Graph,
  x: Float32Array,
  tfjsTwin: () => TfjsArtifacts,
  runs: number,
  log: (s: string) => void,
  tfjsOutputs?: string[],
): Promise<WasmBenchResult> {
  const shape = tensorOf(g, g.inputs[0]!).shape;
  const xi = quantizeArray(x, tensorOf(g, g.inputs[0]!).quant as Quantization);
  const t0 = performance.now();
  const project = wasmProject(g, planMemory(g, wasmScratchBytes), 'bench', undefined, { scale: 1, offset: 0 });
  const compileMs = performance.now() - t0;
  const postprocess = project.files['ssd-postprocess.wasm'] as Uint8Array | undefined;
  const ours = await TinyedgeModel.load(
    project.files['model.wasm'] as Uint8Array,
    project.info,
    postprocess ? { ssdPostprocess: postprocess } : {},
  );
  const skipped: SkippedPeer[] = [];
  const tfjsName = `TF.js wasm f32 (XNNPACK SIMD, 1 thread${tfjsOutputs ? ', executeAsync to the same outputs' : ''})`;
  const tfjs = await tryPeer(
    tfjsName,
    async () => {
      const artifacts = tfjsTwin();
      await useTfjsBackend('wasm');
      const m = await loadTfjsModel(artifacts);
      const run = () => (tfjsOutputs ? m.executeTo(tfjsOutputs, x, shape) : m.predict(x, shape));
      await run(); // a model TF.js cannot run on this input fails here, not in the timed loop
      return run;
    },
    skipped,
    log,
  );
  const onnx = await tryPeer(ORT_WEB, () => exportInt8Onnx(g), skipped, log);
  const loadOrt = async (bytes: Uint8Array) => {
    const peer = await loadOrtWebPeer(bytes, shape, 1);
    await peer.run(xi);
    return peer;
  };
  const ort1 = onnx ? await tryPeer(ORT_WEB, () => loadOrt(onnx), skipped, log) : undefined;
  const contenders: [string, () => Promise<unknown> | unknown][] = [
    [
      'tinyedge int8 WebAssembly (SIMD128, 1 thread)',
      () => {
        ours.setInput(xi);
        return ours.run();
      },
    ],
    ...(tfjs ? [[tfjsName, tfjs] as [string, () => unknown]] : []),
    ...(ort1 ? [[ORT_WEB_1, () => ort1.run(xi)] as [string, () => unknown]] : []),
    // A detector's boxes also need its post-processing (decoding, NMS, top-k), which tinyedge runs on the device too.
    ...(postprocess
      ? [
          [
            'tinyedge int8 + on-device post-processing (decode, NMS)',
            () => {
              ours.setInput(xi);
              ours.run();
              return ours.detect();
            },
          ] as [string, () => unknown],
        ]
      : []),
  ];
  // Blocks of BLOCK timed runs per contender, rotated so machine drift hits all alike. Each block starts with one
  // untimed run: the other contenders have just evicted this one's weights from the caches. Its time is kept apart
  // as the cold figure; the median of the rest is the steady state of an app classifying a stream of frames.
  const times = contenders.map(() => [] as number[]);
  const cold = contenders.map(() => [] as number[]);
  for (const [, run] of contenders) for (let i = 0; i < 2; i++) await run();
  for (let round = 0; round < Math.ceil(runs / BLOCK); round++) {
    for (const [i, [, run]] of contenders.entries()) {
      for (let k = 0; k <= BLOCK; k++) {
        const start = performance.now();
        await run();
        (k === 0 ? cold : times)[i]!.push(performance.now() - start);
      }
    }
    log(`round ${round + 1}/${Math.ceil(runs / BLOCK)}`);
  }
  let ort2 = NaN;
  if (ort1 && onnx) {
    log('onnxruntime-web with 2 threads, in a process of its own…');
    const file = join(mkdtempSync(join(tmpdir(), 'tinyedge-bench-')), 'model.onnx');
    writeFileSync(file, onnx);
    const r = spawnSync(
      process.execPath,
      ['bin/run-ts.mjs', 'tools/peers/onnxruntime-web.ts', file, '2', String(runs), JSON.stringify(shape)],
      { encoding: 'utf8' },
    );
    ort2 = r.status === 0 && r.stdout.trim() ? (JSON.parse(r.stdout) as { medianMs: number }).medianMs : NaN;
  }
  const medians = times.map(median);
  const medianOf = (runtime: string) => {
    const i = contenders.findIndex(([name]) => name === runtime);
    return i < 0 ? undefined : medians[i];
  };
  const tfjsMs = medianOf(tfjsName);
  const ortMs = medianOf(ORT_WEB_1);
  const rows = [
    ...contenders.map(([runtime], i) => ({
      runtime,
      medianMs: medians[i]!,
      madMs: mad(times[i]!),
      coldMs: median(cold[i]!),
    })),
    ...(ort1
      ? [{ runtime: `${ORT_WEB} (wasm SIMD, 2 threads, own process)`, medianMs: ort2, madMs: null, coldMs: null }]
      : []),
  ].map((row) => ({
    ...row,
    vsTfjsWasm: tfjsMs === undefined ? null : row.medianMs / tfjsMs,
    vsOrtWeb1: ortMs === undefined ? null : row.medianMs / ortMs,
  }));
  return {
    rows,
    skipped,
    compileMs,
    codeBytes: project.codeBytes,
    dataBytes: project.dataBytes,
    ...simd128Figures(modelStats(g).totals.macs, medians[0]!),
  };
}

/** A ratio to a peer, or a dash when that peer was left out. */
function ratio(x: number | null): string {
  return x === null || Number.isNaN(x) ? '—' : x.toFixed(2);
}

/** The table the benchmark prints. */
export function formatWasmBench(r: WasmBenchResult, runs: number): string {
  return [
    table(
      ['runtime', 'median ms', '± MAD', 'cold ms', '× TF.js wasm', '× ORT-web 1 thread'],
      r.rows.map((row) => [
        row.runtime,
        row.medianMs.toFixed(1),
        row.madMs === null ? '' : row.madMs.toFixed(1),
        row.coldMs === null ? '' : row.coldMs.toFixed(1),
        ratio(row.vsTfjsWasm),
        ratio(row.vsOrtWeb1),
      ]),
      [1, 2, 3, 4, 5],
    ),
    ...skippedLines(r.skipped),
    `${runs} timed runs each in blocks of ${BLOCK}, rotated between contenders after 2 warm-up runs each; each block's first run is untimed (caches just held the others' weights) and its median is the cold column. × < 1 is faster than that peer.`,
    simd128Line(r),
    `module: ${r.codeBytes} B code, ${r.dataBytes} B data (weights, biases, tables); compiled in ${r.compileMs.toFixed(0)} ms.`,
  ].join('\n');
}
