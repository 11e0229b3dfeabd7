/**
 * TopK as a model output, compiled: a small seeded classifier (dense → TopK, values and indices both outputs) and a
 * per-pixel head (conv → reshape to rows → TopK) quantize to int8 values in the logits' quantization and int32
 * indices; the integer reference's indices are the best-first order of the int8 logits (ties → the lower index) and
 * its values those logits; C on the host and WebAssembly in Node return both outputs equal to the reference (and
 * quantized 16×8: int16 values), and the .tflite export (one TOPK_V2 for the pair) imports back computing the same values and indices.
 */

import { describe, expect, it } from 'vitest';
import { exportInt8Tflite } from '../../compiler/exporters/tflite/export-int8.ts';
import { importTflite } from '../../compiler/frontends/tflite/import.ts';
import { NO_CLAMP } from '../../compiler/ir/attrs.ts';
import { type Graph, GraphBuilder, tensorOf } from '../../compiler/ir/graph.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import { quantize } from '../../compiler/pipeline.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { buildC, firstDifference, runC } from '../support/c-build.ts';
import { mulberry32, seededUniform } from '../support/seeded.ts';
import { instantiateWasm } from '../support/wasm-build.ts';

/** Ends `logits` in a TopK of k, its values then its indices as the model's outputs. */
function topKOutputs(b: GraphBuilder, logits: string, k: number): void {
  b.graph.outputs.push(
    b.node('top_k_values', 'top_values', [logits], { k }),
    b.node('top_k_indices', 'top_indices', [logits], { k }),
  );
}

function seeded(b: GraphBuilder, seed: number) {
  const next = mulberry32(seed);
  return (name: string, shape: number[]) =>
    b.constant(
      name,
      shape,
      Float32Array.from({ length: sizeOf(shape) }, () => 2 * next() - 1),
    );
}

/** dense (12 → 10) then the top 4 classes. */
function classifier(): Graph {
  const b = new GraphBuilder('test:top-k-classifier');
  const constant = seeded(b, 31);
  const logits = b.node('fully_connected', 'logits', [b.input('features', [1, 12]), constant('w', [10, 12])], {
    clamp: NO_CLAMP,
  });
  topKOutputs(b, logits, 4);
  return b.graph;
}

/** conv 3×3 (3 → 6 channels) on 5×5, reshaped to 25 rows, then the top 2 channels of each pixel. */
function pixelHead(): Graph {
  const b = new GraphBuilder('test:top-k-pixels');
  const constant = seeded(b, 32);
  const conv = b.node('conv2d', 'logits', [b.input('image', [1, 5, 5, 3]), constant('w', [6, 3, 3, 3])], {
    strides: [1, 1],
    dilations: [1, 1],
    pads: [1, 1, 1, 1],
    clamp: NO_CLAMP,
  });
  topKOutputs(b, b.node('reshape', 'rows', [conv], { shape: [1, 25, 6] }), 2);
  return b.graph;
}

/** C on the host and WebAssembly in Node return the values and indices of the integer reference. */
async function expectCAndWasmEqualReference(g: Graph, inputs: (Int8Array | Int16Array)[]): Promise<void> {
  const built = buildC(g);
  const wasm = await instantiateWasm<Int8Array | Int16Array, Int8Array | Int16Array | Int32Array>(g);
  for (const [i, x] of inputs.entries()) {
    const ref = runInteger(g, { [g.inputs[0]!]: x });
    const [values, indices] = g.outputs.map((o) => ref.get(o)!);
    // The host runner writes every output one after another: the values (int8 or little-endian int16), then
    // little-endian int32 indices; runC reads the whole file as the first output's type.
    const out = runC(built, x) as Int8Array | Int16Array;
    const bytes = new DataView(new ArrayBuffer(out.length * out.BYTES_PER_ELEMENT));
    for (const [j, v] of out.entries()) {
      if (out instanceof Int8Array) bytes.setInt8(j, v);
      else bytes.setInt16(2 * j, v, true);
    }
    const at = values!.length * out.BYTES_PER_ELEMENT;
    const cIndices = Int32Array.from({ length: indices!.length }, (_, j) => bytes.getInt32(at + 4 * j, true));
    expect(firstDifference(out.subarray(0, values!.length), values!), `C values, input ${i}`).toBeNull();
    expect(firstDifference(cIndices, indices!), `C indices, input ${i}`).toBeNull();
    wasm.setInput(x);
    wasm.run();
    const named = wasm.outputs();
    expect(firstDifference(named[g.outputs[0]!]!, values!), `WASM values, input ${i}`).toBeNull();
    expect(firstDifference(named[g.outputs[1]!]!, indices!), `WASM indices, input ${i}`).toBeNull();
  }
}

describe.each([
  ['a classifier (dense → TopK 4 of 10)', classifier],
  ['a per-pixel head (conv → TopK 2 of 6 per pixel)', pixelHead],
])('TopK as the outputs of %s', (_what, build) => {
  const f32 = build();
  const size = sizeOf(tensorOf(f32, f32.inputs[0]!).shape);
  const g = quantize(
    f32,
    Array.from({ length: 8 }, (_, i) => seededUniform(50 + i, size, -1, 1)),
    { method: 'minmax', biasCorrection: false, activations: 'int8' },
  );
  const inputs = [1, 2, 3].map((seed) => Int8Array.from(seededUniform(seed, size, -128, 128), Math.floor));
  const logitsOf = g.nodes.find((n) => n.op === 'top_k_values')!.inputs[0]!;

  it('quantizes to int8 values sharing the logits quantization and int32 indices: the logits best first', () => {
    const [values, indices] = g.outputs.map((o) => tensorOf(g, o));
    expect(values!.quant).toEqual(tensorOf(g, logitsOf).quant);
    expect(indices!.dtype).toBe('int32');
    const { k } = g.nodes.find((n) => n.op === 'top_k_values')!.attrs as { k: number };
    for (const x of inputs) {
      let logits: Int8Array = new Int8Array();
      const out = runInteger(
        g,
        { [g.inputs[0]!]: x },
        {
          onNode: (n, y) => {
            if (n.outputs[0] === logitsOf) logits = y as Int8Array;
          },
        },
      );
      const depth = tensorOf(g, logitsOf).shape.at(-1)!;
      const want = Array.from({ length: logits.length / depth }, (_, r) =>
        Array.from({ length: depth }, (_, i) => i)
          .sort((a, b) => logits[r * depth + b]! - logits[r * depth + a]! || a - b)
          .slice(0, k),
      ).flat();
      expect(Array.from(out.get(g.outputs[1]!)!)).toEqual(want);
      expect(Array.from(out.get(g.outputs[0]!)!)).toEqual(want.map((i, j) => logits[Math.floor(j / k) * depth + i]!));
    }
  });

  it('C on the host and WebAssembly in Node return values and indices equal to the integer reference', async () => {
    await expectCAndWasmEqualReference(g, inputs);
  }, 120_000);

  it('16×8: C on the host and WebAssembly in Node return int16 values and indices equal to the integer reference', async () => {
    const g16 = quantize(
      f32,
      Array.from({ length: 8 }, (_, i) => seededUniform(50 + i, size, -1, 1)),
      { method: 'minmax', biasCorrection: false, activations: 'int16' },
    );
    expect(tensorOf(g16, g16.outputs[0]!).dtype).toBe('int16');
    await expectCAndWasmEqualReference(
      g16,
      [1, 2].map((seed) => Int16Array.from(seededUniform(seed, size, -32768, 32768), Math.floor)),
    );
  }, 120_000);

  it('exports to .tflite as one TOPK_V2 and imports back computing the same values and indices', () => {
    const back = importTflite(exportInt8Tflite(g), 'top-k.tflite').graph;
    expect(back.nodes.filter((n) => n.op.startsWith('top_k')).map((n) => n.op)).toEqual([
      'top_k_values',
      'top_k_indices',
    ]);
    expect(back.outputs.map((o) => tensorOf(back, o).dtype)).toEqual(['int8', 'int32']);
    for (const x of inputs) {
      const [ours, theirs] = [g, back].map((graph) => runInteger(graph, { [graph.inputs[0]!]: x }));
      back.outputs.forEach((o, i) => {
        expect(theirs!.get(o)).toEqual(ours!.get(g.outputs[i]!));
      });
    }
  });
});
