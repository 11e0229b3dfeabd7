/**
 * @fileoverview The report's precision section for `--precision auto` (issue 24's "the HTML report shows the
 * per-layer choice and the Pareto front"), drawn from a choice's data without measuring one (the CLI's auto takes
 * minutes on a real model; test/quantize/auto-precision.test.ts checks the choice itself): one bar per layer coloured
 * by its precision, one point per front candidate plus all-int8 and the chosen plan, the flash budget as a rule.
 */
import { describe, expect, it } from 'vitest';
import { precisionCharts } from '../../tools/report/report-charts.ts';
import type { ReportData } from '../../tools/report/report-data.ts';
import { vegaLiteSvg } from '../../tools/report/vega-svg.ts';

const point = (sqnrDb: number, flash: number, instructions: number, int4w: number, x16: number) => ({
  sqnrDb,
  flash,
  instructions,
  int4w,
  x16,
});

const layers = [
  { index: 0, name: 'conv', op: 'conv2d', shape: '1×8×8×16', macs: 9216, params: 448, activationBytes: 1024 },
  { index: 1, name: 'project', op: 'conv2d', shape: '1×8×8×8', macs: 8192, params: 136, activationBytes: 512 },
  { index: 2, name: 'softmax', op: 'softmax', shape: '1×8', macs: 0, params: 0, activationBytes: 16 },
];

const data: Pick<ReportData, 'precision' | 'layers'> = {
  layers,
  precision: {
    layers: [
      { index: 0, name: 'conv', op: 'conv2d', precision: 'int8' },
      { index: 1, name: 'project', op: 'conv2d', precision: 'int4w' },
      { index: 2, name: 'softmax', op: 'softmax', precision: '16x8' },
    ],
    auto: {
      int8: point(20, 600, 10_000, 0, 0),
      chosen: point(31, 540, 10_400, 1, 1),
      front: [point(18, 520, 9_800, 1, 0), point(31, 540, 10_400, 1, 1), point(33, 610, 11_000, 0, 2)],
      budgets: { flash: 560, instructions: 11_500 },
      sensitivity: [],
    },
  },
};

/** Paths of one mark type in an SVG's marks. */
const marks = (svg: string, type: 'rect' | 'symbol' | 'rule') =>
  [...svg.matchAll(new RegExp(`<g class="mark-${type} role-mark[^"]*"[^>]*>(.*?)</g>`, 'gs'))]
    .map((m) => (m[1]!.match(/<(path|line)\b/g) ?? []).length)
    .reduce((a, b) => a + b, 0);

describe('the report draws what --precision auto chose', () => {
  it('one bar per layer and one point per front candidate, all-int8 and the choice; the flash budget as a rule', async () => {
    const charts = precisionCharts(data);
    expect(charts.map((c) => c.id)).toEqual(['precision-layers', 'precision-front']);
    const [bars, front] = await Promise.all(charts.map((c) => vegaLiteSvg(c.spec)));
    expect(marks(bars!, 'rect')).toBe(3);
    expect(marks(front!, 'symbol')).toBe(5);
    expect(marks(front!, 'rule')).toBeGreaterThanOrEqual(1);
  });

  it('a list without auto draws the layers only', () => {
    const { auto: _, ...listOnly } = data.precision as Exclude<ReportData['precision'], { unavailable: string }>;
    expect(precisionCharts({ ...data, precision: listOnly }).map((c) => c.id)).toEqual(['precision-layers']);
  });
});
