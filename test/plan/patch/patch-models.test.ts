/**
 * Issue 21's models in patches, as compile picks them, are bit-exact: MLPerf Tiny's VWW, TFLM's person_detect (both
 * .tflite files as they are) and the real nsfwjs:mobilenet_v2 (1.0, 224×224), each planned at the patches bench's
 * goal budget (the caller's-buffer layer-wise arena ÷ 2.5, or ÷ 4 for MobileNetV2: grids with in-place rings, the
 * input read from the caller's buffer) and at the smallest arena within 10% extra MACs with the input in the arena,
 * give the int8 reference's output bytes on the host and under qemu on cortex-m4 and cortex-m55.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cBuildOf, cProject } from '../../../compiler/backends/c/project.ts';
import { chooseArena } from '../../../compiler/compile/arena-configurations.ts';
import { type Graph, tensorOf } from '../../../compiler/ir/graph.ts';
import { modelStats } from '../../../compiler/ir/stats.ts';
import { sizeOf } from '../../../compiler/ir/tensor.ts';
import { runInteger } from '../../../compiler/reference/integer/interpreter.ts';
import { loadModel } from '../../../models/registry.ts';
import { cToolchain, loadTarget } from '../../../targets/target.ts';
import { buildTemporaryProject } from '../../../targets/toolchain.ts';
import { goalRatioOf, PATCH_MAC_ALLOWANCE } from '../../../tools/bench/patches.ts';
import { pythonRandomInt8 } from '../../../tools/bench/python-random.ts';
import { firstDifference, runC } from '../../support/c-build.ts';
import { quantizedDefaultModel } from '../../support/quantized-model.ts';

const file = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

const MODELS: [string, () => Promise<Graph>][] = [
  ['MLPerf Tiny VWW', async () => loadModel(file('models/mlperf-tiny/vww_96_int8.tflite')).graph],
  ['TFLM person_detect', async () => loadModel(file('models/tflm/person_detect.tflite')).graph],
  ['nsfwjs:mobilenet_v2', async () => (await quantizedDefaultModel(1, 'nsfwjs:mobilenet_v2')).int8],
];

describe.each(MODELS)('%s in patches', (name, graphOf) => {
  it('at the goal budget and within 10% extra MACs equals the int8 reference on host, cortex-m4 and cortex-m55', async () => {
    const g = await graphOf();
    const x = pythonRandomInt8(1, sizeOf(tensorOf(g, g.inputs[0]!).shape));
    const reference = runInteger(g, { [g.inputs[0]!]: x }).get(g.outputs[0]!) as Int8Array;
    for (const targetName of ['host', 'cortex-m4', 'cortex-m55']) {
      const target = loadTarget(targetName);
      const layerWise = chooseArena(g, target, { inPlace: false, patches: false, callerInput: true }).plan;
      const budget = { bytes: Math.floor(layerWise.arenaBytes / goalRatioOf(name)), name: 'the goal budget' };
      const choices = [
        chooseArena(g, target, { budget, callerInput: true }),
        chooseArena(g, target, { smallestWithinMacs: PATCH_MAC_ALLOWANCE * modelStats(g).totals.macs }),
      ];
      for (const { plan, chosen } of choices) {
        expect(plan.patches, chosen.name).toBeDefined();
        const cflags = [...cToolchain(target).cflags, '-Werror'];
        const dir = buildTemporaryProject(cProject(g, plan, { ...cBuildOf(target), cflags }).files, target, cflags);
        expect(
          firstDifference(runC({ dir, target, output: 'int8' }, x), reference),
          `${targetName} ${chosen.name}`,
        ).toBeNull();
      }
    }
  }, 900_000);
});
