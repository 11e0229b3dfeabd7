/**
 * @fileoverview MobileNetV2 on cross targets, built with the target's toolchain and optimized kernels and run under
 * qemu, against the int8 reference: the check test/targets/default-model-*-targets.test.ts run on their targets
 * (split in two files so both test workers share the work).
 */
import { describe, expect, it } from 'vitest';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { subgraph } from '../../compiler/ir/subgraph.ts';
import { type Quantization, sizeOf } from '../../compiler/ir/tensor.ts';
import { quantizeArray } from '../../compiler/quantize/prepare/quant-params.ts';
import { fidelityTensors } from '../../compiler/quantize/report.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { MCU_MODEL } from '../../models/registry.ts';
import { loadTarget } from '../../targets/target.ts';
import { buildC, firstDifference, runC } from './c-build.ts';
import { quantizedDefaultModel } from './quantized-model.ts';
import { photoInput, SAMPLE_PHOTOS } from './samples.ts';
import { seededUniform } from './seeded.ts';

/**
 * For each `[target, model]` (model undefined: the default one), then builder:mobilenet_v2_0.35_96 on each target:
 * pooled features equal the reference on every sample photo and a seeded random input, and the output on a photo.
 */
export function describeDefaultModelOn(cases: readonly (readonly [string, string | undefined])[]): void {
  describe.each([...cases, ...cases.map(([name]) => [name, MCU_MODEL] as const)])(
    '%s: %s under qemu equals the int8 reference',
    (name, spec) => {
      it('pooled features on every sample photo and a seeded random input, and the output on a photo', async () => {
        const target = loadTarget(name);
        const { model, int8 } = await quantizedDefaultModel(1, spec);
        const features = fidelityTensors(int8).features as string;
        const head = subgraph(int8, int8.inputs, [features]);
        const quant = tensorOf(int8, int8.inputs[0]!).quant as Quantization;
        const photos = await Promise.all(
          SAMPLE_PHOTOS.map(async (f) => quantizeArray(await photoInput(model, f), quant)),
        );
        const random = Int8Array.from(seededUniform(7, sizeOf(tensorOf(int8, int8.inputs[0]!).shape), -128, 128), (v) =>
          Math.floor(v),
        );
        const builtHead = buildC(head, target);
        for (const [i, x] of [...photos, random].entries()) {
          const reference = runInteger(head, { [head.inputs[0]!]: x }).get(features) as Int8Array;
          expect(firstDifference(runC(builtHead, x), reference), `input ${i}`).toBeNull();
        }
        const built = buildC(int8, target);
        expect(
          firstDifference(
            runC(built, photos[0]!),
            runInteger(int8, { [int8.inputs[0]!]: photos[0]! }).get(int8.outputs[0]!) as Int8Array,
          ),
        ).toBeNull();
      }, 900_000);
    },
  );
}
