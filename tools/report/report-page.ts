/**
 * @fileoverview The report as one self-contained HTML page: its charts rendered to SVG here and inlined, its data
 * embedded as JSON (`<script type="application/json" id="report-data">`), no script and no network at view time, so
 * it opens by double-click and can be mailed. Sections without figures say why.
 */
import type { ReportChart } from './report-charts.ts';
import type { ReportData } from './report-data.ts';
import { vegaLiteSvg } from './vega-svg.ts';

const SECTIONS: [ReportChart['section'], string][] = [
  ['summary', 'Summary'],
  ['graph', 'Graph'],
  ['cost', 'Per-layer cost on the target'],
  ['quantization', 'Quantization error'],
  ['precision', 'Precision per layer'],
  ['arena', 'Arena over time'],
  ['split', 'Split plan'],
];

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const fmt = (n: number) => n.toLocaleString('en-US');
const db = (x: number | null) => (x !== null && Number.isFinite(x) ? x.toFixed(1) : '∞');

/** A table; cells are already escaped HTML. */
function table(head: string[], rows: string[][]): string {
  const tr = (cells: string[], tag: string) => `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
  return `<table><thead>${tr(head, 'th')}</thead><tbody>${rows.map((r) => tr(r, 'td')).join('')}</tbody></table>`;
}

/** The summary: one row per figure, each value cell keyed for the reader (and the test) by its field. */
function summaryHtml(d: ReportData): string {
  const s = d.summary;
  const row = (label: string, key: string, value: number | null, unit: string, note = '') => [
    label,
    `<span data-key="${key}">${value === null ? '—' : fmt(value)}</span> ${unit}${note}`,
  ];
  const bound = s.lowerBoundBytes
    ? ` (${((100 * (s.arenaBytes - s.lowerBoundBytes)) / s.lowerBoundBytes).toFixed(1)}% over the lower bound)`
    : '';
  const lat = s.latency;
  const rows = [
    row('layers', 'nodes', s.nodes, ''),
    row('MACs', 'macs', s.macs, ''),
    row('parameters', 'params', s.params, ''),
    row('arena', 'arenaBytes', s.arenaBytes, 'B', bound),
    row('lower bound', 'lowerBoundBytes', s.lowerBoundBytes, 'B'),
    row('target RAM', 'ramBytes', s.ramBytes, 'B'),
    row('weights', 'weightBytes', s.weightBytes, 'B'),
    row('code', 'codeBytes', s.codeBytes, 'B'),
    row('target flash', 'flashBytes', s.flashBytes, 'B'),
    ...(lat?.instructions !== undefined
      ? [row('instructions per inference', 'instructions', lat.instructions, '')]
      : []),
    ...(lat?.estimatedCycles !== undefined
      ? [row('estimated cycles', 'estimatedCycles', Math.round(lat.estimatedCycles), '')]
      : []),
    ...(lat?.ms !== undefined
      ? [[`latency`, `<span data-key="ms">${lat.ms.toFixed(2)}</span> ms (${escapeHtml(lat.how)})`]]
      : []),
  ];
  return `<p>model <b>${escapeHtml(d.model)}</b> on <b>${escapeHtml(d.target)}</b>, input ${escapeHtml(d.input)}</p>${table(['', ''], rows)}`;
}

/** The layer list: op, output shape, MACs, weights, activation bytes. */
function graphHtml(d: ReportData): string {
  const rows = d.layers.map((l) => [
    String(l.index),
    escapeHtml(l.name),
    escapeHtml(l.op),
    escapeHtml(l.shape),
    fmt(l.macs),
    fmt(l.params),
    fmt(l.activationBytes),
  ]);
  return `<details><summary>${d.layers.length} layers</summary>${table(['#', 'node', 'op', 'output', 'MACs', 'weights', 'activation B'], rows)}</details>`;
}

/** What the cost section says besides its charts. */
function costHtml(d: ReportData): string {
  const c = d.cost;
  if ('unavailable' in c) return '';
  if (c.kind === 'time')
    return c.build === 'c'
      ? `<p>each layer of the C build (the host's compiler and flags) timed between the schedule's layer markers on this machine, median of ${c.runs} run${c.runs === 1 ? '' : 's'}, each in its own process after a warm-up run; sum ${c.totalMs.toFixed(2)} ms</p>`
      : `<p>each layer of the int8 WebAssembly timed alone in Node on this machine, median of ${c.runs} run${c.runs === 1 ? '' : 's'}; sum ${c.totalMs.toFixed(2)} ms</p>`;
  const t = c.totals;
  const limit = c.limit
    ? `; ISA limit ${c.limit.macsPerInstruction} MACs per instruction (${escapeHtml(c.limit.instruction)}): ${((100 * t.macs) / t.instructions / c.limit.macsPerInstruction).toFixed(0)}% of it`
    : '';
  return `<p>instructions counted under qemu between layer markers: ${fmt(t.instructions)} with the target's kernels, ${fmt(t.refInstructions)} with the reference kernels, ${(t.macs / t.instructions).toFixed(2)} MACs per instruction${limit}. Outputs of both builds ${c.sameOutput ? 'identical' : 'DIFFER'}.</p>`;
}

/** The worst layers' table: SQNR, weight and activation ranges, clipping. */
function quantizationHtml(d: ReportData): string {
  const q = d.quantization;
  if ('unavailable' in q) return '';
  const range = (r: [number, number] | null) => (r ? `${r[0].toFixed(3)}…${r[1].toFixed(3)}` : '');
  const rows = q.layers.map((l) => [
    escapeHtml(l.node),
    escapeHtml(l.op),
    db(l.sqnrDb),
    range(l.weightRange),
    range(l.activationRange),
    `${(100 * l.clipped).toFixed(3)}%`,
  ]);
  return `<p>measured on ${q.inputs} held-out inputs: output ${db(q.outputSqnrDb)} dB, top-1 agreement with f32 ${(100 * q.top1Agreement).toFixed(1)}%</p><details><summary>every layer, worst first</summary>${table(['node', 'op', 'SQNR dB', 'weights', 'activation range', 'clipped'], rows)}</details>`;
}

/** How many layers run at each precision, and auto's choice against all-int8 and its budgets. */
function precisionHtml(d: ReportData): string {
  const p = d.precision;
  if ('unavailable' in p) return '';
  const counts = ['int8', '16x8', 'int4w'].map((k) => `${p.layers.filter((l) => l.precision === k).length} ${k}`);
  const a = p.auto;
  if (!a) return `<p>layers: ${counts.join(', ')} (chosen with --precision)</p>`;
  const b = a.budgets;
  const budgets = [
    b.flash !== undefined ? `weights ≤ ${fmt(b.flash)} B` : '',
    b.ram !== undefined ? `largest layer's activations ≤ ${fmt(b.ram)} B` : '',
    `instructions ≤ ${fmt(Math.round(b.instructions))}`,
    b.minSqnrDb !== undefined ? `output SQNR ≥ ${b.minSqnrDb} dB` : '',
  ].filter((x) => x);
  const row = (what: string, q: typeof a.chosen) => [
    what,
    `<span data-key="${what === 'chosen' ? 'chosenSqnrDb' : 'int8SqnrDb'}">${db(q.sqnrDb)}</span>`,
    fmt(q.flash),
    fmt(Math.round(q.instructions)),
    `${q.int4w} int4w, ${q.x16} 16×8`,
  ];
  return `<p>layers: ${counts.join(', ')}, chosen by --precision auto within ${budgets.join(', ')} from ${a.front.length} candidates on the Pareto front (predicted from each layer's measured sensitivity; see docs/cli.md).</p>${table(['plan', 'predicted SQNR dB', 'weight bytes', 'instructions', 'layers moved'], [row('all int8', a.int8), row('chosen', a.chosen)])}`;
}

function arenaHtml(d: ReportData): string {
  const a = d.arena;
  const p = a.patches;
  return `<p>${a.pieces.length} buffers, configuration <b>${escapeHtml(a.configuration)}</b>: peak ${fmt(a.arenaBytes)} B, lower bound ${fmt(a.lowerBoundBytes)} B${p ? `; layers 0–${p.split} run in ${p.rows}×${p.cols} patches (their per-cell buffers marked "patch cell")` : ''}</p>`;
}

function splitHtml(d: ReportData): string {
  const s = d.split;
  if ('unavailable' in s) return '';
  const best = s.rows.find((r) => r.cut === s.best)!;
  return `<p>link ${escapeHtml(s.bandwidth)}, RTT ${escapeHtml(s.rtt)}; ${escapeHtml(s.note)}. Best: cut ${best.cut} (${best.kind}), ${best.totalMs.toFixed(2)} ms per frame.</p>`;
}

const TEXT: Record<ReportChart['section'], (d: ReportData) => string> = {
  summary: summaryHtml,
  graph: graphHtml,
  cost: costHtml,
  quantization: quantizationHtml,
  precision: precisionHtml,
  arena: arenaHtml,
  split: splitHtml,
};

/** Why a section has no figures, if it has none. */
function unavailable(d: ReportData, section: ReportChart['section']): string | undefined {
  const value = (d as unknown as Record<string, unknown>)[section];
  return value && typeof value === 'object' && 'unavailable' in value ? String(value.unavailable) : undefined;
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#222}
section{margin:2em 0;border-top:1px solid #ddd}figure{margin:1em 0;overflow-x:auto}
table{border-collapse:collapse;font-size:12px}td,th{padding:2px 8px;border-bottom:1px solid #eee;text-align:left}
.unavailable{color:#a40;font-style:italic}`;

/** The whole page: every section with its text and inlined charts, and the data they were drawn from. */
export async function reportPage(d: ReportData, charts: readonly ReportChart[]): Promise<string> {
  const svgs = await Promise.all(charts.map((c) => vegaLiteSvg(c.spec)));
  const sections = SECTIONS.map(([id, title]) => {
    const why = unavailable(d, id);
    const figures = charts.flatMap((c, i) =>
      c.section === id ? [`<figure class="chart" data-chart="${c.id}">${svgs[i]}</figure>`] : [],
    );
    const body = why ? `<p class="unavailable">${escapeHtml(why)}</p>` : TEXT[id](d);
    return `<section id="${id}"><h2>${title}</h2>${body}${figures.join('')}</section>`;
  });
  const json = JSON.stringify(d).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tinyedge report: ${escapeHtml(d.model)} on ${escapeHtml(d.target)}</title>
<link rel="icon" href="data:,"><style>${STYLE}</style></head>
<body><h1>${escapeHtml(d.model)} on ${escapeHtml(d.target)}</h1>
${sections.join('\n')}
<script type="application/json" id="report-data">${json}</script>
</body></html>
`;
}
