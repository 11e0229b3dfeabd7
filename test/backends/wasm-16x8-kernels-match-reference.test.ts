/**
 * Every 16×8 WebAssembly kernel (int16 activations, int8 weights, int64 biases: conv of any window, matmul,
 * depthwise with multipliers, add/mul, pools, mean, pad, requantize, softmax) equals the TypeScript integer reference
 * exactly on the 16×8 kernel cases (test/support/kernel-cases.ts), and so do the int8↔int16 conversions (TFLite's
 * QUANTIZE, a clamp node), all run in Node's V8 through the shipped loader.
 */
import { describe, expect, it } from 'vitest';
import { KERNEL_CASES_16X8, quantizeCase, referenceOutputs } from '../support/kernel-cases.ts';
import { firstDifference } from '../support/c-build.ts';
import { instantiateWasm } from '../support/wasm-build.ts';
import { Graph, GraphBuilder, tensorOf } from '../../compiler/ir/graph.ts';
import { NO_CLAMP } from '../../compiler/ir/attrs.ts';
import { RANGE_OF } from '../../compiler/quantize/quant-params.ts';
import { seededUniform } from '../support/seeded.ts';
import { RawValues } from '../../runtime/wasm/tinyedge-loader.js';

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

/** x (`from`) → QUANTIZE as a clamp node → y (`to`), with scales that rescale up and down and saturate. */
function conversion(from: 'int8' | 'int16', to: 'int8' | 'int16', outScale: number): Graph {
  const b = new GraphBuilder('test');
  b.input('x', [3, 40], from);
  b.graph.outputs.push(b.node('clamp', 'quantize', ['x'], { clamp: NO_CLAMP }));
  Object.assign(tensorOf(b.graph, 'x'), { quant: { scale: [0.02], zeroPoint: [from === 'int8' ? 5 : 0] } });
  Object.assign(tensorOf(b.graph, 'quantize'), { dtype: to, quant: { scale: [outScale], zeroPoint: [to === 'int8' ? -3 : 0] } });
  return b.graph;
}

describe('WASM int8↔int16 requantization equals the integer reference', () => {
  it.each([
    ['int8', 'int16', 0.0005],
    ['int16', 'int8', 0.03],
    ['int16', 'int8', 2],
    ['int16', 'int16', 0.07],
  ] as const)('%s → %s, output scale %s', async (from, to, outScale) => {
    const q = conversion(from, to, outScale);
    const [lo, hi] = RANGE_OF[from];
    const u = seededUniform(7, 120, lo, hi + 1);
    const x = from === 'int8' ? Int8Array.from(u, Math.floor) : Int16Array.from(u, Math.floor);
    const model = await instantiateWasm<RawValues>(q);
    expect([model.info.input.dtype, model.info.output.dtype]).toEqual([from, to]);
    model.setInput(x);
    model.run();
    expect(firstDifference(model.output(), referenceOutputs(q, [x])[0])).toBeNull();
  });
});
