/**
 * @fileoverview `tinyedge bench --target wasm32 --browser`: tinyedge's int8 WebAssembly in Debian's headless Chromium
 * beside TFLite-web (@tensorflow/tfjs-tflite: TFLite's own WebAssembly with XNNPACK's int8 kernels, on our .tflite
 * export of the same int8 model; its one-thread SIMD build and its threaded build), TF.js wasm f32 and
 * onnxruntime-web int8 on our ONNX export, all in one page session: medians of rotating blocks, ratios, and
 * TFLite-web's output bytes against ours (XNNPACK's requantization may differ on rare ties: counted, never hidden).
 */
import { wasmScratchBytes } from '../../compiler/backends/wasm/kernel-table.ts';
import { wasmProject } from '../../compiler/backends/wasm/package/project.ts';
import { exportInt8Onnx } from '../../compiler/exporters/onnx/export-int8.ts';
import { exportInt8Tflite } from '../../compiler/exporters/tflite/export-int8.ts';
import { concatShards, type TfjsArtifacts } from '../../compiler/frontends/tfjs-common/artifacts.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { modelStats } from '../../compiler/ir/stats.ts';
import type { Quantization } from '../../compiler/ir/tensor.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import { quantizeArray } from '../../compiler/quantize/prepare/quant-params.ts';
import { table } from '../../compiler/terminal/format.ts';
import { openBenchPage } from './browser/bench-page.ts';
import type { PageConfig, PageResult } from './browser/page-protocol.ts';
import { type SkippedPeer, skippedLines, tryPeer } from './peers.ts';
import { mad, median } from './stats.ts';
import { BLOCK, type Simd128Figures, simd128Figures, simd128Line } from './wasm32.ts';

/** TFLite-web's threaded build runs on this many threads (the machines the issue measures have two cores). */
export const TFLITE_THREADS = 2;

/** The ratios' references: rows whose names start so (the page's contender names). */
const TFLITE_1 = 'TFLite-web int8 (XNNPACK, SIMD, 1 thread)';
const TFLITE_N = 'TFLite-web int8 (XNNPACK, SIMD, threaded build';
const TFJS = 'TF.js wasm f32';

/** TFLite-web's output bytes against tinyedge's on the same input. */
export interface OutputCheck {
  runtime: string;
  /** Output bytes compared (every output tensor, matched by name). */
  bytes: number;
  differing: number;
  maxAbsDiff: number;
  /** Output tensors of TFLite-web with no tinyedge output of that name and size (counted as all differing). */
  unmatched: string[];
}

/** What the browser bench measured; a ratio is null when that peer was left out. */
export interface BrowserBenchResult extends Simd128Figures {
  rows: {
    runtime: string;
    medianMs: number;
    madMs: number;
    coldMs: number;
    vsTflite1: number | null;
    vsTfliteThreaded: number | null;
    vsTfjsWasm: number | null;
  }[];
  skipped: SkippedPeer[];
  outputChecks: OutputCheck[];
  codeBytes: number;
  crossOriginIsolated: boolean;
  cores: number;
  browser: string;
  /** Console errors and failed requests of the page (none expected). */
  pageErrors: string[];
}

/** Each TFLite-web row's outputs against tinyedge's, tensor by tensor (by name). */
function checkOutputs(outputs: PageResult['outputs']): OutputCheck[] {
  const [ours, ...theirs] = outputs;
  if (!ours?.runtime.startsWith('tinyedge')) return [];
  const byName = new Map(ours.tensors.map((t) => [t.tensor, t.values]));
  return theirs.map(({ runtime, tensors }) => {
    const check: OutputCheck = { runtime, bytes: 0, differing: 0, maxAbsDiff: 0, unmatched: [] };
    for (const { tensor, values } of tensors) {
      const mine = byName.get(tensor);
      check.bytes += values.length;
      if (!mine || mine.length !== values.length) {
        check.unmatched.push(tensor);
        check.differing += values.length;
        continue;
      }
      for (let i = 0; i < values.length; i++) {
        const d = Math.abs(values[i]! - mine[i]!);
        if (d) check.differing++;
        check.maxAbsDiff = Math.max(check.maxAbsDiff, d);
      }
    }
    return check;
  });
}

/** The TF.js graph model as the page loads it: model.json without shard paths, and the weights in one file. */
function tfjsFiles(artifacts: TfjsArtifacts): Record<string, string | Uint8Array> {
  if (!Array.isArray((artifacts.json.modelTopology as { node?: unknown }).node))
    throw new Error('the browser bench runs TF.js graph models; this is a layers model');
  const json = {
    format: artifacts.json.format,
    modelTopology: artifacts.json.modelTopology,
    weightSpecs: artifacts.json.weightsManifest.flatMap((g) => g.weights),
  };
  return {
    'tfjs/model.json': JSON.stringify(json),
    'tfjs/weights.bin': new Uint8Array(concatShards(artifacts.shards.flat())),
  };
}

/**
 * Benchmarks `g` in Chromium against TFLite-web on its .tflite export, TF.js wasm on `tfjsTwin()` (to `tfjsOutputs`
 * by executeAsync when tinyedge's graph is cut before the model's own outputs) and onnxruntime-web on its ONNX
 * export. `x` is the f32 input (quantized here for the int8 runtimes).
 */
export async function benchWasmInBrowser(
  g: Graph,
  x: Float32Array,
  tfjsTwin: () => TfjsArtifacts,
  runs: number,
  log: (s: string) => void,
  tfjsOutputs?: string[],
): Promise<BrowserBenchResult> {
  const shape = tensorOf(g, g.inputs[0]!).shape;
  const xi = quantizeArray(x, tensorOf(g, g.inputs[0]!).quant as Quantization);
  const project = wasmProject(g, planMemory(g, wasmScratchBytes), 'bench', undefined, { scale: 1, offset: 0 });
  // The threaded row runs its own compile: split layers never write over their input, so its plan differs.
  const threaded = wasmProject(
    g,
    planMemory(g, wasmScratchBytes, { threads: TFLITE_THREADS }),
    'bench',
    undefined,
    { scale: 1, offset: 0 },
    TFLITE_THREADS,
  );
  const skipped: SkippedPeer[] = [];
  const tflite = await tryPeer('TFLite-web int8', () => exportInt8Tflite(g), skipped, log);
  const onnx = await tryPeer('onnxruntime-web int8', () => exportInt8Onnx(g), skipped, log);
  const tfjs = await tryPeer(TFJS, () => tfjsFiles(tfjsTwin()), skipped, log);
  const detector = project.files['ssd-postprocess.wasm'] !== undefined;
  const files: Record<string, string | Uint8Array> = {
    'model.wasm': project.files['model.wasm'] as Uint8Array,
    'model.json': JSON.stringify(project.info),
    'threads/model.wasm': threaded.files['model.wasm'] as Uint8Array,
    'threads/model-threads.wasm': threaded.files['model-threads.wasm'] as Uint8Array,
    'threads/model.json': JSON.stringify(threaded.info),
    'tinyedge-thread.js': threaded.files['tinyedge-thread.js'] as string | Uint8Array,
    ...(detector ? { 'ssd-postprocess.wasm': project.files['ssd-postprocess.wasm'] as Uint8Array } : {}),
    'input.i8': new Uint8Array(xi.buffer, xi.byteOffset, xi.byteLength),
    'input.f32': new Uint8Array(x.buffer, x.byteOffset, x.byteLength),
    ...(tflite ? { 'model.tflite': tflite } : {}),
    ...(onnx ? { 'model.onnx': onnx } : {}),
    ...tfjs,
  };
  const config: PageConfig = {
    runs,
    block: BLOCK,
    shape,
    detector,
    ...(tfjsOutputs ? { tfjsOutputs } : {}),
    tfliteThreads: TFLITE_THREADS,
    tinyedgeThreads: TFLITE_THREADS,
    files: { tflite: !!tflite, onnx: !!onnx, tfjs: !!tfjs },
  };
  log('opening the bench page in Chromium…');
  const opened = await openBenchPage(files);
  try {
    const r = await opened.page.evaluate(
      (c) => (window as unknown as { runBench(c: PageConfig): Promise<PageResult> }).runBench(c),
      config,
    );
    for (const s of r.skipped) log(`${s.runtime} left out: ${s.reason}`);
    const medians = r.times.map((t) => median(t.times));
    const medianOf = (prefix: string) => {
      const i = r.times.findIndex((t) => t.runtime.startsWith(prefix));
      return i < 0 ? undefined : medians[i];
    };
    const over = (ms: number, ref: number | undefined) => (ref === undefined ? null : ms / ref);
    const [tflite1, tfliteN, tfjsMs] = [medianOf(TFLITE_1), medianOf(TFLITE_N), medianOf(TFJS)];
    const rows = r.times.map((t, i) => ({
      runtime: t.runtime,
      medianMs: medians[i]!,
      madMs: mad(t.times),
      coldMs: median(t.cold),
      vsTflite1: over(medians[i]!, tflite1),
      vsTfliteThreaded: over(medians[i]!, tfliteN),
      vsTfjsWasm: over(medians[i]!, tfjsMs),
    }));
    const ours = r.times[0]?.runtime.startsWith('tinyedge') ? medians[0]! : Number.NaN;
    return {
      rows,
      skipped: [...skipped, ...r.skipped],
      outputChecks: checkOutputs(r.outputs),
      codeBytes: project.codeBytes,
      crossOriginIsolated: r.crossOriginIsolated,
      cores: r.cores,
      browser: opened.page.context().browser()?.version() ?? 'unknown',
      pageErrors: opened.errors,
      ...simd128Figures(modelStats(g).totals.macs, ours),
    };
  } finally {
    await opened.close();
  }
}

/** A ratio, or a dash when that peer was left out. */
const ratio = (x: number | null) => (x === null || Number.isNaN(x) ? '—' : x.toFixed(2));

/** One line per output check: how many of TFLite-web's output bytes differ from ours, and by how much at most. */
function outputCheckLines(checks: readonly OutputCheck[]): string[] {
  return checks.map(
    (c) =>
      `${c.runtime} output vs tinyedge: ${c.differing} of ${c.bytes} bytes differ, max |difference| ${c.maxAbsDiff}${c.unmatched.length ? ` (no tinyedge output for ${c.unmatched.join(', ')})` : ''}`,
  );
}

/** tinyedge's and TFLite-web's threaded rows over their one-thread rows. */
function threadSpeedupLines(rows: BrowserBenchResult['rows']): string[] {
  const ms = (prefix: string, threaded: boolean) =>
    rows.find((r) => r.runtime.startsWith(prefix) && /1 thread\b/.test(r.runtime) !== threaded)?.medianMs;
  return (['tinyedge', 'TFLite-web'] as const).flatMap((name) => {
    const [one, many] = [ms(name, false), ms(name, true)];
    return one !== undefined && many !== undefined
      ? [
          `${name}: speedup on ${TFLITE_THREADS} threads ${(one / many).toFixed(2)}× (its one-thread time over its threaded time)`,
        ]
      : [];
  });
}

/** The table the browser bench prints, and the lines under it. */
export function formatBrowserBench(r: BrowserBenchResult, runs: number): string {
  return [
    table(
      [
        'runtime',
        'median ms',
        '± MAD',
        'cold ms',
        '× TFLite-web 1 thread',
        `× TFLite-web ${TFLITE_THREADS} threads`,
        '× TF.js wasm',
      ],
      r.rows.map((row) => [
        row.runtime,
        row.medianMs.toFixed(1),
        row.madMs.toFixed(1),
        row.coldMs.toFixed(1),
        ratio(row.vsTflite1),
        ratio(row.vsTfliteThreaded),
        ratio(row.vsTfjsWasm),
      ]),
      [1, 2, 3, 4, 5, 6],
    ),
    ...skippedLines(r.skipped),
    ...threadSpeedupLines(r.rows),
    ...outputCheckLines(r.outputChecks),
    `${runs} timed runs each in blocks of ${BLOCK}, rotated between contenders in one page after 2 warm-up runs each; each block's first run is untimed and its median is the cold column. × < 1 is faster than that peer.`,
    simd128Line(r),
    `Chromium ${r.browser}, ${r.crossOriginIsolated ? 'cross-origin isolated' : 'NOT cross-origin isolated (no threads)'}, ${r.cores} logical cores; module code ${r.codeBytes} B.`,
    ...r.pageErrors.map((e) => `page error: ${e}`),
  ].join('\n');
}
