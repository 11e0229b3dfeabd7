/**
 * .tflite round trips of the upsampling ops: small int8 graphs with TRANSPOSE_CONV (SAME and VALID, with and without
 * bias, fused relu6), RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR (each coordinate mode) exported and imported back
 * compute identical int8 outputs, with the same ops and attributes, and the operator versions TFLite gives the
 * features used. The ONNX export of the resizes runs in onnxruntime-node: nearest exactly, bilinear within one step
 * (ONNX Runtime's QuantizeLinear rounds ties to even); transpose conv is refused with a message saying why.
 */

import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { exportInt8Onnx } from '../../compiler/exporters/onnx/export-int8.ts';
import { exportInt8Tflite } from '../../compiler/exporters/tflite/export-int8.ts';
import { importTflite } from '../../compiler/frontends/tflite/import.ts';
import { readTfliteModel } from '../../compiler/frontends/tflite/read-model.ts';
import { NO_CLAMP } from '../../compiler/ir/attrs.ts';
import { type Graph, GraphBuilder } from '../../compiler/ir/graph.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { firstDifference } from '../support/c-build.ts';
import { quantizeCase, RELU6 } from '../support/kernel-case.ts';
import { seededUniform } from '../support/seeded.ts';

/** x [1,5,6,3] → transpose conv → resize → resize, the modes chosen by `variant`. */
function upsamplingGraph(variant: 0 | 1): Graph {
  const b = new GraphBuilder('upsampling');
  b.input('x', [1, 5, 6, 3]);
  b.constant('w', [4, 3, 3, 3], seededUniform(40 + variant, 108, -1, 1));
  if (variant === 0) b.constant('bias', [4], seededUniform(50, 4, -0.5, 0.5));
  // Variant 0: SAME (5×6 → 10×12: crop 0 top, 1 bottom), bias, relu6. Variant 1: VALID (5×6 → 11×13), no bias.
  const pads: [number, number, number, number] = variant === 0 ? [0, 1, 0, 1] : [0, 0, 0, 0];
  const t = b.node('transpose_conv2d', 'tconv', variant === 0 ? ['x', 'w', 'bias'] : ['x', 'w'], {
    strides: [2, 2],
    pads,
    clamp: variant === 0 ? RELU6 : NO_CLAMP,
  });
  const r1 = b.node('resize_bilinear', 'bilinear', [t], {
    size: variant === 0 ? [15, 17] : [7, 8],
    alignCorners: false,
    halfPixelCenters: variant === 0,
  });
  b.graph.outputs.push(
    b.node('resize_nearest', 'nearest', [r1], { size: [20, 23], alignCorners: variant === 1, halfPixelCenters: false }),
  );
  return b.graph;
}

describe.each([0, 1] as const)('upsampling graph %i through .tflite', (variant) => {
  const { q, inputs } = quantizeCase(upsamplingGraph(variant), 60 + variant);
  const bytes = exportInt8Tflite(q);
  const back = importTflite(bytes, 'upsampling.tflite').graph;

  it('imports the same ops with the same attributes', () => {
    expect(back.nodes.map((n) => [n.op, n.attrs])).toEqual(q.nodes.map((n) => [n.op, n.attrs]));
  });

  it('computes identical int8 outputs on seeded inputs', () => {
    for (const x of inputs) {
      const want = runInteger(q, { [q.inputs[0]!]: x }).get(q.outputs[0]!) as Int8Array;
      const got = runInteger(back, { [back.inputs[0]!]: x }).get(back.outputs[0]!) as Int8Array;
      expect(want.length).toBe(20 * 23 * 4);
      expect(firstDifference(got, want)).toBeNull();
    }
  });

  it('writes the operator versions of the features used', () => {
    const versions = Object.fromEntries(
      readTfliteModel(bytes, 'upsampling.tflite').operators.map((o) => [o.name, o.version]),
    );
    expect(versions).toEqual(
      variant === 0
        ? { TRANSPOSE_CONV: 4, RESIZE_BILINEAR: 3, RESIZE_NEAREST_NEIGHBOR: 2 }
        : { TRANSPOSE_CONV: 2, RESIZE_BILINEAR: 2, RESIZE_NEAREST_NEIGHBOR: 2 },
    );
  });
});

describe('the resizes through ONNX Runtime', () => {
  it.each([
    ['resize_nearest', 0],
    ['resize_bilinear', 1],
  ] as const)('%s (TFLite coordinates as Gathers) matches the int8 reference', async (op, tolerance) => {
    const b = new GraphBuilder('resize');
    b.input('x', [1, 5, 6, 3]);
    const a = b.node(op, 'up', ['x'], { size: [8, 9], alignCorners: false, halfPixelCenters: true });
    b.graph.outputs.push(b.node(op, 'down', [a], { size: [3, 4], alignCorners: true, halfPixelCenters: false }));
    const { q, inputs } = quantizeCase(b.graph, 70);
    const session = await ort.InferenceSession.create(exportInt8Onnx(q), { intraOpNumThreads: 1 });
    for (const x of inputs) {
      const want = runInteger(q, { [q.inputs[0]!]: x }).get(q.outputs[0]!) as Int8Array;
      const result = await session.run({ [q.inputs[0]!]: new ort.Tensor('int8', x, [1, 5, 6, 3]) });
      const got = result[q.outputs[0]!]!.data as Int8Array;
      expect(got.length).toBe(want.length);
      expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i]!)))).toBeLessThanOrEqual(tolerance);
    }
  });

  it('transpose conv is refused, saying ONNX has no int8 ConvTranspose', () => {
    const { q } = quantizeCase(upsamplingGraph(0), 60);
    expect(() => exportInt8Onnx(q)).toThrow(/no int8 ConvTranspose|no quantized ConvTranspose/);
  });
});
