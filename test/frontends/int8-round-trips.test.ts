/**
 * Round trips through the formats users carry models in: the default MobileNetV2 quantized by tinyedge, exported
 * with `tinyedge export --format tflite` or `--format onnx` and imported back, computes identical int8 bytes (output
 * and pooled features) on every sample photo and seeded random inputs — each export keeps every weight, bias, scale
 * and zero point, and each importer reads the op semantics back.
 */

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeArtifact } from '../../compiler/artifact/int8-artifact.ts';
import { exportInt8Onnx } from '../../compiler/exporters/onnx/export-int8.ts';
import { exportInt8Tflite } from '../../compiler/exporters/tflite/export-int8.ts';
import { importOnnx } from '../../compiler/frontends/onnx/import.ts';
import { importTflite } from '../../compiler/frontends/tflite/import.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { type Quantization, sizeOf } from '../../compiler/ir/tensor.ts';
import { tupleOf } from '../../compiler/ir/tuple.ts';
import { quantizeArray } from '../../compiler/quantize/prepare/quant-params.ts';
import { fidelityTensors } from '../../compiler/quantize/report.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import type { LoadedModel } from '../../models/registry.ts';
import { firstDifference } from '../support/c-build.ts';
import { tinyedge } from '../support/cli.ts';
import { quantizedDefaultModel } from '../support/quantized-model.ts';
import { photoInput, SAMPLE_PHOTOS } from '../support/samples.ts';
import { seededUniform } from '../support/seeded.ts';

let model: LoadedModel;
let int8: Graph;
let inputs: Int8Array[];

beforeAll(async () => {
  ({ model, int8 } = await quantizedDefaultModel(1));
  const quant = tensorOf(int8, int8.inputs[0]!).quant as Quantization;
  const n = sizeOf(tensorOf(int8, int8.inputs[0]!).shape);
  inputs = [
    ...(await Promise.all(SAMPLE_PHOTOS.map(async (f) => quantizeArray(await photoInput(model, f), quant)))),
    ...[1, 2].map((seed) => Int8Array.from(seededUniform(seed, n, -128, 128), (v) => Math.floor(v))),
  ];
}, 600_000);

describe.each([
  ['tflite', () => importTflite(exportInt8Tflite(int8), 'round-trip.tflite').graph],
  ['onnx', () => importOnnx(exportInt8Onnx(int8), 'round-trip.onnx').graph],
])('default MobileNetV2: import(export(model)) as %s', (_format, roundTrip) => {
  it('identical output and pooled-feature bytes on every photo and seeded random inputs', () => {
    const back = roundTrip();
    const features = fidelityTensors(int8).features as string;
    expect(back.tensors.has(features)).toBe(true);
    /** The graph's output and its pooled features on x. */
    const run = (g: Graph, x: Int8Array): Int8Array[] => {
      let pooled: Int8Array = new Int8Array(0);
      const y = runInteger(
        g,
        { [g.inputs[0]!]: x },
        {
          onNode: (node, out) => {
            if (node.outputs[0] === features) pooled = out as Int8Array;
          },
        },
      ).get(g.outputs[0]!) as Int8Array;
      return [y, pooled];
    };
    for (const [i, x] of inputs.entries()) {
      const [ya, fa] = tupleOf(run(int8, x), 2);
      const [yb, fb] = tupleOf(run(back, x), 2);
      expect(fa.length).toBeGreaterThan(1000);
      expect(firstDifference(yb, ya), `output, input ${i}`).toBeNull();
      expect(firstDifference(fb, fa), `features, input ${i}`).toBeNull();
    }
  });
});

describe('round trips through the CLI', () => {
  it.each(['tflite', 'onnx'])(
    'through the CLI: `export --format %s`, then `predict` on the file prints the artifact’s output',
    (format) => {
      const dir = mkdtempSync(join(tmpdir(), 'tinyedge-round-trip-'));
      const artifact = join(dir, 'model.tinyedge');
      writeFileSync(
        artifact,
        encodeArtifact({
          model: 'nsfwjs:mobilenet_v2_mid',
          graph: int8,
          preprocessing: model.preprocessing,
          calibration: { method: 'minmax', images: 5, biasCorrection: true },
        }),
      );
      const exported = join(dir, `model.${format}`);
      const e = tinyedge(['export', artifact, '--format', format, '--out', exported]);
      expect(e.status, e.stderr).toBe(0);
      expect(e.stdout).toMatch(
        new RegExp(
          `wrote .*model\\.${format} \\(\\d+ bytes, ${format === 'tflite' ? 'TFLite schema 3' : 'ONNX opset 13'}`,
        ),
      );
      writeFileSync(join(dir, 'x.i8'), inputs[0]!);
      const r = tinyedge(['predict', exported, '--input', join(dir, 'x.i8'), '--json']);
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).output.data).toEqual(
        Array.from(runInteger(int8, { [int8.inputs[0]!]: inputs[0]! }).get(int8.outputs[0]!) as Int8Array),
      );
      // Nothing the user had is replaced without --force.
      const again = tinyedge(['export', artifact, '--format', format, '--out', exported]);
      expect(again.status).toBe(2);
      expect(readFileSync(exported).length).toBeGreaterThan(0);
    },
    300_000,
  );
});
