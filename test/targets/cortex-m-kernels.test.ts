/**
 * Every kernel case (test/support/kernel-cases.ts) cross-compiled for the Cortex-M targets, linked with their
 * startup and board linker script, and run on qemu's boards through semihosting equals the int8 reference exactly:
 * SMLAD/SXTB16 kernels on the Cortex-M4 (mps2-an386) and M7 (mps2-an500), Helium on the Cortex-M55 (mps3-an547).
 */
import { describe, expect, it } from 'vitest';
import { KERNEL_CASES, quantizeCase, referenceOutputs } from '../support/kernel-cases.ts';
import { buildC, firstDifference, runC } from '../support/c-build.ts';
import { loadTarget } from '../../targets/target.ts';

describe.each(['cortex-m4', 'cortex-m7', 'cortex-m55'])('%s kernels on its qemu board equal the int8 reference', (name) => {
  const target = loadTarget(name);
  it.each(KERNEL_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { q, inputs } = quantizeCase(c.graph(), c.seed, c.outputRange);
    const built = buildC(q, target);
    const expected = referenceOutputs(q, inputs);
    inputs.forEach((x, i) => expect(firstDifference(runC(built, x), expected[i])).toBeNull());
  });
});
