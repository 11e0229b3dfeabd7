/**
 * Every C kernel equals the TypeScript int8 reference exactly on the shared kernel cases (tile boundaries,
 * strides, padding, clamps, every op; see test/support/kernel-cases.ts). Each graph is built with
 * gcc -std=c99 -Wall -Wextra -Werror -pedantic, so the generated code and the runtime compile clean. Every 16×8 case
 * (int16 activations, int8 weights, int64 biases) too, the window kernels on bands of rows as rings and patch cells call
 * them (test/support/band-cases.ts), and the int8↔int16 conversions.
 */
import { describe, expect, it } from 'vitest';
import { describeBandCasesOn } from '../support/band-cases.ts';
import { buildC, firstDifference, runC } from '../support/c-build.ts';
import { CONVERSION_CASES, conversionGraph, conversionInput } from '../support/conversion-cases.ts';
import { referenceOutputs } from '../support/kernel-case.ts';
import { describeKernelCasesOn, KERNEL_CASES_16X8 } from '../support/kernel-cases.ts';

describeKernelCasesOn(['host'], 'C kernels (%s: gcc -Wall -Wextra -Werror -pedantic) equal the int8 reference');
describeKernelCasesOn(
  ['host'],
  'C 16×8 kernels (%s: gcc -Wall -Wextra -Werror -pedantic) equal the integer reference',
  KERNEL_CASES_16X8,
);
describeBandCasesOn(
  ['host'],
  'C window kernels (%s) on bands of rows (as rings and patch cells call them) and in place equal the int8 reference',
);

describe('C int8↔int16 requantization (QUANTIZE) equals the integer reference', () => {
  it.each(CONVERSION_CASES)('%s → %s, output scale %s', (from, to, outScale) => {
    const q = conversionGraph(from, to, outScale);
    const x = conversionInput(from);
    expect(firstDifference(runC(buildC(q), x), referenceOutputs(q, [x])[0]!)).toBeNull();
  });
});
