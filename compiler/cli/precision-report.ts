/**
 * @fileoverview The lines `--precision auto` adds to the quantize report: what was chosen within which budgets, each
 * layer's measured sensitivity and choice, and the Pareto front it was chosen from (flash and instructions against
 * predicted output SQNR).
 */

import { formatBytes } from '../byte-size.ts';
import type { AutoPrecisionResult, PrecisionPoint } from '../quantize/auto-precision.ts';
import { shortName, si, table } from '../terminal/format.ts';

const db = (x: number | null) => (x === null ? '' : Number.isFinite(x) ? x.toFixed(1) : '∞');

/** At most `n` points spread evenly over the front, its ends and the chosen one always among them. */
function spread(front: PrecisionPoint[], chosen: PrecisionPoint, n: number): PrecisionPoint[] {
  if (front.length <= n) return front;
  const picked = new Set([chosen]);
  for (let i = 0; i < n - 1; i++) picked.add(front[Math.round((i * (front.length - 1)) / (n - 2))]!);
  return front.filter((p) => picked.has(p));
}

/** One line saying what was chosen. */
export function autoPrecisionSummary(r: AutoPrecisionResult): string {
  const c = r.chosen;
  return `precision auto: ${c.int4w} layers int4w, ${c.x16} 16x8, the rest int8; predicted output SQNR ${db(c.sqnrDb)} dB, measured ${db(r.measuredSqnrDb)} dB on the calibration inputs (all-int8 ${db(r.measuredInt8SqnrDb)} dB there; a plan measuring no better gives way to it), weights ${formatBytes(c.flash)} (int8 ${formatBytes(r.int8.flash)}), ${si(c.instructions)} instructions (${(c.instructions / r.int8.instructions).toFixed(2)}× int8)`;
}

/** The whole section: budgets, per-layer choice and sensitivity, and the front. */
export function autoPrecisionLines(r: AutoPrecisionResult, frontRows = 14): string[] {
  const b = r.budgets;
  const budgets = [
    b.flash !== undefined ? `weights ≤ ${formatBytes(b.flash)}` : undefined,
    b.ram !== undefined ? `activations ≤ ${formatBytes(b.ram)}` : undefined,
    `instructions ≤ ${si(b.instructions)} (${(b.instructions / r.int8.instructions).toFixed(2)}× int8)`,
    b.minSqnrDb !== undefined ? `SQNR ≥ ${b.minSqnrDb} dB` : undefined,
  ].filter((x) => x !== undefined);
  const layerRows = r.costs.map((c, i) => {
    const s = r.sensitivity[i]!;
    const p = r.plan[c.node] ?? 'int8';
    return [shortName(c.node, 40), p, db(s.int4wDb), db(s.x16Db), c.flash[p], si(c.instructions[p])];
  });
  const front = spread(r.front, r.chosen, frontRows).map((p) => [
    p === r.chosen ? '→' : '',
    formatBytes(p.flash),
    `${si(p.instructions)} (${(p.instructions / r.int8.instructions).toFixed(2)}×)`,
    db(p.sqnrDb),
    p.int4w,
    p.x16,
  ]);
  return [
    autoPrecisionSummary(r),
    `budgets: ${budgets.join(', ')}`,
    `per layer (output SQNR with only that layer at int4w or 16x8, all-int8 ${db(r.int8.sqnrDb)} dB; int4w only where its weights are packed):`,
    table(['layer', 'chosen', 'int4w dB', '16x8 dB', 'weight B', 'instructions'], layerRows, [2, 3, 4, 5]),
    `Pareto front of the ${r.front.length} candidates no other beats on weights, instructions and SQNR at once (predicted; → chosen):`,
    table(['', 'weights', 'instructions', 'SQNR dB', 'int4w', '16x8'], front, [2, 3, 4, 5]),
  ];
}
