/**
 * Every kernel case (test/support/kernel-cases.ts: tile boundaries, strides, padding, clamps, requantization
 * extremes, every op) cross-compiled for the Arm Linux targets and run under qemu-aarch64 equals the int8
 * reference exactly: NEON on the Cortex-A72 (rpi4-aarch64), SDOT with NEON on the Cortex-A76 (rpi5-aarch64,
 * android-arm64).
 */
import { describe, expect, it } from 'vitest';
import { KERNEL_CASES, quantizeCase, referenceOutputs } from '../support/kernel-cases.ts';
import { buildC, firstDifference, runC } from '../support/c-build.ts';
import { loadTarget } from '../../targets/target.ts';

describe.each(['rpi4-aarch64', 'rpi5-aarch64', 'android-arm64'])('%s kernels under qemu equal the int8 reference', (name) => {
  const target = loadTarget(name);
  it.each(KERNEL_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { q, inputs } = quantizeCase(c.graph(), c.seed, c.outputRange);
    const built = buildC(q, target);
    const expected = referenceOutputs(q, inputs);
    inputs.forEach((x, i) => expect(firstDifference(runC(built, x), expected[i])).toBeNull());
  });
});
