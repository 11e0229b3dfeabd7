/**
 * Every C kernel equals the TypeScript int8 reference exactly on the shared kernel cases (tile boundaries,
 * strides, padding, clamps, every op; see test/support/kernel-cases.ts). Each graph is built with
 * gcc -std=c99 -Wall -Wextra -Werror -pedantic, so the generated code and the runtime compile clean.
 */
import { describe, expect, it } from 'vitest';
import { KERNEL_CASES, quantizeCase, referenceOutputs } from '../support/kernel-cases.ts';
import { buildC, firstDifference, runC } from '../support/c-build.ts';

describe('C kernels equal the int8 reference', () => {
  it.each(KERNEL_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { q, inputs } = quantizeCase(c.graph(), c.seed, c.outputRange);
    const dir = buildC(q);
    const expected = referenceOutputs(q, inputs);
    inputs.forEach((x, i) => expect(firstDifference(runC(dir, x), expected[i])).toBeNull());
  });
});
