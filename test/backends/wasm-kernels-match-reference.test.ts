/**
 * Every WebAssembly kernel (SIMD128 matmul and depthwise, scalar others) equals the TypeScript int8 reference
 * exactly on the shared kernel cases (tile boundaries of the 4- and 16-wide output blocks and the 8-wide depthwise
 * lanes, strides, padding, clamps, every op; see test/support/kernel-cases.ts), run in Node's V8.
 */
import { describe, expect, it } from 'vitest';
import { firstDifference } from '../support/c-build.ts';
import { quantizeCase, referenceOutputs } from '../support/kernel-case.ts';
import { KERNEL_CASES } from '../support/kernel-cases.ts';
import { instantiateWasm } from '../support/wasm-build.ts';

describe('WASM kernels equal the int8 reference', () => {
  it.each(KERNEL_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { q, inputs } = quantizeCase(c.graph(), c.seed, c.outputRange);
    const model = await instantiateWasm(q);
    const expected = referenceOutputs(q, inputs);
    inputs.forEach((x, i) => {
      model.setInput(x as Int8Array);
      model.run();
      expect(firstDifference(model.output(), expected[i]!)).toBeNull();
    });
  });
});
