/**
 * ONNX's QDQ form (onnxruntime's quantize_static default: float ops between DequantizeLinear and QuantizeLinear,
 * int8 weights behind a DequantizeLinear) imports as tinyedge's int8 graph with the file's own scales and zero
 * points (per-channel weights included), and computes what onnxruntime-node computes on the same file to within one
 * output step (ORT requantizes in float where tinyedge uses TFLite's fixed point).
 */

import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from '../../compiler/exporters/onnx/onnx-builder.ts';
import { importOnnx } from '../../compiler/frontends/onnx/import.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import type { Quantization } from '../../compiler/ir/tensor.ts';
import { quantizeArray } from '../../compiler/quantize/prepare/quant-params.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { seededUniform } from '../support/seeded.ts';

const [C, H, W] = [3, 8, 8];
const X_SCALE = 0.015625;
const W_SCALES = Array.from({ length: 8 }, (_, c) => Math.fround(0.004 + 0.001 * c));
const FC_SCALES = Array.from({ length: 5 }, (_, c) => Math.fround(0.01 + 0.002 * c));

/** Conv+Relu, MaxPool, GlobalAveragePool, Flatten, Gemm, as quantize_static writes them. */
function qdqModel(): Uint8Array {
  const b = new OnnxGraphBuilder();
  const q = (x: string, s: number, z: number, base: string) =>
    b.node('QuantizeLinear', [x, b.scale(`${base}_s`, s), b.zeroPoint(`${base}_z`, z)], base);
  const dq = (x: string, s: number, z: number, base: string) =>
    b.node('DequantizeLinear', [x, b.scale(`${base}_s`, s), b.zeroPoint(`${base}_z`, z)], base);
  const weights = (base: string, dims: number[], scales: number[], seed: number) => {
    const wq = b.constant(
      `${base}_q`,
      'int8',
      dims,
      Array.from(
        seededUniform(
          seed,
          dims.reduce((a, c) => a * c, 1),
          -127,
          127,
        ),
        Math.round,
      ),
    );
    return b.node(
      'DequantizeLinear',
      [
        wq,
        b.constant(`${base}_scales`, 'float', [dims[0]!], scales),
        b.constant(`${base}_zeros`, 'int8', [dims[0]!], new Array(dims[0]).fill(0)),
      ],
      base,
      { axis: 0 },
    );
  };
  const bias = (base: string, n: number, inScale: number, scales: number[], seed: number) => {
    const bq = b.constant(`${base}_q`, 'int32', [n], Array.from(seededUniform(seed, n, -2000, 2000), Math.round));
    return b.node(
      'DequantizeLinear',
      [
        bq,
        b.constant(
          `${base}_scales`,
          'float',
          [n],
          scales.map((s) => Math.fround(inScale * s)),
        ),
        b.constant(`${base}_zeros`, 'int32', [n], new Array(n).fill(0)),
      ],
      base,
      { axis: 0 },
    );
  };
  b.input('x', 'float', [1, C, H, W]);
  b.reserve('y');
  const xq = q('x', X_SCALE, 0, 'xq');
  const conv = b.node(
    'Conv',
    [dq(xq, X_SCALE, 0, 'xd'), weights('w1', [8, C, 3, 3], W_SCALES, 1), bias('b1', 8, X_SCALE, W_SCALES, 2)],
    'conv',
    { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
  );
  const c1 = q(b.node('Relu', [conv], 'relu'), 0.05, -128, 'c1');
  const p1 = q(
    b.node('MaxPool', [dq(c1, 0.05, -128, 'c1d')], 'pool', { kernel_shape: [2, 2], strides: [2, 2] }),
    0.05,
    -128,
    'p1',
  );
  const g = q(b.node('GlobalAveragePool', [dq(p1, 0.05, -128, 'p1d')], 'gap'), 0.03, -128, 'g');
  const f = q(b.node('Flatten', [dq(g, 0.03, -128, 'gd')], 'flatten', { axis: 1 }), 0.03, -128, 'f');
  const fc = b.node(
    'Gemm',
    [dq(f, 0.03, -128, 'fd'), weights('w2', [5, 8], FC_SCALES, 3), bias('b2', 5, 0.03, FC_SCALES, 4)],
    'fc',
    { transB: 1 },
  );
  b.output(dq(q(fc, 0.1, 3, 'o'), 0.1, 3, 'od'), 'y', 'float', [1, 5]);
  return b.encode('qdq', 'test');
}

describe('ONNX QDQ models', () => {
  const bytes = qdqModel();
  const { graph, quantized } = importOnnx(bytes, 'qdq.onnx');

  it('import as int8 with the file’s scales and zero points, per-channel weights included', () => {
    expect(quantized).toBe(true);
    expect(graph.nodes.map((n) => n.op)).toEqual([
      'conv2d',
      'max_pool2d',
      'mean',
      'reshape',
      'reshape',
      'conv2d',
      'reshape',
    ]);
    expect(tensorOf(graph, graph.inputs[0]!).quant).toEqual({ scale: [X_SCALE], zeroPoint: [0] });
    const conv = graph.nodes[0]!;
    expect(tensorOf(graph, conv.inputs[1]!).quant?.scale).toEqual(W_SCALES);
    // Relu's output zero point is −128: the int8 clamp [−128, 127] clips nothing, so none is kept.
    expect((conv.attrs as { clamp: unknown }).clamp).toEqual({ min: null, max: null });
    expect(tensorOf(graph, graph.outputs[0]!).quant).toEqual({ scale: [Math.fround(0.1)], zeroPoint: [3] });
  });

  it('computes what onnxruntime-node computes on the same file, within one output step', async () => {
    const session = await ort.InferenceSession.create(bytes);
    const q = tensorOf(graph, graph.inputs[0]!).quant as Quantization;
    const out = tensorOf(graph, graph.outputs[0]!).quant as Quantization;
    for (const seed of [1, 2, 3]) {
      const nchw = seededUniform(50 + seed, C * H * W, -1.5, 1.5);
      const expected = (await session.run({ x: new ort.Tensor('float32', nchw, [1, C, H, W]) })).y!
        .data as Float32Array;
      const nhwc = Float32Array.from({ length: nchw.length }, (_, i) => nchw[(i % C) * H * W + Math.floor(i / C)]!);
      const y = runInteger(graph, { [graph.inputs[0]!]: quantizeArray(nhwc, q) }).get(graph.outputs[0]!) as Int8Array;
      y.forEach((v, i) => {
        expect(
          Math.abs(out.scale[0]! * (v - out.zeroPoint[0]!) - expected[i]!),
          `seed ${seed}, output ${i}`,
        ).toBeLessThanOrEqual(out.scale[0]! * 1.01);
      });
    }
  });
});
