/**
 * The default MobileNetV2 quantized 16×8 (int16 activations, int8 weights, int64 biases) and compiled to WebAssembly
 * SIMD128 gives int16 outputs identical to the integer reference on sample photos and a seeded random input, in
 * Node's V8: the 16×8 kernels a MobileNetV2 uses (conv, pointwise, depthwise, pad, residual add, average pool,
 * dense, softmax) at real layer shapes, beside the kernel cases' tile boundaries.
 */
import { describe, expect, it } from 'vitest';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { type Quantization, sizeOf } from '../../compiler/ir/tensor.ts';
import { quantizeArrayInt16 } from '../../compiler/quantize/prepare/quant-params.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { firstDifference } from '../support/c-build.ts';
import { quantized16x8DefaultModel } from '../support/quantized-model.ts';
import { photoInput, SAMPLE_PHOTOS } from '../support/samples.ts';
import { seededUniform } from '../support/seeded.ts';
import { instantiateWasm } from '../support/wasm-build.ts';

describe('default model 16×8, WebAssembly in Node vs the integer reference', () => {
  it('identical int16 outputs on two photos and a seeded random input', async () => {
    const { model, q16 } = await quantized16x8DefaultModel();
    const wasm = await instantiateWasm<Int16Array>(q16);
    const input = tensorOf(q16, q16.inputs[0]!);
    const inputs = [
      ...(await Promise.all(
        SAMPLE_PHOTOS.slice(0, 2).map(async (file) =>
          quantizeArrayInt16(await photoInput(model, file), input.quant as Quantization),
        ),
      )),
      Int16Array.from(seededUniform(1, sizeOf(input.shape), -32768, 32768), Math.floor),
    ];
    for (const [i, x] of inputs.entries()) {
      wasm.setInput(x);
      wasm.run();
      expect(
        firstDifference(wasm.output(), runInteger(q16, { [q16.inputs[0]!]: x }).get(q16.outputs[0]!) as Int16Array),
        `input ${i}`,
      ).toBeNull();
    }
  }, 600_000);
});
