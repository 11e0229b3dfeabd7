/**
 * The browser bench end to end on the smallest model (builder:mobilenet_v2_0.35_96), one block of runs: the page
 * opens in Chromium cross-origin isolated without errors, tinyedge (one thread, and two workers sharing its memory),
 * TFLite-web (1-thread SIMD and threaded builds) and onnxruntime-web are rows of the table, tinyedge's two workers give
 * its one-thread bytes exactly, TF.js is left out with its reason (a builder has no TF.js twin), and
 * TFLite-web's output bytes were compared with ours. Timings are not asserted: this is not a timed test.
 */
import { describe, expect, it } from 'vitest';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import { mulberry32 } from '../../models/builders/mulberry32.ts';
import { benchWasmInBrowser, formatBrowserBench } from '../../tools/bench/wasm32-browser.ts';
import { quantizedDefaultModel } from '../support/quantized-model.ts';

describe('tinyedge bench --target wasm32 --browser', () => {
  it('times every contender in one Chromium page and compares TFLite-web output bytes with ours', async () => {
    const { int8 } = await quantizedDefaultModel(0, 'builder:mobilenet_v2_0.35_96');
    const random = mulberry32(1);
    const x = Float32Array.from({ length: sizeOf(tensorOf(int8, int8.inputs[0]!).shape) }, () => 2 * random() - 1);
    const noTwin = () => {
      throw new Error('no TF.js twin');
    };
    const r = await benchWasmInBrowser(int8, x, noTwin, 1, () => {});
    expect(r.pageErrors).toEqual([]);
    expect(r.crossOriginIsolated).toBe(true);
    expect(r.rows.map((row) => row.runtime)).toEqual([
      'tinyedge int8 WebAssembly (SIMD128, 1 thread)',
      'tinyedge int8 WebAssembly (SIMD128, 2 threads: page + workers)',
      'TFLite-web int8 (XNNPACK, SIMD, 1 thread)',
      'TFLite-web int8 (XNNPACK, SIMD, threaded build, 2 threads)',
      'onnxruntime-web int8 (wasm SIMD, 1 thread)',
    ]);
    expect(r.rows.every((row) => row.medianMs > 0)).toBe(true);
    expect(r.skipped.map((s) => s.runtime)).toEqual(['TF.js wasm f32']);
    expect(r.outputChecks.map((c) => [c.runtime, c.bytes, c.unmatched])).toEqual([
      ['tinyedge int8 WebAssembly (SIMD128, 2 threads: page + workers)', 1000, []],
      ['TFLite-web int8 (XNNPACK, SIMD, 1 thread)', 1000, []],
      ['TFLite-web int8 (XNNPACK, SIMD, threaded build, 2 threads)', 1000, []],
    ]);
    expect(r.outputChecks[0]!.differing).toBe(0);
    // XNNPACK's requantization may differ from TFLite's reference on rare ties: at most by one, on a few bytes.
    for (const c of r.outputChecks) expect(c.maxAbsDiff).toBeLessThanOrEqual(1);
    const printed = formatBrowserBench(r, 1);
    expect(printed).toMatch(/TFLite-web int8 \(XNNPACK, SIMD, 1 thread\) output vs tinyedge: \d+ of 1000 bytes differ/);
    expect(printed).toContain('SIMD128 limit');
    expect(printed).toMatch(/tinyedge: speedup on 2 threads [\d.]+×/);
  }, 120_000);
});
