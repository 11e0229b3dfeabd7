/**
 * @fileoverview `npm run bench -- --target wasm32`: tinyedge's int8 WebAssembly (SIMD128, in Node's V8) against
 * TF.js wasm (XNNPACK, SIMD, f32, one thread) on the same photo and onnxruntime-web int8 on our ONNX export (one
 * thread interleaved in this process; two threads in a process of its own, since its thread count is fixed at
 * start). Medians of interleaved runs, ratios, the module's code and data bytes, and the compile time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { Quantization } from '../../compiler/ir/tensor.ts';
import { modelStats } from '../../compiler/ir/stats.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import { wasmScratchBytes } from '../../compiler/backends/wasm/render-layers.ts';
import { wasmProject } from '../../compiler/backends/wasm/project.ts';
import { exportInt8Onnx } from '../../compiler/exporters/onnx/export-int8.ts';
import { quantizeArray } from '../../compiler/quantize/quant-params.ts';
import { table } from '../../compiler/cli/format.ts';
import { TinyedgeModel } from '../../runtime/wasm/tinyedge-loader.js';
import { TfjsArtifacts } from '../../compiler/frontends/tfjs-common/artifacts.ts';
import { loadTfjsModel, useTfjsBackend } from '../peers/tfjs.ts';
import { loadOrtWebPeer } from '../peers/onnxruntime-web.ts';
import { mad, median } from './stats.ts';

/** What the wasm32 benchmark measured. */
export interface WasmBenchResult {
  rows: { runtime: string; medianMs: number; madMs: number | null; vsTfjsWasm: number; vsOrtWeb1: number }[];
  compileMs: number;
  codeBytes: number;
  dataBytes: number;
  macs: number;
  macsPerSecond: number;
}

/** Benchmarks the int8 graph as WebAssembly against the peers; `x` is the f32 input, `artifacts` the TF.js model. */
export async function benchWasm(g: Graph, x: Float32Array, artifacts: TfjsArtifacts, runs: number, log: (s: string) => void): Promise<WasmBenchResult> {
  const shape = tensorOf(g, g.inputs[0]).shape;
  const xi = quantizeArray(x, tensorOf(g, g.inputs[0]).quant as Quantization);
  const t0 = performance.now();
  const project = wasmProject(g, planMemory(g, wasmScratchBytes), 'bench', undefined, { scale: 1, offset: 0 });
  const compileMs = performance.now() - t0;
  const ours = await TinyedgeModel.load(project.files['model.wasm'] as Uint8Array, project.info);
  await useTfjsBackend('wasm');
  const tfjs = await loadTfjsModel(artifacts);
  const onnx = exportInt8Onnx(g);
  const ort1 = await loadOrtWebPeer(onnx, shape, 1);
  const contenders: [string, () => Promise<unknown> | unknown][] = [
    ['tinyedge int8 WebAssembly (SIMD128, 1 thread)', () => (ours.setInput(xi), ours.run())],
    ['TF.js wasm f32 (XNNPACK SIMD, 1 thread)', () => tfjs.predict(x, shape)],
    ['onnxruntime-web int8 (wasm SIMD, 1 thread)', () => ort1.run(xi)],
  ];
  const times = contenders.map(() => [] as number[]);
  for (let round = -2; round < runs; round++) {
    for (const [i, [, run]] of contenders.entries()) {
      const start = performance.now();
      await run();
      if (round >= 0) times[i].push(performance.now() - start);
    }
    if (round >= 0 && (round + 1) % 5 === 0) log(`round ${round + 1}/${runs}`);
  }
  log('onnxruntime-web with 2 threads, in a process of its own…');
  const file = join(mkdtempSync(join(tmpdir(), 'tinyedge-bench-')), 'model.onnx');
  writeFileSync(file, onnx);
  const r = spawnSync(process.execPath, ['bin/run-ts.mjs', 'tools/peers/onnxruntime-web.ts', file, '2', String(runs), JSON.stringify(shape)], { encoding: 'utf8' });
  const ort2 = r.status === 0 && r.stdout.trim() ? (JSON.parse(r.stdout) as { medianMs: number }).medianMs : NaN;
  const medians = times.map(median);
  const rows = [
    ...contenders.map(([runtime], i) => ({ runtime, medianMs: medians[i], madMs: mad(times[i]) })),
    { runtime: 'onnxruntime-web int8 (wasm SIMD, 2 threads, own process)', medianMs: ort2, madMs: null },
  ].map((row) => ({ ...row, vsTfjsWasm: row.medianMs / medians[1], vsOrtWeb1: row.medianMs / medians[2] }));
  const macs = modelStats(g).totals.macs;
  return { rows, compileMs, codeBytes: project.codeBytes, dataBytes: project.dataBytes, macs, macsPerSecond: macs / (medians[0] / 1000) };
}

/** The table the benchmark prints. */
export function formatWasmBench(r: WasmBenchResult, runs: number): string {
  return [
    table(
      ['runtime', 'median ms', '± MAD', '× TF.js wasm', '× ORT-web 1 thread'],
      r.rows.map((row) => [row.runtime, row.medianMs.toFixed(1), row.madMs === null ? '' : row.madMs.toFixed(1), row.vsTfjsWasm.toFixed(2), row.vsOrtWeb1.toFixed(2)]),
      [1, 2, 3, 4],
    ),
    `${runs} timed runs each after 2 warm-up, interleaved. × < 1 is faster than that peer.`,
    `tinyedge: ${(r.macsPerSecond / 1e9).toFixed(2)} G MACs/s (${(r.macs / 1e6).toFixed(1)}M MACs); the SIMD128 limit is 8 MACs per i32x4.dot_i16x8_s, ~${((8 * 3e9) / 1e9).toFixed(0)} G MACs/s at one dot per cycle at 3 GHz.`,
    `module: ${r.codeBytes} B code, ${r.dataBytes} B data (weights, biases, tables); compiled in ${r.compileMs.toFixed(0)} ms.`,
  ].join('\n');
}
