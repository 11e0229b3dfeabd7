/**
 * The float ONNX frontend on a MobileNet-style block written as PyTorch exports it (NCHW: Conv + BatchNormalization
 * + Clip(0, 6), a depthwise Conv, a 1×1 Conv with a residual Add, GlobalAveragePool, Flatten, Gemm, Softmax): the f32
 * reference equals onnxruntime-node on the same file within 1e-5, before and after tinyedge's passes, and the model
 * then quantizes and compiles like any other (the C build equals the int8 reference).
 */

import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from '../../compiler/exporters/onnx/onnx-builder.ts';
import { importOnnx } from '../../compiler/frontends/onnx/import.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import type { Quantization } from '../../compiler/ir/tensor.ts';
import { optimize, quantize } from '../../compiler/pipeline.ts';
import { quantizeArray } from '../../compiler/quantize/prepare/quant-params.ts';
import { runF32 } from '../../compiler/reference/f32/interpreter.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { buildC, firstDifference, runC } from '../support/c-build.ts';
import { seededOnnxWeights } from '../support/onnx-weights.ts';
import { seededUniform } from '../support/seeded.ts';

const [C, H, W] = [3, 16, 16];

/** The block, with seeded weights. */
function floatModel(): Uint8Array {
  const b = new OnnxGraphBuilder();
  const w = seededOnnxWeights(b);
  b.input('x', 'float', [1, C, H, W]);
  b.reserve('probs');
  const c1 = b.node('Conv', ['x', w('stem_w', [8, C, 3, 3]), w('stem_b', [8])], 'stem', {
    kernel_shape: [3, 3],
    strides: [2, 2],
    pads: [1, 1, 1, 1],
  });
  const bn = b.node(
    'BatchNormalization',
    [
      c1,
      w('bn_scale', [8]),
      w('bn_bias', [8]),
      w('bn_mean', [8], 0.1),
      b.constant('bn_var', 'float', [8], Array.from(seededUniform(99, 8, 0.5, 1.5))),
    ],
    'bn',
    { epsilon: { float: 1e-5 } },
  );
  const r6 = b.node('Clip', [bn, b.constant('zero', 'float', [], [0]), b.constant('six', 'float', [], [6])], 'relu6');
  const dw = b.node('Conv', [r6, w('dw_w', [8, 1, 3, 3]), w('dw_b', [8])], 'dw', {
    kernel_shape: [3, 3],
    pads: [1, 1, 1, 1],
    group: 8,
  });
  const r = b.node('Relu', [dw], 'relu');
  const pw = b.node('Conv', [r, w('pw_w', [8, 8, 1, 1]), w('pw_b', [8])], 'pw', { kernel_shape: [1, 1] });
  const sum = b.node('Add', [pw, r6], 'residual');
  const gap = b.node('GlobalAveragePool', [sum], 'gap');
  const flat = b.node('Flatten', [gap], 'flatten', { axis: 1 });
  const fc = b.node('Gemm', [flat, w('fc_w', [5, 8]), w('fc_b', [5])], 'fc', { transB: 1 });
  b.output(b.node('Softmax', [fc], 'softmax', { axis: -1 }), 'probs', 'float', [1, 5]);
  return b.encode('block', 'test');
}

/** NCHW → NHWC of one image. */
const toNhwc = (x: Float32Array) =>
  Float32Array.from({ length: x.length }, (_, i) => x[(i % C) * H * W + Math.floor(i / C)]!);

describe('float ONNX frontend', () => {
  const bytes = floatModel();
  const { graph, quantized } = importOnnx(bytes, 'block.onnx');
  const inputs = [1, 2, 3].map((s) => seededUniform(100 + s, C * H * W, -1, 1));

  it('the f32 reference equals onnxruntime-node within 1e-5, before and after the passes', async () => {
    expect(quantized).toBe(false);
    expect(tensorOf(graph, graph.inputs[0]!).shape).toEqual([1, H, W, C]);
    const session = await ort.InferenceSession.create(bytes);
    const optimized = optimize(graph);
    expect(optimized.nodes.map((n) => n.op)).not.toContain('batch_norm');
    for (const x of inputs) {
      const expected = (await session.run({ x: new ort.Tensor('float32', x, [1, C, H, W]) })).probs!
        .data as Float32Array;
      for (const g of [graph, optimized]) {
        const y = runF32(g, { [g.inputs[0]!]: toNhwc(x) }).get(g.outputs[0]!) as Float32Array;
        y.forEach((v, i) => {
          expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-5);
        });
      }
    }
  });

  it('quantizes, and its C build equals the int8 reference', () => {
    const optimized = optimize(graph);
    const int8 = quantize(optimized, inputs.map(toNhwc), { method: 'minmax', biasCorrection: false });
    const q = tensorOf(int8, int8.inputs[0]!).quant as Quantization;
    const built = buildC(int8);
    for (const x of inputs.map((v) => quantizeArray(toNhwc(v), q))) {
      expect(
        firstDifference(runC(built, x), runInteger(int8, { [int8.inputs[0]!]: x }).get(int8.outputs[0]!) as Int8Array),
      ).toBeNull();
    }
  }, 120_000);
});
