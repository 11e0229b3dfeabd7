/**
 * @fileoverview The thread pool's checks, shared by the host and qemu test files: kernel cases compiled for several
 * threads and run on every count from 1 to past their rows (bands of uneven height, empty bands, padded rows at the
 * top and bottom), and a MobileNetV2 on 1, 2 and 4 threads, each equal to the int8 reference.
 */
import { describe, expect, it } from 'vitest';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { type Quantization, sizeOf } from '../../compiler/ir/tensor.ts';
import { quantizeArray } from '../../compiler/quantize/prepare/quant-params.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { loadTarget } from '../../targets/target.ts';
import { buildC, firstDifference, runC } from './c-build.ts';
import { quantizeCase, referenceOutputs } from './kernel-case.ts';
import { KERNEL_CASES } from './kernel-cases.ts';
import { quantizedDefaultModel } from './quantized-model.ts';
import { photoInput, SAMPLE_PHOTOS } from './samples.ts';
import { seededUniform } from './seeded.ts';

/** The threads the kernel cases are compiled for, and the counts they run on (8 is more than most cases' rows). */
const CASE_THREADS = 8;
const CASE_RUNS = [1, 2, 3, 4, 8];

/**
 * Cases of every op that splits (on inputs of 9 rows, or 5 for pools): SAME padding at the top and bottom, two padded
 * rows (5×5), strides 1 and 2, dilation, 9 rows on 2, 3, 4 threads (uneven bands), 4 or 3 rows on 8 (empty bands),
 * pointwise and fully connected rows (K = 40 and 47: arm-neon's te_matmul_pairs_s8 in bands), residual and broadcast
 * adds.
 */
export const SPLIT_CASES = [
  'conv2d 3×3, 3 → 9 channels, stride 1, SAME, relu6',
  'conv2d 3×3, 3 → 64 channels, stride 2, VALID, relu6',
  'conv2d 3×3 stride 2 SAME from 7 input channels, no clamp',
  'conv2d 5×5 stride 1 SAME, 2 → 5 channels, relu6',
  'conv2d 1×1 stride 2 (the patch path)',
  'pointwise (1×1, stride 1) 9 → 130 channels, relu',
  'pointwise (1×1, stride 1) 40 → 13 channels, relu6',
  'depthwise 17 channels, stride 1, SAME, relu6',
  'depthwise 64 channels, stride 2, SAME, relu6',
  'depthwise 9 channels, stride 2, VALID, relu6',
  'depthwise 5×5, 12 channels, stride 2 SAME',
  'depthwise 3×3 dilation 2, 16 channels, SAME',
  'fully connected 33 → 20, 5 rows',
  'fully connected 47 → 24, 7 rows',
  'avg_pool2d 3×3 stride 2 SAME',
  'max_pool2d 3×3 stride 2 SAME',
  'add of two differently quantized branches with relu; broadcast add and mul with per-channel constants',
  'residual add of same-shape branches, 105 elements, relu6 (the unbroadcast fast path)',
];

/** The kernel cases of SPLIT_CASES compiled for CASE_THREADS threads on each target, equal to the reference on every count. */
export function describeSplitCasesOn(targets: readonly string[]): void {
  const cases = KERNEL_CASES.filter((c) => SPLIT_CASES.includes(c.name));
  if (cases.length !== SPLIT_CASES.length) throw new Error('internal: a SPLIT_CASES name matches no kernel case');
  describe.each(targets)(`%s: kernels split across threads (compiled for ${CASE_THREADS})`, (name) => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const { q, inputs } = quantizeCase(c.graph(), c.seed, c.outputRange, c.activations);
      const built = buildC(q, loadTarget(name), undefined, undefined, CASE_THREADS);
      const expected = referenceOutputs(q, inputs);
      for (const threads of CASE_RUNS)
        inputs.forEach((x, i) => {
          expect(firstDifference(runC(built, x, threads), expected[i]!), `${threads} threads`).toBeNull();
        });
    });
  });
}

/** A MobileNetV2 (the default model, or `spec`) compiled for 4 threads on each target, on 1, 2 and 4 threads: its output equals the reference on a photo and a seeded random input. */
export function describeModelOnThreads(targets: readonly string[], spec?: string): void {
  describe.each(targets)(`%s: ${spec ?? 'the default model'} on 1, 2 and 4 threads`, (name) => {
    it('equals the int8 reference', async () => {
      const { model, int8 } = await quantizedDefaultModel(1, spec);
      const input = tensorOf(int8, int8.inputs[0]!);
      const photo = quantizeArray(await photoInput(model, SAMPLE_PHOTOS[0]!), input.quant as Quantization);
      const random = Int8Array.from(seededUniform(7, sizeOf(input.shape), -128, 128), Math.floor);
      const built = buildC(int8, loadTarget(name), undefined, undefined, 4);
      for (const x of [photo, random]) {
        const reference = runInteger(int8, { [int8.inputs[0]!]: x }).get(int8.outputs[0]!) as Int8Array;
        for (const threads of [1, 2, 4])
          expect(firstDifference(runC(built, x, threads), reference), `${threads} threads`).toBeNull();
      }
    }, 900_000);
  });
}
