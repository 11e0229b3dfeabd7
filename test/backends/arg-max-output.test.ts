/**
 * ArgMax as a model output, compiled: a small seeded segmentation head (conv → ArgMax over channels, per pixel) and a
 * classifier (dense → ArgMax over classes) quantize to int8 with int32 index outputs (scale 1, zero point 0); the
 * integer reference equals the argmax of the dequantized int8 values (ties → the first index), C on the host and
 * WebAssembly in Node equal the reference (also quantized 16×8, on int16 logits), and the .tflite export (ARG_MAX) imports back computing the same indices;
 * `tinyedge run` (host) and `predict` print the indices (no top-5), `--json` with the reference values.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeArtifact } from '../../compiler/artifact/int8-artifact.ts';
import { exportInt8Tflite } from '../../compiler/exporters/tflite/export-int8.ts';
import { importTflite } from '../../compiler/frontends/tflite/import.ts';
import { NO_CLAMP } from '../../compiler/ir/attrs.ts';
import { type Graph, GraphBuilder, tensorOf } from '../../compiler/ir/graph.ts';
import { type Quantization, sizeOf } from '../../compiler/ir/tensor.ts';
import { quantize } from '../../compiler/pipeline.ts';
import { argMaxF32 } from '../../compiler/reference/f32/reduce.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import type { PredictionResult } from '../../compiler/run/prediction.ts';
import { buildC, firstDifference, runC } from '../support/c-build.ts';
import { tinyedge } from '../support/cli.ts';
import { mulberry32, seededUniform } from '../support/seeded.ts';
import { instantiateWasm } from '../support/wasm-build.ts';

const SIDE = 6;
const CLASSES = 5;

/** conv 3×3 (3 → 5 channels) then ArgMax over the channels: a label per pixel. */
function segmentationHead(): Graph {
  const b = new GraphBuilder('test:arg-max-segmentation');
  const next = mulberry32(11);
  const constant = (name: string, shape: number[]) =>
    b.constant(
      name,
      shape,
      Float32Array.from({ length: sizeOf(shape) }, () => 2 * next() - 1),
    );
  const x = b.input('image', [1, SIDE, SIDE, 3]);
  const logits = b.node('conv2d', 'logits', [x, constant('w', [CLASSES, 3, 3, 3]), constant('b', [CLASSES])], {
    strides: [1, 1],
    dilations: [1, 1],
    pads: [1, 1, 1, 1],
    clamp: NO_CLAMP,
  });
  b.graph.outputs.push(b.node('arg_max', 'labels', [logits], { axis: 3 }));
  return b.graph;
}

/** dense (12 → 7) on a flat input, then ArgMax over the classes (axis −1): a class index. */
function classifier(): Graph {
  const b = new GraphBuilder('test:arg-max-classifier');
  const next = mulberry32(12);
  const x = b.input('features', [1, 12]);
  const w = b.constant(
    'w',
    [7, 12],
    Float32Array.from({ length: 84 }, () => 2 * next() - 1),
  );
  const logits = b.node('fully_connected', 'logits', [x, w], { clamp: NO_CLAMP });
  b.graph.outputs.push(b.node('arg_max', 'class', [logits], { axis: -1 }));
  return b.graph;
}

function seededInputs(g: Graph, n: number, seed: number): Float32Array[] {
  const size = sizeOf(tensorOf(g, g.inputs[0]!).shape);
  return Array.from({ length: n }, (_, i) => seededUniform(seed + i, size, -1, 1));
}

function quantized(g: Graph): Graph {
  return quantize(g, seededInputs(g, 8, 40), { method: 'minmax', biasCorrection: false, activations: 'int8' });
}

function int8Inputs(g: Graph, n: number): Int8Array[] {
  const size = sizeOf(tensorOf(g, g.inputs[0]!).shape);
  return Array.from({ length: n }, (_, i) => Int8Array.from(seededUniform(70 + i, size, -128, 128), Math.floor));
}

/** The reference's indices, and the argmax of the dequantized int8 logits the ArgMax read. */
function indicesAndLogits(g: Graph, x: Int8Array): { indices: Int32Array; fromLogits: Float32Array } {
  const node = g.nodes.at(-1)!;
  const logits = tensorOf(g, node.inputs[0]!);
  let read: Int8Array = new Int8Array();
  const values = runInteger(
    g,
    { [g.inputs[0]!]: x },
    {
      onNode: (n, y) => {
        if (n.outputs[0] === logits.name) read = y as Int8Array;
      },
    },
  );
  const q = logits.quant as Quantization;
  const real = Float32Array.from(read, (v) => q.scale[0]! * (v - q.zeroPoint[0]!));
  const axis = node.op === 'arg_max' ? node.attrs.axis : 0;
  return { indices: values.get(g.outputs[0]!) as Int32Array, fromLogits: argMaxF32(real, logits.shape, axis) };
}

describe.each([
  ['a segmentation head (conv → ArgMax per pixel)', segmentationHead],
  ['a classifier (dense → ArgMax over classes)', classifier],
])('ArgMax as the output of %s', (_what, build) => {
  const g = quantized(build());
  const inputs = int8Inputs(g, 3);

  it('quantizes to int32 indices (scale 1, zero point 0); the reference is the argmax of the dequantized logits', () => {
    const out = tensorOf(g, g.outputs[0]!);
    expect(out.dtype).toBe('int32');
    expect(out.quant).toEqual({ scale: [1], zeroPoint: [0] });
    for (const x of inputs) {
      const { indices, fromLogits } = indicesAndLogits(g, x);
      expect(indices).toBeInstanceOf(Int32Array);
      expect(Array.from(indices)).toEqual(Array.from(fromLogits));
    }
  });

  it('C on the host and WebAssembly in Node return the reference indices', async () => {
    const built = buildC(g);
    const wasm = await instantiateWasm<Int8Array, Int32Array>(g);
    for (const [i, x] of inputs.entries()) {
      const want = indicesAndLogits(g, x).indices;
      expect(firstDifference(runC(built, x), want), `C, input ${i}`).toBeNull();
      wasm.setInput(x);
      wasm.run();
      expect(firstDifference(wasm.outputs()[g.outputs[0]!]!, want), `WASM, input ${i}`).toBeNull();
    }
  }, 120_000);

  it('16×8: C on the host and WebAssembly in Node return the reference indices of int16 logits', async () => {
    const f32 = build();
    const g16 = quantize(f32, seededInputs(f32, 8, 40), {
      method: 'minmax',
      biasCorrection: false,
      activations: 'int16',
    });
    expect(tensorOf(g16, g16.nodes.at(-1)!.inputs[0]!).dtype).toBe('int16');
    const built = buildC(g16);
    const wasm = await instantiateWasm<Int16Array, Int32Array>(g16);
    const size = sizeOf(tensorOf(g16, g16.inputs[0]!).shape);
    for (const seed of [1, 2]) {
      const x = Int16Array.from(seededUniform(seed, size, -32768, 32768), Math.floor);
      const want = runInteger(g16, { [g16.inputs[0]!]: x }).get(g16.outputs[0]!)!;
      expect(firstDifference(runC(built, x), want), `C, input ${seed}`).toBeNull();
      wasm.setInput(x);
      wasm.run();
      expect(firstDifference(wasm.outputs()[g16.outputs[0]!]!, want), `WASM, input ${seed}`).toBeNull();
    }
  }, 120_000);

  it('exports to .tflite as ARG_MAX and imports back computing the same indices', () => {
    const back = importTflite(exportInt8Tflite(g), 'arg-max.tflite').graph;
    expect(back.nodes.at(-1)!.op).toBe('arg_max');
    expect(tensorOf(back, back.outputs[0]!).dtype).toBe('int32');
    for (const x of inputs)
      expect(runInteger(back, { [back.inputs[0]!]: x }).get(back.outputs[0]!)).toEqual(indicesAndLogits(g, x).indices);
  });
});

describe('an ArgMax model on the command line', () => {
  it('`tinyedge run` on the host and `predict` print the indices, `--json` the reference values', () => {
    const g = quantized(segmentationHead());
    const dir = mkdtempSync(join(tmpdir(), 'tinyedge-arg-max-'));
    const artifact = join(dir, 'labels.tinyedge');
    const input = join(dir, 'x.i8');
    const x = int8Inputs(g, 1)[0]!;
    writeFileSync(input, x);
    writeFileSync(
      artifact,
      encodeArtifact({
        model: 'arg-max',
        graph: g,
        preprocessing: { scale: 1, offset: 0 },
        calibration: { method: 'minmax', images: 8, biasCorrection: false },
      }),
    );
    const want = Array.from(indicesAndLogits(g, x).indices);
    const out = join(dir, 'host');
    const c = tinyedge(['compile', artifact, '--target', 'host', '--out', out]);
    expect(c.status, c.stderr).toBe(0);
    for (const args of [
      ['run', out, '--input', input],
      ['predict', artifact, '--input', input],
    ]) {
      const json = tinyedge([...args, '--json']);
      expect(json.status, json.stderr).toBe(0);
      const result = JSON.parse(json.stdout) as PredictionResult;
      expect(result.output).toMatchObject({ name: 'labels', dtype: 'int32', scale: 1, zeroPoint: 0, data: want });
      expect(result.top).toEqual([]);
      const text = tinyedge(args);
      expect(text.stdout).toContain(
        `indices  'labels' [1, ${SIDE}, ${SIDE}]: ${want.slice(0, 16).join(' ')} … (36; all: --json)`,
      );
      expect(text.stdout).not.toContain('rank');
    }
  }, 120_000);
});
