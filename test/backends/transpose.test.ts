/**
 * Transpose as an IR op (a general permutation, rank ≤ 4 on the backends): TF.js graph models' Transpose of computed
 * tensors maps to it and the f32 reference equals TF.js (1e-6), as a float ONNX model's does onnxruntime-node; a small seeded graph with transposes in the middle
 * (spatial axes swapped, then a conv), of a rank-3 tensor and as the output quantizes (int8 and 16×8) with the input's quantization,
 * runs bit-exact on host C and WebAssembly in Node against the integer reference, and keeps its bytes through
 * .tflite export (TRANSPOSE) and import.
 */

import '@tensorflow/tfjs-backend-cpu';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from '../../compiler/exporters/onnx/onnx-builder.ts';
import { exportInt8Tflite } from '../../compiler/exporters/tflite/export-int8.ts';
import { importOnnx } from '../../compiler/frontends/onnx/import.ts';
import { importTflite } from '../../compiler/frontends/tflite/import.ts';
import { type Graph, GraphBuilder, tensorOf } from '../../compiler/ir/graph.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import { quantize } from '../../compiler/pipeline.ts';
import { runF32 } from '../../compiler/reference/f32/interpreter.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { useTfjsBackend } from '../../tools/peers/tfjs.ts';
import { buildC, firstDifference, runC } from '../support/c-build.ts';
import { seededUniform } from '../support/seeded.ts';
import { nhwcOfNchw, seededConvs } from '../support/seeded-conv-graph.ts';
import { expectF32MatchesTfjs, graphModel } from '../support/small-graph-model.ts';
import { instantiateWasm } from '../support/wasm-build.ts';

const PERMS = { nchw: [0, 3, 1, 2], swapHW: [0, 2, 1, 3], mixed: [2, 0, 3, 1] };
const OUTPUTS = Object.keys(PERMS);

describe('TF.js Transpose of a computed tensor', () => {
  beforeAll(() => useTfjsBackend('cpu'));

  it('maps to the transpose op and equals TF.js (1e-6)', async () => {
    const nodes = Object.keys(PERMS).map((p) => ({ name: p, op: 'Transpose', input: ['x', `${p}Perm`] }));
    const a = graphModel(Object.fromEntries(Object.entries(PERMS).map(([k, v]) => [`${k}Perm`, v])), nodes);
    await expectF32MatchesTfjs(a, OUTPUTS, ['transpose', 'transpose', 'transpose'], 1e-6);
  });
});

describe('ONNX Transpose of an NCHW activation', () => {
  it('maps to the transpose op (perm composed with the NCHW view) and equals onnxruntime-node', async () => {
    const [c, h, w] = [3, 4, 5];
    const b = new OnnxGraphBuilder();
    b.input('x', 'float', [1, c, h, w]);
    b.reserve('chw');
    b.reserve('wh');
    b.output(b.node('Transpose', ['x'], 'to_chw', { perm: [0, 2, 1, 3] }), 'chw', 'float', [1, h, c, w]);
    b.output(b.node('Transpose', ['x'], 'to_wh', { perm: [0, 1, 3, 2] }), 'wh', 'float', [1, c, w, h]);
    const bytes = b.encode('transposes', 'test');
    const { graph } = importOnnx(bytes, 'transposes.onnx');
    expect(graph.nodes.map((n) => n.op)).toEqual(['transpose', 'transpose']);
    const x = seededUniform(8, c * h * w, -1, 1);
    const session = await ort.InferenceSession.create(bytes);
    const theirs = await session.run({ x: new ort.Tensor('float32', x, [1, c, h, w]) });
    // tinyedge's input is the NHWC tensor of the NCHW one.
    const nhwc = nhwcOfNchw(x, c, h, w);
    const ours = runF32(graph, { [graph.inputs[0]!]: nhwc });
    ['chw', 'wh'].forEach((name, i) => {
      expect(Array.from(ours.get(graph.outputs[i]!)!), name).toEqual(Array.from(theirs[name]!.data as Float32Array));
    });
  });
});

/** conv → transpose(H, W) → conv → reshape to rank 3 → transpose → output. */
function transposeGraph(): Graph {
  const b = new GraphBuilder('test:transposes');
  const { conv } = seededConvs(b, 21);
  let x = b.input('image', [1, 6, 9, 3]);
  x = conv(x, 'stem', 3, 8);
  x = b.node('transpose', 'swap_hw', [x], { perm: [0, 2, 1, 3] });
  x = conv(x, 'head', 8, 5);
  x = b.node('reshape', 'flat', [x], { shape: [1, 54, 5] });
  b.graph.outputs.push(b.node('transpose', 'channels_first', [x], { perm: [0, 2, 1] }));
  return b.graph;
}

describe.each(['int8', 'int16'] as const)('a seeded graph with transposes, quantized (%s activations)', (type) => {
  const f32 = transposeGraph();
  const size = sizeOf(tensorOf(f32, f32.inputs[0]!).shape);
  const g = quantize(
    f32,
    Array.from({ length: 8 }, (_, i) => seededUniform(30 + i, size, -1, 1)),
    { method: 'minmax', biasCorrection: false, activations: type },
  );
  const inputs = [1, 2].map((seed) =>
    type === 'int8'
      ? Int8Array.from(seededUniform(seed, size, -128, 128), Math.floor)
      : Int16Array.from(seededUniform(seed, size, -32768, 32768), Math.floor),
  );
  const reference = (graph: Graph, x: Int8Array | Int16Array) =>
    runInteger(graph, { [graph.inputs[0]!]: x }).get(graph.outputs[0]!);

  it('transposes share their input quantization; the output is [1, 5, 54]', () => {
    for (const n of g.nodes.filter((n) => n.op === 'transpose'))
      expect(tensorOf(g, n.outputs[0]!).quant).toEqual(tensorOf(g, n.inputs[0]!).quant);
    expect(tensorOf(g, g.outputs[0]!).shape).toEqual([1, 5, 54]);
  });

  it('C on the host and WebAssembly in Node equal the integer reference', async () => {
    const built = buildC(g);
    const wasm = await instantiateWasm<Int8Array | Int16Array>(g);
    for (const [i, x] of inputs.entries()) {
      const want = reference(g, x)!;
      expect(firstDifference(runC(built, x), want), `C, input ${i}`).toBeNull();
      wasm.setInput(x);
      wasm.run();
      expect(firstDifference(wasm.output(), want), `WASM, input ${i}`).toBeNull();
    }
  }, 120_000);

  it('exports to .tflite as TRANSPOSE and imports back computing the same bytes', () => {
    const back = importTflite(exportInt8Tflite(g), 'transposes.tflite').graph;
    expect(back.nodes.filter((n) => n.op === 'transpose')).toHaveLength(2);
    for (const x of inputs) expect(reference(back, x)).toEqual(reference(g, x));
  });
});
