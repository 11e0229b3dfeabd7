/**
 * Pointwise and fully connected layers with int4 weights (issue 24: `quant.bits === 4`, values in [-7, 7]) stored
 * two a byte and run by te_matmul_w4_s8 equal the integer reference exactly: ref's nibble rows on the host, the
 * SMLAD unsigned-lane kernel on the Cortex-M4 (qemu mps2-an386), Helium's 32-k blocks on the Cortex-M55
 * (mps3-an547), NEON on the Raspberry Pi 4's Cortex-A72 (qemu-aarch64) with the same blocks; the WebAssembly
 * module carries them two a byte, widened to int16 when it starts, and equals the reference too. Three chains of layers cover the tile boundaries (INT4_MATMUL_CASES), one build each. On the host
 * the pointwise chain also runs split over two threads (te_matmul_w4_s8_part) and with every layer that can writing
 * its output over its input (the kernels' in-place contract); `inspect`'s weight bytes count the packed rows.
 */
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../compiler/ir/graph.ts';
import { modelStats } from '../../compiler/ir/stats.ts';
import { tupleOf } from '../../compiler/ir/tuple.ts';
import { loadTarget } from '../../targets/target.ts';
import { withInt4Weights } from '../../tools/bench/int4-weights.ts';
import { buildC, firstDifference, runC } from '../support/c-build.ts';
import { INT4_MATMUL_CASES } from '../support/int4-matmul-cases.ts';
import { quantizeCase, referenceOutputs } from '../support/kernel-case.ts';
import { describeKernelCasesOn } from '../support/kernel-cases.ts';
import { instantiateWasm, moduleBytes } from '../support/wasm-build.ts';

describeKernelCasesOn(
  ['host', 'cortex-m4', 'cortex-m55', 'rpi4-aarch64'],
  '%s int4-weight matmuls equal the integer reference',
  INT4_MATMUL_CASES,
);

describe('int4 weights in WebAssembly (downloaded two a byte, widened to int16 at start)', () => {
  it('the module is smaller by about half a byte per weight', () => {
    const [pointwise] = tupleOf(INT4_MATMUL_CASES, 3);
    const q = quantizeCase(pointwise.graph(), pointwise.seed).q;
    const weights = q.nodes.reduce((n, node) => n + (q.tensors.get(node.inputs[1]!)?.data?.length ?? 0), 0);
    const size = (g: Graph) => moduleBytes(g).length;
    expect(size(q) - size(withInt4Weights(q))).toBeGreaterThan(0.45 * weights);
  });

  it.each(INT4_MATMUL_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const quantized = quantizeCase(c.graph(), c.seed);
    const q = withInt4Weights(quantized.q);
    const model = await instantiateWasm(q);
    const expected = referenceOutputs(q, quantized.inputs);
    quantized.inputs.forEach((x, i) => {
      model.setInput(x as Int8Array);
      model.run();
      expect(firstDifference(model.output(), expected[i]!)).toBeNull();
    });
  });
});

describe('int4-weight matmuls on the host', () => {
  it("inspect's weight bytes count each int4 filter row two values a byte", () => {
    const [, dense] = tupleOf(INT4_MATMUL_CASES, 3);
    const q = quantizeCase(dense.graph(), dense.seed).q;
    const int4 = withInt4Weights(q);
    // 37 → 11 → 20 → 1 → 3: rows of 19, 6, 10 and 1 bytes instead of 37, 11, 20 and 1.
    expect(modelStats(q).totals.weightBytes - modelStats(int4).totals.weightBytes).toBe(11 * 18 + 20 * 5 + 10 + 0);
  });

  it('split over two threads, and written over their inputs, equal the integer reference', () => {
    const [pointwise] = tupleOf(INT4_MATMUL_CASES, 3);
    const quantized = quantizeCase(pointwise.graph(), pointwise.seed);
    const q = withInt4Weights(quantized.q);
    const expected = referenceOutputs(q, quantized.inputs);
    const threaded = buildC(q, loadTarget('host'), undefined, undefined, 2);
    const sliding = buildC(q, loadTarget('host'), undefined, 'every');
    quantized.inputs.forEach((x, i) => {
      expect(firstDifference(runC(threaded, x, 2), expected[i]!)).toBeNull();
      expect(firstDifference(runC(sliding, x), expected[i]!)).toBeNull();
    });
  });
});
