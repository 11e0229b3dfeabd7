/**
 * The C and WASM softmax kernels equal the int8 reference on random exponent tables. The kernels recompute TFLite's
 * GetReciprocal per row, whose last Newton–Raphson bits reach an int8 output only rarely (about 2 in 10,000
 * elements), so each backend gets 1,536 rows of 16 with log-uniform table entries: that many different sums for
 * the reciprocal (a C kernel with one Newton–Raphson step fewer fails here, not on the shared kernel cases, which
 * cover the output shifts from 24 to past 31).
 */
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../compiler/ir/graph.ts';
import { int8ParamsOf, paramsOfKind } from '../../compiler/quantize/prepare/prepare-int8.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { buildC, firstDifference, runC } from '../support/c-build.ts';
import { quantizeCase } from '../support/kernel-case.ts';
import { mulberry32 } from '../support/seeded.ts';
import { instantiateWasm } from '../support/wasm-build.ts';

const ROWS = 768;
const DEPTH = 16;

/** A quantized softmax graph whose exponent table (shared by the reference and both backends) is replaced by random entries. */
function randomTableSoftmax(seed: number) {
  const b = new GraphBuilder('test');
  b.input('x', [ROWS, DEPTH]);
  b.graph.outputs.push(b.node('softmax', 'sm', ['x'], { beta: 1 }));
  const { q } = quantizeCase(b.graph, seed);
  const next = mulberry32(seed);
  const table = paramsOfKind(int8ParamsOf(q), q.nodes[0]!, 'softmax').expTable;
  // Entry 0 (the row's max) stays One, as in every real table, so no sum is 0.
  for (let d = 1; d < 256; d++) table[d] = Math.floor(2 ** (31 * next()));
  const inputs = [0, 1].map(() => Int8Array.from({ length: ROWS * DEPTH }, () => Math.floor(next() * 256) - 128));
  return { q, inputs, expected: inputs.map((x) => runInteger(q, { x }).get(q.outputs[0]!) as Int8Array) };
}

describe('softmax with random exponent tables: 2 × 768 rows of 16', () => {
  it('C (host, gcc) equals the int8 reference element for element', () => {
    const { q, inputs, expected } = randomTableSoftmax(1200);
    const built = buildC(q);
    inputs.forEach((x, i) => {
      expect(firstDifference(runC(built, x), expected[i]!)).toBeNull();
    });
  });
  it('WASM equals the int8 reference element for element', async () => {
    const { q, inputs, expected } = randomTableSoftmax(1201);
    const model = await instantiateWasm(q);
    inputs.forEach((x, i) => {
      model.setInput(x);
      model.run();
      expect(firstDifference(model.output(), expected[i]!)).toBeNull();
    });
  });
});
