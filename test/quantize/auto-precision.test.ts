/**
 * `--precision auto` on a small graph: the choice stays within every budget (weights, instructions as a multiple of
 * all-int8, a minimum SQNR), spends a generous instruction budget on 16×8 where it helps, buys a tight flash budget
 * with int4w on the layers whose weights are packed (1×1 convs and dense layers), reports a front no candidate
 * dominates, and refuses budgets nothing meets with TE208.
 */
import { describe, expect, it } from 'vitest';
import { TinyedgeError } from '../../compiler/errors.ts';
import { type AutoPrecisionResult, choosePrecision } from '../../compiler/quantize/auto-precision.ts';
import { calibrate } from '../../compiler/quantize/calibrate.ts';
import { mixingInstructions, planCost } from '../../compiler/quantize/layer-costs.ts';
import { mixedGraph } from '../support/mixed-precision-graph.ts';
import { seededUniform } from '../support/seeded.ts';

const g = mixedGraph();
const inputs = [0, 1, 2, 3].map((k) => seededUniform(40 + k, 7 * 6 * 3, -2, 2));
const ranges = calibrate(g, inputs, 'minmax');
const choose = (options: Parameters<typeof choosePrecision>[3]) => choosePrecision(g, ranges, inputs, options);

function within(r: AutoPrecisionResult): void {
  const { flash, instructions } = planCost(r.costs, r.plan);
  expect(flash).toBe(r.chosen.flash);
  expect(instructions + mixingInstructions(g, r.plan)).toBeCloseTo(r.chosen.instructions, 6);
  expect(flash).toBeLessThanOrEqual(r.budgets.flash ?? Infinity);
  expect(instructions).toBeLessThanOrEqual(r.budgets.instructions);
}

describe('--precision auto', () => {
  it('spends a generous instruction budget on 16×8 and gains SQNR over all-int8', () => {
    const r = choose({ maxCost: 10 });
    within(r);
    expect(Object.values(r.plan)).toContain('16x8');
    expect(r.chosen.sqnrDb).toBeGreaterThan(r.int8.sqnrDb);
    // The choice is measured too, and kept only when it beats all-int8 (which fits here).
    expect(r.measuredSqnrDb).toBeGreaterThan(r.measuredInt8SqnrDb);
  });

  it('reuses an earlier measure: same choice under other budgets, without measuring each layer again', () => {
    const first = choose({ maxCost: 10 });
    const steps: number[] = [];
    const again = choosePrecision(g, ranges, inputs, { maxCost: 10, measure: first.measure }, (done) =>
      steps.push(done),
    );
    expect(again.plan).toEqual(first.plan);
    expect(again.measuredSqnrDb).toBe(first.measuredSqnrDb);
    // Only the check: all-int8 and at most four finalists, as they would ship (no layer measured alone).
    expect(steps.length).toBeLessThanOrEqual(1 + 4 + 1);
  });

  it('meets a tight flash budget with int4w on packed layers only (here 0.9× all-int8: two of four layers pack)', () => {
    const int8 = choose({}).int8.flash;
    const r = choose({ budgetFlash: Math.floor(0.9 * int8) });
    within(r);
    const int4 = Object.entries(r.plan).filter(([, p]) => p === 'int4w');
    expect(int4.length).toBeGreaterThan(0);
    for (const [node] of int4) expect(['project', 'fc']).toContain(node);
  });

  it('keeps to the minimum SQNR, and reports a front sorted by weights that no candidate dominates', () => {
    const r = choose({ maxCost: 10, minSqnrDb: 20 });
    within(r);
    expect(r.chosen.sqnrDb).toBeGreaterThanOrEqual(20);
    const f = r.front;
    expect(f.map((p) => p.flash)).toEqual([...f.map((p) => p.flash)].sort((a, b) => a - b));
    for (const p of f)
      for (const q of f)
        expect(q.flash < p.flash && q.instructions < p.instructions && q.sqnrDb > p.sqnrDb).toBe(false);
  });

  it('refuses budgets nothing meets, saying which and by how much: the least flash, the fewest instructions', () => {
    expect(() => choose({ budgetFlash: 100 })).toThrow(TinyedgeError);
    expect(() => choose({ budgetFlash: 100 })).toThrow(/at least \d+ B \(every packed layer int4w\)/);
    const int8 = choose({}).int8.flash;
    expect(() => choose({ budgetFlash: Math.floor(0.9 * int8), maxCost: 1 })).toThrow(
      /^(?!.*budget-ram).*fewest instructions are 1\.\d\d× int8's .*over --max-cost 1\.00$/,
    );
  });
});
