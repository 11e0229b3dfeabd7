/**
 * Float .tflite import on a MobileNetV2-style block written by tinyedge's own .tflite writer: with FLOAT32 weights
 * and with FLOAT16 weights behind DEQUANTIZE, the f32 reference equals TFLite's own runtime (TFLite-web in
 * Chromium) within 1e-4 before and after the passes; dynamic-range int8 weights are dequantized on import exactly;
 * and the float model then quantizes, and its C build equals the int8 reference on host.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importTflite } from '../../compiler/frontends/tflite/import.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import type { Quantization } from '../../compiler/ir/tensor.ts';
import { loadModelFile, optimize, quantize } from '../../compiler/pipeline.ts';
import { quantizeArray } from '../../compiler/quantize/prepare/quant-params.ts';
import { runF32 } from '../../compiler/reference/f32/interpreter.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { buildC, firstDifference, runC } from '../support/c-build.ts';
import { FLOAT_TFLITE_INPUT, floatTfliteModel } from '../support/float-tflite-model.ts';
import { seededUniform } from '../support/seeded.ts';
import { runTfliteWeb } from '../support/tflite-web.ts';
import { instantiateWasm } from '../support/wasm-build.ts';

const SIZE = FLOAT_TFLITE_INPUT.reduce((a, b) => a * b, 1);
const inputs = [1, 2, 3].map((s) => seededUniform(200 + s, SIZE, -1, 1));
const models = { f32: floatTfliteModel('f32'), f16: floatTfliteModel('f16') };

/** The graph's f32 output for x. */
function outputF32(g: ReturnType<typeof optimize>, x: Float32Array): Float32Array {
  return runF32(g, { [g.inputs[0]!]: x }).get(g.outputs[0]!) as Float32Array;
}

describe('float .tflite frontend', () => {
  it('FLOAT32 and FLOAT16 weights: the f32 reference equals TFLite-web within 1e-4, before and after the passes', async () => {
    const oracle = await runTfliteWeb(models, inputs);
    for (const [name, bytes] of Object.entries(models)) {
      const { graph, quantized } = importTflite(bytes, `${name}.tflite`);
      expect(quantized).toBe(false);
      expect(graph.nodes.map((n) => n.op)).not.toContain('dequantize');
      for (const g of [graph, optimize(graph)]) {
        inputs.forEach((x, k) => {
          const expected = oracle[name]![k]!;
          const y = outputF32(g, x);
          expect(y.length).toBe(expected.length);
          y.forEach((v, i) => {
            expect(Math.abs(v - expected[i]!), `${name}, input ${k}, element ${i}`).toBeLessThan(1e-4);
          });
        });
      }
    }
  }, 120_000);

  it('dynamic-range int8 weights are dequantized on import: the same graph as FLOAT32 weights of those values', () => {
    const dynamic = importTflite(floatTfliteModel('int8'), 'int8.tflite').graph;
    const twin = importTflite(floatTfliteModel('int8Twin'), 'twin.tflite').graph;
    for (const x of inputs) expect(outputF32(dynamic, x)).toEqual(outputF32(twin, x));
  });

  it('loads as a float model, quantizes, and its C build and WebAssembly module equal the int8 reference', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tinyedge-float-tflite-')), 'block.tflite');
    writeFileSync(file, models.f32);
    const loaded = loadModelFile(file);
    expect(loaded.quantized).toBe(false);
    const int8 = quantize(optimize(loaded.graph), inputs, { method: 'minmax', biasCorrection: false });
    const q = tensorOf(int8, int8.inputs[0]!).quant as Quantization;
    const built = buildC(int8);
    const wasm = await instantiateWasm(int8);
    for (const x of inputs.map((v) => quantizeArray(v, q))) {
      const expected = runInteger(int8, { [int8.inputs[0]!]: x }).get(int8.outputs[0]!) as Int8Array;
      expect(firstDifference(runC(built, x), expected)).toBeNull();
      wasm.setInput(x);
      wasm.run();
      expect(firstDifference(wasm.output(), expected)).toBeNull();
    }
  }, 120_000);
});
