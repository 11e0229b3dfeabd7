/**
 * Every 16×8 WebAssembly kernel (int16 activations, int8 weights, int64 biases: conv of any window, matmul,
 * depthwise with multipliers, add/mul, pools, mean, pad, requantize, softmax) equals the TypeScript integer reference
 * exactly on the 16×8 kernel cases (test/support/kernel-cases.ts), on dot products longer than the SIMD kernel's
 * lane blocks, and on the int8↔int16 conversions (TFLite's QUANTIZE, a clamp node), all run in Node's V8 through the
 * shipped loader.
 */
import { describe, expect, it } from 'vitest';
import { NO_CLAMP } from '../../compiler/ir/attrs.ts';
import { type Graph, GraphBuilder } from '../../compiler/ir/graph.ts';
import type { RawValues } from '../../runtime/wasm/tinyedge-loader.js';
import { firstDifference } from '../support/c-build.ts';
import { CONVERSION_CASES, conversionGraph, conversionInput } from '../support/conversion-cases.ts';
import { quantizeCase, referenceOutputs } from '../support/kernel-case.ts';
import { KERNEL_CASES_16X8 } from '../support/kernel-cases.ts';
import { seededUniform } from '../support/seeded.ts';
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
      expect(firstDifference(model.output(), expected[i]!)).toBeNull();
    });
  });
});

/**
 * Dot products longer than 2040 (the SIMD kernel adds its i32 lanes into the int64 accumulator every 2040 elements
 * of a wide node): a dense layer and a 3×3 conv, both with int64 biases.
 */
const LONG_DOTS: { name: string; graph: () => Graph }[] = [
  {
    name: 'fully connected 4100 → 5, 2 rows',
    graph: () => {
      const b = new GraphBuilder('test');
      b.input('x', [2, 4100]);
      // Channel 0's weights all quantize to 127: with an all-32767 input its i32 lanes would pass 2^31 in one block.
      b.constant('w', [5, 4100], seededUniform(1, 5 * 4100, -1, 1).fill(1, 0, 4100));
      b.constant('bias', [5], seededUniform(2, 5, -1, 1));
      b.graph.outputs.push(b.node('fully_connected', 'fc', ['x', 'w', 'bias'], { clamp: NO_CLAMP }));
      return b.graph;
    },
  },
  {
    name: 'conv2d 3×3 SAME from 240 channels (k = 2160)',
    graph: () => {
      const b = new GraphBuilder('test');
      b.input('x', [1, 4, 5, 240]);
      b.constant('w', [6, 3, 3, 240], seededUniform(3, 6 * 9 * 240, -1, 1));
      b.constant('bias', [6], seededUniform(4, 6, -1, 1));
      b.graph.outputs.push(
        b.node('conv2d', 'conv', ['x', 'w', 'bias'], {
          strides: [1, 1],
          dilations: [1, 1],
          pads: [1, 1, 1, 1],
          clamp: NO_CLAMP,
        }),
      );
      return b.graph;
    },
  },
];

/** Scratch rows longer than the 1 KiB below the arena, where a missing scratch buffer would go unnoticed. */
const WIDE_SCRATCH: { name: string; graph: () => Graph }[] = [
  {
    name: 'depthwise 3×3 SAME, 288 channels (a 1152-byte row of channel sums)',
    graph: () => {
      const b = new GraphBuilder('test');
      b.input('x', [1, 4, 4, 288]);
      b.constant('w', [1, 3, 3, 288], seededUniform(6, 9 * 288, -1, 1));
      b.constant('bias', [288], seededUniform(7, 288, -1, 1));
      b.graph.outputs.push(
        b.node('depthwise_conv2d', 'dw', ['x', 'w', 'bias'], {
          strides: [1, 1],
          dilations: [1, 1],
          pads: [1, 1, 1, 1],
          depthMultiplier: 1,
          clamp: NO_CLAMP,
        }),
      );
      return b.graph;
    },
  },
];

describe('WASM 16×8 dot products past one i32 lane block, and long scratch rows, equal the integer reference', () => {
  it.each([...LONG_DOTS, ...WIDE_SCRATCH].map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { q, inputs } = quantizeCase(c.graph(), 5, undefined, 'int16');
    const model = await instantiateWasm<Int16Array>(q);
    const extremes = [...inputs, new Int16Array(inputs[0]!.length).fill(32767)];
    const expected = referenceOutputs(q, extremes);
    extremes.forEach((x, i) => {
      model.setInput(x as Int16Array);
      model.run();
      expect(firstDifference(model.output(), expected[i]!)).toBeNull();
    });
  });
});

describe('WASM int8↔int16 requantization equals the integer reference', () => {
  it.each(CONVERSION_CASES)('%s → %s, output scale %s', async (from, to, outScale) => {
    const q = conversionGraph(from, to, outScale);
    const x = conversionInput(from);
    const model = await instantiateWasm<RawValues>(q);
    expect([model.info.input.dtype, model.info.output.dtype]).toEqual([from, to]);
    model.setInput(x);
    model.run();
    expect(firstDifference(model.output(), referenceOutputs(q, [x])[0]!)).toBeNull();
  });
});
