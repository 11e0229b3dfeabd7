/**
 * Patch-based execution of builder:mobilenet_v2_0.35_96 is bit-exact: the prefix run in uneven grids (cells of
 * 4 and 5 rows, stride-2 layers with SAME padding only the edge cells see, residual adds reading sub-rectangles)
 * gives the int8 reference's output bytes on the host and under qemu on cortex-m4 and cortex-m55, also with the
 * layers after the prefix in place through rings, with the input read from the caller's buffer (and layer-wise so),
 * every cell below another taking the rows they share from row caches, a one-column strip grid recomputing nothing;
 * and the budget search picks the smallest configuration without extra MACs when it fits (in place here), patches
 * between that and the best patched arena, and refuses below the best with the overshoot in bytes.
 */
import { describe, expect, it } from 'vitest';
import { cBuildOf, cProject } from '../../../compiler/backends/c/project.ts';
import { cScratchBytes } from '../../../compiler/backends/c/render-nodes.ts';
import { type Graph, tensorOf } from '../../../compiler/ir/graph.ts';
import { sizeOf } from '../../../compiler/ir/tensor.ts';
import { chooseMemory } from '../../../compiler/plan/choose-memory.ts';
import { type PatchConfig, planPatches } from '../../../compiler/plan/patch/patch-plan.ts';
import { planMemory } from '../../../compiler/plan/plan-memory.ts';
import { runInteger } from '../../../compiler/reference/integer/interpreter.ts';
import { MCU_MODEL } from '../../../models/registry.ts';
import { cToolchain, loadTarget } from '../../../targets/target.ts';
import { buildTemporaryProject } from '../../../targets/toolchain.ts';
import { firstDifference, runC, STRICT_CFLAGS } from '../../support/c-build.ts';
import { quantizedDefaultModel } from '../../support/quantized-model.ts';
import { seededUniform } from '../../support/seeded.ts';

/** Two grids at two split layers: 3×4 after block 1 (48 → 24 rows, one stride-2 depthwise), 5×5 after block 3 (two stride-2 layers and a residual add). */
const CONFIGS: PatchConfig[] = [
  { rows: 3, cols: 4, split: 5 },
  { rows: 5, cols: 5, split: 12 },
];

async function modelAndInput(): Promise<{ g: Graph; x: Int8Array; reference: Int8Array }> {
  const { int8: g } = await quantizedDefaultModel(1, MCU_MODEL);
  const x = Int8Array.from(seededUniform(7, sizeOf(tensorOf(g, g.inputs[0]!).shape), -128, 128), Math.floor);
  return { g, x, reference: runInteger(g, { [g.inputs[0]!]: x }).get(g.outputs[0]!) as Int8Array };
}

describe.each(['host', 'cortex-m4', 'cortex-m55'])(`${MCU_MODEL} in patches on %s`, (name) => {
  it('every configuration equals the int8 reference, byte for byte', async () => {
    const { g, x, reference } = await modelAndInput();
    const target = loadTarget(name);
    const cflags = name === 'host' ? STRICT_CFLAGS : [...cToolchain(target).cflags, '-Werror'];
    // Then: patches with every layer after the prefix that can run in place through a ring doing so; the input in
    // the caller's buffer (each cell copying its rectangle out of it), and layer-wise so.
    const runs = [
      ...CONFIGS.map((c) => ({ config: c, inPlace: false, callerInput: false })),
      { config: CONFIGS[0], inPlace: 'every', callerInput: false },
      // 13 rows of cells after block 2: near the bottom, cells whose first layers' rows all come from row caches.
      { config: { rows: 13, cols: 4, split: 9 }, inPlace: 'every', callerInput: true },
      // A one-column strip grid, as compile picks for nsfwjs:mobilenet_v2 at cortex-m4's 640 KB: every cell the
      // tensors' whole width, each layer's rows computed once (none recomputed), the rest from row caches.
      { config: { rows: 15, cols: 1, split: 9 }, inPlace: 'every', callerInput: true },
      { config: undefined, inPlace: false, callerInput: true },
    ] as const;
    for (const { config, inPlace, callerInput } of runs) {
      const patches = config ? planPatches(g, config) : undefined;
      const plan = planMemory(g, cScratchBytes, { ...(patches ? { patches } : {}), inPlace, callerInput });
      if (inPlace) expect(plan.rolling.size).toBeGreaterThan(0);
      // Cells below others take the rows they share from row caches (a band of each convolution computes the rest).
      if (patches) expect(patches.rowCacheBytes.size).toBeGreaterThan(0);
      if (config?.cols === 1) expect(patches?.patchMacs).toBe(patches?.prefixMacs);
      if (callerInput) expect(plan.offsets.has(g.inputs[0]!)).toBe(false);
      const { files } = cProject(g, plan, { ...cBuildOf(target), cflags });
      if (config) expect(files['model.c']).toContain(`${config.rows}×${config.cols} patches`);
      if (callerInput) expect(files['model.h']).toContain('void model_run_input(const int8_t *input, uint8_t *arena);');
      const dir = buildTemporaryProject(files, target, cflags);
      expect(firstDifference(runC({ dir, target, output: 'int8' }, x), reference), JSON.stringify(config)).toBeNull();
    }
  }, 300_000);
});

describe('the RAM budget search', () => {
  it('no extra MACs when that fits, patches between, and the overshoot below the best', async () => {
    const { g } = await modelAndInput();
    const unlimited = chooseMemory(g, cScratchBytes);
    expect(unlimited.plan.patches).toBeUndefined();
    expect(unlimited.configurations.map((c) => c.name)).toEqual(['layer-wise', 'in-place']);
    const budget = (bytes: number) => ({ budget: { bytes, name: '--budget-ram' } });
    expect(chooseMemory(g, cScratchBytes, budget(unlimited.plan.arenaBytes)).plan.patches).toBeUndefined();
    const within64k = chooseMemory(g, cScratchBytes, budget(64 * 1024));
    expect(within64k.plan.patches).toBeDefined();
    expect(within64k.plan.arenaBytes).toBeLessThanOrEqual(64 * 1024);
    expect(within64k.configurations[0]).toEqual(unlimited.configurations[0]);
    // The cheapest that fits: no configuration tried fits with fewer extra MACs.
    const fitting = within64k.configurations.filter((t) => t.arenaBytes <= 64 * 1024);
    expect(Math.min(...fitting.map((t) => t.extraMacs ?? 0))).toBe(within64k.chosen.extraMacs);
    // The refusal's smallest (the few smallest quick placements planned in full), and its overshoot just below it.
    const needs = (bytes: number) => {
      try {
        chooseMemory(g, cScratchBytes, budget(bytes));
      } catch (e) {
        return Number(/needs (\d+) bytes/.exec(String(e))?.[1]);
      }
      throw new Error(`a budget of ${bytes} B fits`);
    };
    const best = needs(1024);
    expect(best).toBeLessThan(64 * 1024);
    expect(() => chooseMemory(g, cScratchBytes, budget(best - 100))).toThrow(/over by 100 bytes/);
  }, 120_000);
});
