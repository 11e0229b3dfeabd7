/**
 * @fileoverview The split plan as a picture: one stacked bar per cut (head on the device, network, tail on the
 * server), local only and full offload at the ends, the best cut marked. Drawn with Vega-Lite, rendered to SVG
 * headless (no canvas), and to PNG through sharp when the file name asks for it.
 */
import { writeFileSync } from 'node:fs';
import sharp from 'sharp';
import type { TopLevelSpec } from 'vega-lite';
import { TinyedgeError } from '../../compiler/errors.ts';
import { checkOutputFile } from '../../compiler/output/output-path.ts';
import type { SplitRow } from '../../compiler/plan/split/plan-split.ts';
import { vegaLiteSvg } from '../report/vega-svg.ts';

const PARTS = ['head (device)', 'network', 'tail (server)'] as const;

/** What the chart reads of a plan's row (`tinyedge report` keeps only the cut's id). */
export type PlotRow = Pick<SplitRow, 'kind' | 'headMs' | 'networkMs' | 'tailMs' | 'totalMs'> & { cut: { id: number } };

/** The plan's Vega-Lite specification (`tinyedge report` draws it too). */
export function planSpec(rows: readonly PlotRow[], best: PlotRow, title: string): TopLevelSpec {
  const label = (r: PlotRow) => (r.kind === 'split' ? String(r.cut.id) : `${r.cut.id} (${r.kind})`);
  const order = rows.map(label);
  const values = rows.flatMap((r) =>
    [r.headMs, r.networkMs, r.tailMs].map((ms, i) => ({ cut: label(r), part: PARTS[i], ms, order: i })),
  );
  const totals = rows.map((r) => ({
    cut: label(r),
    total: r.totalMs,
    mark: r === best ? `best ${r.totalMs.toFixed(1)} ms` : '',
  }));
  const x = {
    field: 'cut',
    type: 'nominal' as const,
    sort: order,
    title: 'cut (where the model is split)',
    axis: { labelAngle: -60 },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, fontSize: 13 },
    width: Math.max(480, 16 * rows.length),
    height: 280,
    layer: [
      {
        data: { values },
        mark: 'bar',
        encoding: {
          x,
          y: { field: 'ms', type: 'quantitative', aggregate: 'sum', title: 'capture-to-answer time (ms)' },
          color: { field: 'part', type: 'nominal', sort: [...PARTS], title: null, legend: { orient: 'top' } },
          order: { field: 'order' },
        },
      },
      {
        data: { values: totals },
        mark: { type: 'text', dy: -8, fontWeight: 'bold' },
        encoding: { x, y: { field: 'total', type: 'quantitative' }, text: { field: 'mark' } },
      },
    ],
  };
}

/** Refuses, before any work, a --plot name that is neither .svg nor .png, or a file that exists without --force. */
export function checkPlotFile(file: string, force = false): void {
  if (!/\.(svg|png)$/i.test(file)) throw new TinyedgeError('TE601', `--plot writes .svg or .png files, got '${file}'`);
  checkOutputFile(file, force);
}

/** Writes the plan's chart to `file` (.svg, or .png rasterized by sharp), checked by checkPlotFile. */
export async function writePlanPlot(
  file: string,
  rows: readonly SplitRow[],
  best: SplitRow,
  title: string,
): Promise<void> {
  const svg = await vegaLiteSvg(planSpec(rows, best, title));
  writeFileSync(file, /\.png$/i.test(file) ? await sharp(Buffer.from(svg), { density: 144 }).png().toBuffer() : svg);
}
