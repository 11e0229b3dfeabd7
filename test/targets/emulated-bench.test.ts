/**
 * `tinyedge bench --target cortex-m55` counts instructions under qemu with the plugin built from Debian's qemu
 * source package: one row per layer with the reference and the Helium kernels beside each other, counts that
 * repeat exactly between runs, optimized pointwise layers cheaper than the reference, and identical outputs.
 */
import { describe, expect, it } from 'vitest';
import { tinyedge } from '../support/cli.ts';

interface Bench {
  model: string;
  layers: { op: string; macs: number; refInstructions: number; instructions: number }[];
  totals: { macs: number; refInstructions: number; instructions: number; programInstructions: number };
  sameOutput: boolean;
}

describe('tinyedge bench on an emulated target', () => {
  it('cortex-m55: per-layer instruction counts, repeatable, Helium below the reference, same output', () => {
    const runs = [0, 1].map(() => {
      const r = tinyedge(['bench', '--target', 'cortex-m55', '--json']);
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as Bench;
    });
    const [a, b] = runs;
    expect(a.model).toBe('builder:mobilenet_v2_0.35_96');
    expect(a.sameOutput).toBe(true);
    expect(b.totals).toEqual(a.totals);
    expect(a.layers.map((l) => l.instructions)).toEqual(b.layers.map((l) => l.instructions));
    expect(a.totals.instructions).toBeLessThan(a.totals.programInstructions);
    const pointwise = a.layers.filter((l) => l.op === 'conv2d' && l.macs > 0);
    for (const l of pointwise) expect(l.instructions).toBeLessThan(l.refInstructions);
    console.log(`cortex-m55: ${a.totals.instructions} instructions (reference kernels ${a.totals.refInstructions}), ${(a.totals.macs / a.totals.instructions).toFixed(2)} MACs per instruction`);
  }, 600_000);
});
