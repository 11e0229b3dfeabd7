/**
 * Every 16×8 WebAssembly kernel (int16 activations, int8 weights, int64 biases: conv of any window, matmul,
 * depthwise with multipliers, add/mul, pools, mean, pad, requantize, softmax) equals the TypeScript integer reference
 * exactly on the 16×8 kernel cases (test/support/kernel-cases.ts), run in Node's V8 through the shipped loader.
 */
import { describe, expect, it } from 'vitest';
import { KERNEL_CASES_16X8, quantizeCase, referenceOutputs } from '../support/kernel-cases.ts';
import { firstDifference } from '../support/c-build.ts';
import { instantiateWasm } from '../support/wasm-build.ts';

describe('WASM 16×8 kernels equal the integer reference', () => {
  it.each(KERNEL_CASES_16X8.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { q, inputs } = quantizeCase(c.graph(), c.seed, c.outputRange, 'int16');
    const model = await instantiateWasm<Int16Array>(q);
    expect(model.info.input.dtype).toBe('int16');
    const expected = referenceOutputs(q, inputs);
    inputs.forEach((x, i) => {
      model.setInput(x as Int16Array);
      model.run();
      expect(firstDifference(model.output(), expected[i])).toBeNull();
    });
  });
});
