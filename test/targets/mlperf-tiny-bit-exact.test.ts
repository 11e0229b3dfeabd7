/**
 * MLPerf Tiny's four reference models, imported as they are, are bit-exact everywhere: the integer reference gives
 * TFLM's own outputs on the README's seed-1 input (Python's random.Random(1), test/support/python-random.ts), and the
 * builds for the host, wasm32 and the three Cortex-M boards (their optimized kernels, under qemu) equal the
 * integer reference on seeds 1 and 2, so they give TFLM's outputs too.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { loadModel } from '../../models/registry.ts';
import { loadTarget } from '../../targets/target.ts';
import { MLPERF_TINY_MODELS } from '../../tools/bench/mlperf-tiny-figures.ts';
import { pythonRandomInt8 } from '../../tools/bench/python-random.ts';
import { DEFAULT_MODELS_DIR } from '../../tools/bench/suite.ts';
import { buildC, firstDifference, runC } from '../support/c-build.ts';
import { instantiateWasm } from '../support/wasm-build.ts';

/** The models with TFLM's seed-1 output on record (for the autoencoder its first 16 of 640 values). */
const MODELS = MLPERF_TINY_MODELS.flatMap((m) => (m.tflmSeed1Output ? [[m.file, m.tflmSeed1Output] as const] : []));

const SEEDS = [1, 2];

function modelOf(file: string) {
  const g = loadModel(join(DEFAULT_MODELS_DIR, file)).graph;
  const inputs = SEEDS.map((s) => pythonRandomInt8(s, sizeOf(tensorOf(g, g.inputs[0]!).shape)));
  const expected = inputs.map((x) => runInteger(g, { [g.inputs[0]!]: x }).get(g.outputs[0]!) as Int8Array);
  return { g, inputs, expected };
}

describe('the seeded input is Python’s random.Random(seed).randrange(256)', () => {
  it('seeds 1 and 2 give CPython’s first bytes', () => {
    expect(Array.from(pythonRandomInt8(1, 10), (v) => v & 255)).toEqual([68, 32, 130, 60, 253, 230, 241, 194, 107, 48]);
    expect(Array.from(pythonRandomInt8(2, 10), (v) => v & 255)).toEqual([28, 46, 43, 184, 86, 157, 128, 108, 18, 81]);
  });
});

describe.each(MODELS)('%s', (file, tflm) => {
  const model = modelOf(file);

  it('the integer reference gives TFLM’s output on seed 1', () => {
    expect(Array.from(model.expected[0]!.subarray(0, tflm.length))).toEqual([...tflm]);
  });

  it('wasm32 equals the integer reference on seeds 1 and 2', async () => {
    const m = await instantiateWasm(model.g);
    model.inputs.forEach((x, i) => {
      m.setInput(x);
      m.run();
      expect(firstDifference(m.output(), model.expected[i]!), `seed ${SEEDS[i]}`).toBeNull();
    });
  });

  it.each(['host', 'cortex-m4', 'cortex-m7', 'cortex-m55'])(
    '%s (its optimized kernels) equals the integer reference on seeds 1 and 2',
    (name) => {
      const built = buildC(model.g, loadTarget(name));
      model.inputs.forEach((x, i) => {
        expect(firstDifference(runC(built, x), model.expected[i]!), `seed ${SEEDS[i]}`).toBeNull();
      });
    },
    600_000,
  );
});
