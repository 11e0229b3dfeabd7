/**
 * MobileNetV2 on every cross target, built with its toolchain and optimized kernels and run under qemu, gives bytes
 * identical to the int8 reference on every sample photo and a seeded random input: the default model on the Arm Linux targets, the real nsfwjs:mobilenet_v2 (1.0,
 * 224×224) on the Cortex-M boards (whose emulated memory holds it, though the real parts' profiles refuse it). The
 * network is cut at its pooled features (1280 or 1792 bytes), which show any difference the saturating softmax
 * would hide; the full model's output is compared on one photo too. builder:mobilenet_v2_0.35_96, the MCU-sized
 * net, runs on every target the same way.
 */
import { describe, expect, it } from 'vitest';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { Quantization, sizeOf } from '../../compiler/ir/tensor.ts';
import { quantizeArray } from '../../compiler/quantize/prepare/quant-params.ts';
import { runInt8 } from '../../compiler/reference/int8/interpreter.ts';
import { subgraph } from '../../compiler/ir/subgraph.ts';
import { fidelityTensors } from '../../compiler/quantize/report.ts';
import { loadTarget } from '../../targets/target.ts';
import { MCU_MODEL } from '../../models/registry.ts';
import { quantizedDefaultModel } from '../support/quantized-model.ts';
import { SAMPLE_PHOTOS, photoInput } from '../support/samples.ts';
import { seededUniform } from '../support/seeded.ts';
import { buildC, firstDifference, runC } from '../support/c-build.ts';

const CASES = [
  ['rpi4-aarch64', undefined],
  ['rpi5-aarch64', undefined],
  ['android-arm64', undefined],
  ['cortex-m4', 'nsfwjs:mobilenet_v2'],
  ['cortex-m7', 'nsfwjs:mobilenet_v2'],
  ['cortex-m55', 'nsfwjs:mobilenet_v2'],
] as const;

describe.each([...CASES, ...CASES.map(([name]) => [name, MCU_MODEL] as const)])('%s: %s under qemu equals the int8 reference', (name, spec) => {
  it('pooled features on every sample photo and a seeded random input, and the output on a photo', async () => {
    const target = loadTarget(name);
    const { model, int8 } = await quantizedDefaultModel(1, spec);
    const features = fidelityTensors(int8).features as string;
    const head = subgraph(int8, int8.inputs, [features]);
    const quant = tensorOf(int8, int8.inputs[0]).quant as Quantization;
    const photos = await Promise.all(SAMPLE_PHOTOS.map(async (f) => quantizeArray(await photoInput(model, f), quant)));
    const random = Int8Array.from(seededUniform(7, sizeOf(tensorOf(int8, int8.inputs[0]).shape), -128, 128), (v) => Math.floor(v));
    const builtHead = buildC(head, target);
    for (const [i, x] of [...photos, random].entries()) {
      const reference = runInt8(head, { [head.inputs[0]]: x }).get(features) as Int8Array;
      expect(firstDifference(runC(builtHead, x), reference), `input ${i}`).toBeNull();
    }
    const built = buildC(int8, target);
    expect(firstDifference(runC(built, photos[0]), runInt8(int8, { [int8.inputs[0]]: photos[0] }).get(int8.outputs[0]) as Int8Array)).toBeNull();
  }, 900_000);
});
