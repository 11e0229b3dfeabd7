/**
 * Max reductions over any axes (the reduce_max IR op): TF.js Max over the channel axis (keepDims both ways) and over
 * the spatial axes [1, 2] maps to it and the f32 reference equals TF.js (1e-6), as a float ONNX model's ReduceMax does
 * onnxruntime-node; a small seeded graph with max reductions in the middle and as the output quantizes (int8 and 16×8)
 * with each output sharing its input's quantization, runs bit-exact on host C and WebAssembly in Node
 * against the integer reference, and keeps its values through .tflite export (REDUCE_MAX) and import.
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
import { expectF32MatchesTfjs, flag, graphModel } from '../support/small-graph-model.ts';
import { instantiateWasm } from '../support/wasm-build.ts';

const OUTPUTS = ['channelsKept', 'channels', 'spatial'];

describe('TF.js Max over any axes', () => {
  beforeAll(() => useTfjsBackend('cpu'));

  it('maps to reduce_max and equals TF.js (1e-6)', async () => {
    const a = graphModel({ axis3: [3], axes12: [1, 2] }, [
      { name: 'channelsKept', op: 'Max', input: ['x', 'axis3'], attr: { keep_dims: flag(true) } },
      { name: 'channels', op: 'Max', input: ['x', 'axis3'], attr: { keep_dims: flag(false) } },
      { name: 'spatial', op: 'Max', input: ['x', 'axes12'], attr: { keep_dims: flag(false) } },
    ]);
    await expectF32MatchesTfjs(a, OUTPUTS, ['reduce_max', 'reduce_max', 'reduce_max'], 1e-6);
  });
});

describe('ONNX ReduceMax of an NCHW activation', () => {
  it('maps to reduce_max (axes through the NCHW view) and equals onnxruntime-node', async () => {
    const [c, h, w] = [3, 4, 5];
    const b = new OnnxGraphBuilder();
    b.input('x', 'float', [1, c, h, w]);
    b.reserve('channels');
    b.reserve('spatial');
    b.output(b.node('ReduceMax', ['x'], 'max_c', { axes: [1], keepdims: 1 }), 'channels', 'float', [1, 1, h, w]);
    b.output(b.node('ReduceMax', ['x'], 'max_hw', { axes: [2, 3], keepdims: 0 }), 'spatial', 'float', [1, c]);
    const bytes = b.encode('reduce-max', 'test');
    const { graph } = importOnnx(bytes, 'reduce-max.onnx');
    expect(graph.nodes.map((n) => n.op)).toEqual(['reduce_max', 'reduce_max']);
    const x = seededUniform(8, c * h * w, -1, 1);
    const session = await ort.InferenceSession.create(bytes);
    const theirs = await session.run({ x: new ort.Tensor('float32', x, [1, c, h, w]) });
    // tinyedge's input is the NHWC tensor of the NCHW one; [1, 1, h, w] is the same bytes in either layout.
    const nhwc = nhwcOfNchw(x, c, h, w);
    const ours = runF32(graph, { [graph.inputs[0]!]: nhwc });
    ['channels', 'spatial'].forEach((name, i) => {
      expect(Array.from(ours.get(graph.outputs[i]!)!), name).toEqual(Array.from(theirs[name]!.data as Float32Array));
    });
  });
});

/** conv → max over channels (kept) → conv → max over channels (dropped) → reshape → conv → max over [1, 2]. */
function reduceMaxGraph(): Graph {
  const b = new GraphBuilder('test:reduce-max');
  const { conv } = seededConvs(b, 31);
  let x = b.input('image', [1, 6, 7, 3]);
  x = conv(x, 'stem', 3, 8);
  x = b.node('reduce_max', 'max_kept', [x], { axes: [3], keepDims: true });
  x = conv(x, 'mid', 1, 4);
  x = b.node('reduce_max', 'max_dropped', [x], { axes: [-1], keepDims: false });
  x = b.node('reshape', 'back_to_4d', [x], { shape: [1, 6, 7, 1] });
  x = conv(x, 'head', 1, 5);
  b.graph.outputs.push(b.node('reduce_max', 'global_max', [x], { axes: [1, 2], keepDims: false }));
  return b.graph;
}

describe.each(['int8', 'int16'] as const)('a seeded graph with max reductions, quantized (%s activations)', (type) => {
  const f32 = reduceMaxGraph();
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

  it('each max shares its input quantization; the output is [1, 5]', () => {
    for (const n of g.nodes.filter((n) => n.op === 'reduce_max'))
      expect(tensorOf(g, n.outputs[0]!).quant).toEqual(tensorOf(g, n.inputs[0]!).quant);
    expect(tensorOf(g, g.outputs[0]!).shape).toEqual([1, 5]);
    expect(tensorOf(g, g.outputs[0]!).dtype).toBe(type);
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

  it('exports to .tflite as REDUCE_MAX and imports back computing the same values', () => {
    const back = importTflite(exportInt8Tflite(g), 'reduce-max.tflite').graph;
    expect(back.nodes.filter((n) => n.op === 'reduce_max')).toHaveLength(3);
    for (const x of inputs) expect(reference(back, x)).toEqual(reference(g, x));
  });
});
