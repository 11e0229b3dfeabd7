/**
 * A prefix in patches through an explicit PAD (the default model, nsfwjs:mobilenet_v2_mid, pads 224 → 225 at the
 * bottom and right before its first VALID stride-2 convolution): only the cells on the bottom row and right column
 * get the pad's row and column (its zero point), the others none, and the output bytes equal the int8 reference on
 * the host and under qemu on cortex-m4, for an uneven grid right after the first block and for the one-column strip
 * grid compile picks for the model at cortex-m4's 640 KB (15×1@13, rings after it). The model is cut after its
 * first layer past the split (subgraph), which keeps the qemu runs short.
 */
import { describe, expect, it } from 'vitest';
import { cBuildOf, cProject } from '../../../compiler/backends/c/project.ts';
import { cScratchBytes } from '../../../compiler/backends/c/render-nodes.ts';
import { type Graph, tensorOf } from '../../../compiler/ir/graph.ts';
import { subgraph } from '../../../compiler/ir/subgraph.ts';
import { sizeOf } from '../../../compiler/ir/tensor.ts';
import { type PatchConfig, planPatches } from '../../../compiler/plan/patch/patch-plan.ts';
import { planMemory } from '../../../compiler/plan/plan-memory.ts';
import { runInteger } from '../../../compiler/reference/integer/interpreter.ts';
import { cToolchain, loadTarget } from '../../../targets/target.ts';
import { buildTemporaryProject } from '../../../targets/toolchain.ts';
import { firstDifference, runC, STRICT_CFLAGS } from '../../support/c-build.ts';
import { quantizedDefaultModel } from '../../support/quantized-model.ts';
import { seededUniform } from '../../support/seeded.ts';

/** The node after the 15×1@13 prefix: the cut's output (28×28×288). */
const LAST = 14;

/** 4×3 cells of the first block's 112×112 output (node 3), and the strip grid compile picks at 640 KB. */
const RUNS: { config: PatchConfig; inPlace: false | 'every'; callerInput: boolean }[] = [
  { config: { rows: 4, cols: 3, split: 3 }, inPlace: false, callerInput: false },
  { config: { rows: 15, cols: 1, split: 13 }, inPlace: 'every', callerInput: true },
];

async function cutModel(): Promise<{ g: Graph; x: Int8Array; reference: Int8Array }> {
  const { int8 } = await quantizedDefaultModel(1);
  const g = subgraph(int8, int8.inputs, [int8.nodes[LAST]!.outputs[0]!]);
  const x = Int8Array.from(seededUniform(7, sizeOf(tensorOf(g, g.inputs[0]!).shape), -128, 128), Math.floor);
  return { g, x, reference: runInteger(g, { [g.inputs[0]!]: x }).get(g.outputs[0]!) as Int8Array };
}

describe('a patch prefix through PAD', () => {
  it('gives the pad row and column to the bottom and right cells only', async () => {
    const { g } = await cutModel();
    const pad = g.nodes[0]!;
    expect(pad.op).toBe('pad');
    const plan = planPatches(g, RUNS[0]!.config);
    // What each cell's pad writes beyond the input rows and columns it reads: [rows, columns] of padding.
    const padding = plan.cells.map((cell) => {
      const out = cell.regions.get(pad.outputs[0]!)!;
      const read = cell.reads.get(pad.name)!;
      const rows = out.y1 - out.y0 - (cell.cachedRows.get(pad.outputs[0]!) ?? 0);
      return [rows - (read.y1 - read.y0), out.x1 - out.x0 - (read.x1 - read.x0)];
    });
    // Column by column, top to bottom: the last cell of each column has the bottom row, the last column the right one.
    expect(padding).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
      [1, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [1, 0],
      [0, 1],
      [0, 1],
      [0, 1],
      [1, 1],
    ]);
  }, 300_000);
});

describe.each(['host', 'cortex-m4'])('nsfwjs:mobilenet_v2_mid in patches through its PAD on %s', (name) => {
  it('equals the int8 reference, byte for byte', async () => {
    const { g, x, reference } = await cutModel();
    const target = loadTarget(name);
    const cflags = name === 'host' ? STRICT_CFLAGS : [...cToolchain(target).cflags, '-Werror'];
    for (const { config, inPlace, callerInput } of RUNS) {
      const patches = planPatches(g, config);
      const plan = planMemory(g, cScratchBytes, { patches, inPlace, callerInput });
      const { files } = cProject(g, plan, { ...cBuildOf(target), cflags });
      expect(files['model.c']).toContain(`${config.rows}×${config.cols} patches`);
      const dir = buildTemporaryProject(files, target, cflags);
      expect(firstDifference(runC({ dir, target, output: 'int8' }, x), reference), JSON.stringify(config)).toBeNull();
    }
  }, 300_000);
});
