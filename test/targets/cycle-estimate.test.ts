/**
 * The Cortex-M cycle estimate: the pure arithmetic on hand-computed class counts for each core's table, every
 * counter priced with a source, and on a small model under qemu (Cortex-M4 and the Helium M55) the plugin's classes
 * add up to the exact instruction count of every layer and the estimate stays within the table's cycles per
 * instruction.
 */
import { describe, expect, it } from 'vitest';
import {
  CYCLE_COSTS,
  CYCLE_ESTIMATE_NOTE,
  EXTRA_COUNTERS,
  INSTRUCTION_CLASSES,
} from '../../targets/qemu-insn/cycle-costs.ts';
import { type CounterCounts, classTotal, estimateCycles } from '../../targets/qemu-insn/cycle-estimate.ts';
import { tinyedge } from '../support/cli.ts';

const table = (core: string) => CYCLE_COSTS[core]!;

describe('cycle estimate arithmetic', () => {
  it('cortex-m4: single issue, loads pipeline, LDM 1+N, a taken branch refills and a fall-through does not', () => {
    const counts: CounterCounts = {
      alu: 10,
      load: 2,
      'load-pipelined': 3,
      mul: 4,
      'cond-branch': 5,
      'cond-branch-fallthrough': 1,
      ldstm: 2,
      'ldstm-registers': 6,
    };
    // 10 + 2×2 + 3×1 + 4×1 + 5×3 − 1×2 + 2×1 + 6×1
    expect(estimateCycles(table('cortex-m4'), counts)).toBe(42);
    expect(classTotal(counts)).toBe(26);
  });

  it('cortex-m7: two instructions a cycle unless the one MAC pipe or the load/store pipe is busier', () => {
    expect(estimateCycles(table('cortex-m7'), { alu: 8, mul: 6, load: 4 })).toBe(9); // issue 18 × ½
    expect(estimateCycles(table('cortex-m7'), { alu: 2, mul: 10 })).toBe(10); // the MAC pipe
    expect(estimateCycles(table('cortex-m7'), { alu: 2, load: 6 })).toBe(6); // the load/store pipe
  });

  it('cortex-m55: a vector load overlaps a vector MAC; two of the same kind take their beats', () => {
    expect(estimateCycles(table('cortex-m55'), { 'mve-ldst': 1, mve: 1 })).toBe(2);
    expect(estimateCycles(table('cortex-m55'), { 'mve-ldst': 2, mve: 1 })).toBe(4);
    expect(estimateCycles(table('cortex-m55'), { 'mve-ldst': 1, mve: 1, alu: 3 })).toBe(5);
    expect(estimateCycles(table('cortex-m55'), {})).toBe(0);
  });

  it('every core prices every counter on its own resources, each with a source', () => {
    for (const core of Object.values(CYCLE_COSTS))
      for (const counter of [...INSTRUCTION_CLASSES, ...EXTRA_COUNTERS]) {
        const cost = core.costs[counter];
        expect(cost.source.length, `${core.core} ${counter}`).toBeGreaterThan(0);
        for (const resource of Object.keys(cost.cycles)) expect(core.resources).toContain(resource);
      }
  });
});

interface Bench {
  layers: { instructions: number; estimatedCycles: number; instructionClasses: CounterCounts }[];
  totals: { instructions: number; estimatedCycles: number };
  cycleEstimate: { core: string; note: string };
}

describe('tinyedge bench prints estimated cycles beside the exact instruction count', () => {
  for (const core of ['cortex-m4', 'cortex-m55'])
    it(`${core}: classes add up to each layer's instructions, the estimate within the table's cycles per instruction`, () => {
      const r = tinyedge(['bench', 'builder:mobilenet_v2_0.35_32', '--target', core, '--json']);
      expect(r.status, r.stderr).toBe(0);
      const a = JSON.parse(r.stdout) as Bench;
      const { cpi } = table(core);
      expect(a.cycleEstimate).toMatchObject({ core, note: CYCLE_ESTIMATE_NOTE });
      for (const l of a.layers) {
        expect(classTotal(l.instructionClasses)).toBe(l.instructions);
        expect(l.estimatedCycles).toBeGreaterThanOrEqual(cpi.min * l.instructions);
        expect(l.estimatedCycles).toBeLessThanOrEqual(cpi.max * l.instructions);
      }
      const t = a.totals;
      expect(t.estimatedCycles).toBeGreaterThanOrEqual(cpi.min * t.instructions);
      expect(t.estimatedCycles).toBeLessThanOrEqual(cpi.max * t.instructions);
      const all = (c: keyof CounterCounts) => a.layers.reduce((s, l) => s + (l.instructionClasses[c] ?? 0), 0);
      // The kernels' inner loops are seen for what they are: SMLAD on the M4, Helium on the M55.
      if (core === 'cortex-m4') expect(all('mul')).toBeGreaterThan(0);
      else expect(all('mve') + all('mve-ldst')).toBeGreaterThan(t.instructions / 4);
      console.log(
        `${core}: ${t.instructions} instructions, ≈ ${Math.round(t.estimatedCycles)} cycles (${CYCLE_ESTIMATE_NOTE})`,
      );
    }, 600_000);
});
