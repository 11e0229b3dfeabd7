/**
 * Every output of a multi-output model, on every path: a small seeded two-output graph (the synthetic detector's
 * box and score heads, as a plain model) declares both in model.h's output table, writes both from the C host
 * runner, returns both by name from the WebAssembly loader, keeps both through .tflite and ONNX export and import,
 * and `tinyedge run` (host) and `predict` list both (`--json`: with their values); human:handtrack's boxes and scores (the shared quantized
 * fixture) come back from C on the host and WebAssembly in Node equal to the integer reference. Each model is
 * compiled once per backend.
 */

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeArtifact } from '../../compiler/artifact/int8-artifact.ts';
import { emitC } from '../../compiler/backends/c/emit-c.ts';
import { cScratchBytes } from '../../compiler/backends/c/render-nodes.ts';
import { exportInt8Onnx } from '../../compiler/exporters/onnx/export-int8.ts';
import { exportInt8Tflite } from '../../compiler/exporters/tflite/export-int8.ts';
import { importOnnx } from '../../compiler/frontends/onnx/import.ts';
import { importTflite } from '../../compiler/frontends/tflite/import.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import type { PredictionResult } from '../../compiler/run/prediction.ts';
import { quantizedSyntheticDetector } from '../detection/synthetic-detector.ts';
import { buildC, firstDifference, runC } from '../support/c-build.ts';
import { tinyedge } from '../support/cli.ts';
import { quantizedDefaultModel } from '../support/quantized-model.ts';
import { seededUniform } from '../support/seeded.ts';
import { instantiateWasm } from '../support/wasm-build.ts';

/** The graph without its detection description: a plain model with two outputs. */
function plainModel(g: Graph): Graph {
  const { detection: _, ...plain } = g;
  return plain;
}

/** A seeded int8 input of the graph. */
function seededInput(g: Graph, seed: number): Int8Array {
  return Int8Array.from(seededUniform(seed, sizeOf(tensorOf(g, g.inputs[0]!).shape), -128, 128), Math.floor);
}

/** Every output of the integer reference on x, in the graph's order. */
function referenceOutputs(g: Graph, x: Int8Array): Int8Array[] {
  const values = runInteger(g, { [g.inputs[0]!]: x });
  return g.outputs.map((o) => values.get(o) as Int8Array);
}

/** C on the host and WebAssembly in Node return every output equal to the reference on each input. */
async function expectEveryOutputBitExact(g: Graph, inputs: Int8Array[]): Promise<void> {
  const built = buildC(g);
  const wasm = await instantiateWasm(g);
  for (const [i, x] of inputs.entries()) {
    const reference = referenceOutputs(g, x);
    // The host runner writes every output one after another.
    const c = runC(built, x) as Int8Array;
    let at = 0;
    wasm.setInput(x);
    wasm.run();
    const named = wasm.outputs();
    expect(Object.keys(named)).toEqual(g.outputs);
    for (const [k, name] of g.outputs.entries()) {
      const want = reference[k]!;
      expect(firstDifference(c.subarray(at, at + want.length), want), `${name}, C, input ${i}`).toBeNull();
      at += want.length;
      expect(firstDifference(named[name]!, want), `${name}, WASM, input ${i}`).toBeNull();
    }
    expect(at, 'the runner wrote nothing more').toBe(c.length);
  }
}

describe('a seeded two-output model', () => {
  const g = plainModel(quantizedSyntheticDetector());
  const inputs = [1, 2].map((seed) => seededInput(g, seed));

  it('model.h declares both outputs (count, table, accessor) and keeps output 0 in MODEL_OUTPUT_*', () => {
    expect(g.outputs).toHaveLength(2);
    const plan = planMemory(g, cScratchBytes);
    const { files } = emitC(g, plan);
    const header = files['model.h']!;
    expect(header).toContain('#define MODEL_OUTPUT_COUNT 2');
    expect(header).toContain('extern const model_output_info model_outputs[MODEL_OUTPUT_COUNT];');
    expect(header).toContain('const void *model_output_at(const uint8_t *arena, int32_t index);');
    expect(header).toContain(`#define MODEL_OUTPUT_OFFSET ${plan.offsets.get(g.outputs[0]!)}`);
    for (const [i, name] of g.outputs.entries()) {
      const t = tensorOf(g, name);
      expect(files['model.c']).toContain(`{"${name}", ${t.shape.length}, model_output_shape${i}, `);
      expect(files['model.c']).toContain(`, ${sizeOf(t.shape)}, ${plan.offsets.get(name)}},`);
    }
  });

  it('C on the host and WebAssembly in Node return both outputs equal to the integer reference', async () => {
    await expectEveryOutputBitExact(g, inputs);
  }, 120_000);

  it.each([
    ['tflite', () => importTflite(exportInt8Tflite(g), 'two-outputs.tflite').graph],
    ['onnx', () => importOnnx(exportInt8Onnx(g), 'two-outputs.onnx').graph],
  ])('export to %s and import back keep both outputs, computing the same bytes', (_format, roundTrip) => {
    const back = roundTrip();
    expect(back.outputs).toHaveLength(2);
    for (const x of inputs) expect(referenceOutputs(back, x)).toEqual(referenceOutputs(g, x));
  });

  it('`tinyedge run` on the host and `predict` list both outputs, `--json` with the reference values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyedge-two-outputs-'));
    const artifact = join(dir, 'two.tinyedge');
    const input = join(dir, 'x.i8');
    writeFileSync(
      artifact,
      encodeArtifact({
        model: 'two-outputs',
        graph: g,
        preprocessing: { scale: 1, offset: 0 },
        calibration: { method: 'minmax', images: 8, biasCorrection: false },
      }),
    );
    const x = inputs[0]!;
    writeFileSync(input, x);
    const reference = referenceOutputs(g, x);
    const listed = (stdout: string) =>
      ((JSON.parse(stdout) as PredictionResult).outputs ?? []).map((o) => ({ name: o.name, data: o.data }));
    const want = g.outputs.map((name, k) => ({ name, data: Array.from(reference[k]!) }));
    const out = join(dir, 'host');
    const c = tinyedge(['compile', artifact, '--target', 'host', '--out', out]);
    expect(c.status, c.stderr).toBe(0);
    const compiled = JSON.parse(readFileSync(join(out, 'tinyedge.json'), 'utf8')) as { outputs: { name: string }[] };
    expect(compiled.outputs.map((o) => o.name)).toEqual(g.outputs);
    const r = tinyedge(['run', out, '--input', input, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(listed(r.stdout)).toEqual(want);
    const text = tinyedge(['run', out, '--input', input]);
    expect(text.stdout).toContain(
      `outputs  2: '${g.outputs[0]}' int8 [${tensorOf(g, g.outputs[0]!).shape.join(', ')}], '${g.outputs[1]}' int8`,
    );
    const p = tinyedge(['predict', artifact, '--input', input, '--json']);
    expect(p.status, p.stderr).toBe(0);
    expect(listed(p.stdout)).toEqual(want);
  }, 120_000);
});

describe('human:handtrack as a plain two-output model', () => {
  let g: Graph;

  beforeAll(async () => {
    g = plainModel((await quantizedDefaultModel(0, 'human:handtrack')).int8);
  }, 900_000);

  it('C on the host and WebAssembly in Node return its boxes and scores equal to the integer reference', async () => {
    expect(g.outputs).toHaveLength(2);
    await expectEveryOutputBitExact(g, [seededInput(g, 3)]);
  }, 300_000);
});
