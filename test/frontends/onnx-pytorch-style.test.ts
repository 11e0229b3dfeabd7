/**
 * The float ONNX frontend on what torch.onnx.export writes for ResNet- and FPN-style nets (opset 13, NCHW): Conv +
 * BatchNormalization + Relu, MaxPool, a residual block, grouped-free 1×1 laterals, Resize as nn.Upsample writes it
 * (nearest: asymmetric + floor with scales; bilinear: pytorch_half_pixel with sizes, and align_corners), Concat on
 * channels, GlobalAveragePool, Reshape to a constant shape and Gemm with transB. The f32 reference equals
 * onnxruntime-node within 1e-5 after tinyedge's passes; the model quantizes and its C build equals the int8
 * reference. A Resize TFLite cannot say (cubic) is refused naming the file, node and op.
 */

import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { TinyedgeError } from '../../compiler/errors.ts';
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

const [C, H, W] = [3, 20, 20];
const str = (s: string) => ({ string: s });

/** The net, with seeded weights; `upsample` is the mode of the bilinear Resize (cubic for the refusal case). */
function pytorchStyleModel(upsample = 'linear'): Uint8Array {
  const b = new OnnxGraphBuilder();
  const w = seededOnnxWeights(b);
  let varianceSeed = 100;
  const convBn = (x: string, name: string, cin: number, cout: number, k: number, stride: number, relu = true) => {
    const c = b.node('Conv', [x, w(`${name}_w`, [cout, cin, k, k]), w(`${name}_b`, [cout])], name, {
      kernel_shape: [k, k],
      strides: [stride, stride],
      pads: Array(4).fill((k - 1) / 2),
    });
    const bn = b.node(
      'BatchNormalization',
      [
        c,
        w(`${name}_g`, [cout]),
        w(`${name}_beta`, [cout]),
        w(`${name}_mean`, [cout], 0.1),
        b.constant(`${name}_var`, 'float', [cout], Array.from(seededUniform(varianceSeed++, cout, 0.5, 1.5))),
      ],
      `${name}_bn`,
      { epsilon: { float: 1e-5 } },
    );
    return relu ? b.node('Relu', [bn], `${name}_relu`) : bn;
  };
  b.input('x', 'float', [1, C, H, W]);
  b.reserve('logits');
  const stem = convBn('x', 'stem', C, 8, 3, 2); // 10×10
  const pooled = b.node('MaxPool', [stem], 'pool', { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }); // 5×5
  const r1 = convBn(pooled, 'res_a', 8, 8, 3, 1);
  const r2 = convBn(r1, 'res_b', 8, 8, 3, 1, false);
  const res = b.node('Relu', [b.node('Add', [r2, pooled], 'res_add')], 'res_relu');
  const lateral = convBn(res, 'lateral', 8, 4, 1, 1);
  const roi = b.constant('roi', 'float', [0], []);
  const nearest = b.node('Resize', [lateral, roi, b.constant('scales2', 'float', [4], [1, 1, 2, 2])], 'up_nearest', {
    mode: str('nearest'),
    coordinate_transformation_mode: str('asymmetric'),
    nearest_mode: str('floor'),
  }); // 10×10
  const sizes = b.constant('sizes', 'int64', [4], [1, 4, 10, 10]);
  const bilinear = b.node('Resize', [lateral, roi, '', sizes], 'up_bilinear', {
    mode: str(upsample),
    coordinate_transformation_mode: str('pytorch_half_pixel'),
  });
  const corners = b.node('Resize', [lateral, roi, '', sizes], 'up_corners', {
    mode: str('linear'),
    coordinate_transformation_mode: str('align_corners'),
  });
  const merged = b.node('Concat', [nearest, bilinear, corners, stem], 'fpn_concat', { axis: 1 }); // 20 channels
  const head = convBn(merged, 'head', 20, 16, 3, 1);
  const gap = b.node('GlobalAveragePool', [head], 'gap');
  const flat = b.node('Reshape', [gap, b.constant('flat_shape', 'int64', [2], [1, -1])], 'flatten');
  const fc = b.node('Gemm', [flat, w('fc_w', [6, 16]), w('fc_b', [6])], 'fc', { transB: 1 });
  b.output(fc, 'logits', 'float', [1, 6]);
  return b.encode('pytorch_style', 'test');
}

/** NCHW → NHWC of one image. */
const toNhwc = (x: Float32Array) =>
  Float32Array.from({ length: x.length }, (_, i) => x[(i % C) * H * W + Math.floor(i / C)]!);

describe('float ONNX frontend on a PyTorch-style ResNet/FPN net', () => {
  const bytes = pytorchStyleModel();
  const { graph } = importOnnx(bytes, 'pytorch-style.onnx');
  const optimized = optimize(graph);
  const inputs = [1, 2, 3].map((s) => seededUniform(200 + s, C * H * W, -1, 1));

  it('maps every Resize to a TFLite resize and equals onnxruntime-node within 1e-5 after the passes', async () => {
    expect(graph.nodes.filter((n) => n.op.startsWith('resize_')).map((n) => n.op)).toEqual([
      'resize_nearest',
      'resize_bilinear',
      'resize_bilinear',
    ]);
    const session = await ort.InferenceSession.create(bytes);
    for (const x of inputs) {
      const expected = (await session.run({ x: new ort.Tensor('float32', x, [1, C, H, W]) })).logits!
        .data as Float32Array;
      const y = runF32(optimized, { [optimized.inputs[0]!]: toNhwc(x) }).get(optimized.outputs[0]!) as Float32Array;
      y.forEach((v, i) => {
        expect(Math.abs(v - expected[i]!), `logit ${i}`).toBeLessThan(1e-5);
      });
    }
  });

  it('quantizes, and its C build equals the int8 reference', () => {
    const int8 = quantize(optimized, inputs.map(toNhwc), { method: 'minmax', biasCorrection: false });
    const q = tensorOf(int8, int8.inputs[0]!).quant as Quantization;
    const built = buildC(int8);
    for (const x of inputs.map((v) => quantizeArray(toNhwc(v), q))) {
      const expected = runInteger(int8, { [int8.inputs[0]!]: x }).get(int8.outputs[0]!) as Int8Array;
      expect(firstDifference(runC(built, x), expected)).toBeNull();
    }
  }, 120_000);

  it('a cubic Resize is refused naming the file, node and op', () => {
    try {
      importOnnx(pytorchStyleModel('cubic'), 'cubic.onnx');
      expect.unreachable('a cubic Resize loaded');
    } catch (e) {
      expect(e).toBeInstanceOf(TinyedgeError);
      expect((e as TinyedgeError).describe()).toMatch(
        /cubic\.onnx: node 'up_bilinear' \(Resize\): cubic resize is not supported \(nearest, linear\)/,
      );
    }
  });
});
