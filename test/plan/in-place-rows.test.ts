/**
 * In-place convolution through a ring of output rows (compiler/plan/rolling-rows.ts): the MLPerf Tiny KWS model's
 * chain of depthwise and pointwise layers planned at its lower bound, and the C build with every ring bit-exact.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cScratchBytes } from '../../compiler/backends/c/render-nodes.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { loadModel } from '../../models/registry.ts';
import { loadTarget } from '../../targets/target.ts';
import { pythonRandomInt8 } from '../../tools/bench/python-random.ts';
import { DEFAULT_MODELS_DIR } from '../../tools/bench/suite.ts';
import { buildC, firstDifference, runC } from '../support/c-build.ts';

const kws = loadModel(join(DEFAULT_MODELS_DIR, 'kws_ref_model.tflite')).graph;

describe('KWS in place', () => {
  it('plans at its lower bound', () => {
    const p = planMemory(kws, cScratchBytes, { inPlace: true });
    expect(p.arenaBytes).toBe(p.lowerBoundBytes);
  });

  it.each(['host', 'cortex-m4'])(
    '%s equals the integer reference',
    (name) => {
      const x = pythonRandomInt8(1, sizeOf(tensorOf(kws, kws.inputs[0]!).shape));
      const expected = runInteger(kws, { [kws.inputs[0]!]: x }).get(kws.outputs[0]!) as Int8Array;
      const built = buildC(kws, loadTarget(name), undefined, undefined, 1, true);
      expect(firstDifference(runC(built, x), expected)).toBeNull();
    },
    600_000,
  );
});
