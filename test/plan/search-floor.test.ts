/**
 * The bound compile uses to skip the full slide-and-ring search of a patch grid (search-floor.ts) never exceeds what
 * that search reaches, nor any fixed choice of slides and rings, on builder:mobilenet_v2_0.35_96 layer-wise and in a
 * grid at every split layer that runs one (test/models/mobiledet.test.ts times the refusal it speeds up).
 */
import { describe, expect, it } from 'vitest';
import { cScratchBytes } from '../../compiler/backends/c/render-nodes.ts';
import { patchOptionsOf } from '../../compiler/plan/choose-memory.ts';
import { type PatchConfig, planPatches } from '../../compiler/plan/patch/patch-plan.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import { searchFloorBytes } from '../../compiler/plan/search-floor.ts';
import { MCU_MODEL } from '../../models/registry.ts';
import { quantizedDefaultModel } from '../support/quantized-model.ts';

describe('searchFloorBytes', () => {
  it('is at most the arena of the full search and of every fixed choice, with and without patches', async () => {
    const { int8: g } = await quantizedDefaultModel(1, MCU_MODEL);
    const options = patchOptionsOf(g);
    // One grid per split layer (the floor depends on the split, little on the grid) and layer-wise.
    const planned = (c: PatchConfig) => {
      try {
        return [planPatches(g, c)];
      } catch {
        return []; // a grid this split cannot run (TE303)
      }
    };
    const splits = [...new Set(options.map((c) => c.split))];
    const cases = [undefined, ...splits.flatMap((split) => planned({ rows: 4, cols: 2, split }))];
    expect(cases.length).toBeGreaterThan(5);
    for (const patches of cases) {
      const floor = searchFloorBytes(g, planMemory(g, cScratchBytes, { patches, slide: 'none' }));
      for (const options of [{ slide: 'every' as const }, {}, { inPlace: true }, { inPlace: 'every' as const }]) {
        const plan = planMemory(g, cScratchBytes, { patches, ...options });
        expect(
          floor,
          `${patches ? `split ${patches.split}` : 'layer-wise'} ${JSON.stringify(options)}`,
        ).toBeLessThanOrEqual(plan.arenaBytes);
        expect(floor).toBeGreaterThan(0);
      }
    }
  }, 300_000);
});
