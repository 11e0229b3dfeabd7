/**
 * @fileoverview The report's charts as Vega-Lite specifications, one per figure of the page, each drawn from the
 * report's data alone (so what the page draws is what --json prints). Bars are one mark per datum: the test counts
 * them in the rendered SVG against the page's embedded data.
 */
import type { TopLevelSpec } from 'vega-lite';
import { planSpec } from '../offload/plan-plot.ts';
import type { ReportData } from './report-data.ts';

/** One figure of the page: the section it belongs to and its specification. */
export interface ReportChart {
  id: string;
  section: 'summary' | 'graph' | 'cost' | 'quantization' | 'precision' | 'arena' | 'split';
  spec: TopLevelSpec;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** A layer's label on an axis: its index and op. */
const layerLabel = (index: number, op: string) => `${index} ${op}`;

/** Width of a chart with one band per layer. */
const bandsWidth = (n: number) => Math.max(480, 12 * n);

/** Memory against the target's budgets: arena, lower bound and RAM; weights, code and flash. */
function summaryChart(d: ReportData): TopLevelSpec {
  const s = d.summary;
  const rows: [string, string, number | null][] = [
    ['RAM', 'arena (planned peak)', s.arenaBytes],
    ['RAM', 'lower bound', s.lowerBoundBytes],
    ['RAM', `${d.target} RAM`, s.ramBytes],
    ['flash', 'weights', s.weightBytes],
    ['flash', 'code', s.codeBytes],
    ['flash', `${d.target} flash`, s.flashBytes],
  ];
  const values = rows.flatMap(([memory, what, bytes]) => (bytes === null ? [] : [{ memory, what, bytes }]));
  return {
    $schema: SCHEMA,
    title: 'memory against the target',
    width: 480,
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'what', type: 'nominal', sort: null, title: null },
      x: { field: 'bytes', type: 'quantitative', title: 'bytes' },
      color: { field: 'memory', type: 'nominal', title: null },
      tooltip: [{ field: 'what' }, { field: 'bytes', format: ',' }],
    },
  };
}

/** MACs per layer, the graph's shape of work. */
function graphChart(d: ReportData): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title: 'MACs per layer',
    width: bandsWidth(d.layers.length),
    height: 200,
    data: { values: d.layers.map((l) => ({ layer: layerLabel(l.index, l.op), op: l.op, macs: l.macs })) },
    mark: 'bar',
    encoding: {
      x: { field: 'layer', type: 'ordinal', sort: null, title: 'layer', axis: { labelAngle: -60 } },
      y: { field: 'macs', type: 'quantitative', title: 'MACs' },
      color: { field: 'op', type: 'nominal', title: 'op' },
      tooltip: [{ field: 'layer' }, { field: 'macs', format: ',' }],
    },
  };
}

/** The cost section's two charts: instructions (both kernel sets) or time per layer, then MACs per instruction or per second. */
function costCharts(d: ReportData): ReportChart[] {
  const cost = d.cost;
  if ('unavailable' in cost) return [];
  const x = { field: 'layer', type: 'ordinal' as const, sort: null, title: 'layer', axis: { labelAngle: -60 } };
  const width = bandsWidth(d.layers.length);
  if (cost.kind === 'time') {
    const values = cost.layers.map((l) => ({
      layer: layerLabel(l.index, l.kernel),
      ms: l.ms,
      gmacs: l.ms > 0 ? l.macs / l.ms / 1e6 : 0,
    }));
    const bars = (field: string, title: string): TopLevelSpec => ({
      $schema: SCHEMA,
      title,
      width,
      height: 200,
      data: { values },
      mark: 'bar',
      encoding: { x, y: { field, type: 'quantitative', title }, tooltip: [{ field: 'layer' }, { field }] },
    });
    return [
      {
        id: 'cost-time',
        section: 'cost',
        spec: bars(
          'ms',
          `median ms per layer, ${cost.build === 'c' ? 'C build' : 'WebAssembly'} (${cost.runs} run${cost.runs === 1 ? '' : 's'})`,
        ),
      },
      { id: 'cost-rate', section: 'cost', spec: bars('gmacs', 'G MACs per second') },
    ];
  }
  const values = cost.layers.flatMap((l) => [
    { layer: layerLabel(l.index, l.op), kernels: 'optimized', instructions: l.instructions },
    { layer: layerLabel(l.index, l.op), kernels: 'reference', instructions: l.refInstructions },
  ]);
  const ratio = cost.layers.map((l) => ({
    layer: layerLabel(l.index, l.op),
    macsPerInstruction: l.instructions ? l.macs / l.instructions : 0,
  }));
  const limit = cost.limit;
  return [
    {
      id: 'cost-instructions',
      section: 'cost',
      spec: {
        $schema: SCHEMA,
        title: `instructions per layer on ${d.target}, optimized and reference kernels`,
        width,
        height: 220,
        data: { values },
        mark: 'bar',
        encoding: {
          x,
          xOffset: { field: 'kernels' },
          y: { field: 'instructions', type: 'quantitative', title: 'instructions' },
          color: { field: 'kernels', type: 'nominal', title: null },
          tooltip: [{ field: 'layer' }, { field: 'kernels' }, { field: 'instructions', format: ',' }],
        },
      },
    },
    {
      id: 'cost-rate',
      section: 'cost',
      spec: {
        $schema: SCHEMA,
        title: `MACs per instruction${limit ? ` against the ISA limit (${limit.macsPerInstruction}, ${limit.instruction})` : ''}`,
        width,
        height: 200,
        layer: [
          {
            data: { values: ratio },
            mark: 'bar',
            encoding: {
              x,
              y: { field: 'macsPerInstruction', type: 'quantitative', title: 'MACs per instruction' },
              tooltip: [{ field: 'layer' }, { field: 'macsPerInstruction', format: '.2f' }],
            },
          },
          ...(limit
            ? [
                {
                  data: { values: [{ limit: limit.macsPerInstruction }] },
                  mark: { type: 'rule' as const, color: 'firebrick', strokeDash: [4, 3] },
                  encoding: { y: { field: 'limit', type: 'quantitative' as const } },
                },
              ]
            : []),
        ],
      },
    },
  ];
}

/** SQNR per layer, worst first (layers without error, ∞ dB, left out). */
function quantizationChart(d: ReportData): ReportChart[] {
  const q = d.quantization;
  if ('unavailable' in q) return [];
  const values = q.layers
    .filter((l) => Number.isFinite(l.sqnrDb))
    .map((l, rank) => ({ layer: `${rank + 1}. ${l.node}`, op: l.op, sqnrDb: l.sqnrDb, clipped: l.clipped }));
  return [
    {
      id: 'quantization-sqnr',
      section: 'quantization',
      spec: {
        $schema: SCHEMA,
        title: 'SQNR of each layer (int8 vs f32, error accumulated from the input), worst first',
        width: 480,
        data: { values },
        mark: 'bar',
        encoding: {
          y: { field: 'layer', type: 'ordinal', sort: null, title: null, axis: { labelLimit: 260 } },
          x: { field: 'sqnrDb', type: 'quantitative', title: 'SQNR (dB)' },
          color: { field: 'op', type: 'nominal', title: 'op' },
          tooltip: [{ field: 'layer' }, { field: 'sqnrDb', format: '.1f' }, { field: 'clipped', format: '.3%' }],
        },
      },
    },
  ];
}

/** Each layer's precision as the colour of its MACs bar; with auto, the Pareto front it chose from. */
export function precisionCharts(d: Pick<ReportData, 'precision' | 'layers'>): ReportChart[] {
  const p = d.precision;
  if ('unavailable' in p) return [];
  const macs = new Map(d.layers.map((l) => [l.index, l.macs]));
  const layers: ReportChart = {
    id: 'precision-layers',
    section: 'precision',
    spec: {
      $schema: SCHEMA,
      title: 'precision of each layer (bar: its MACs)',
      width: bandsWidth(p.layers.length),
      height: 200,
      data: {
        values: p.layers.map((l) => ({
          layer: layerLabel(l.index, l.op),
          name: l.name,
          precision: l.precision,
          macs: macs.get(l.index) ?? 0,
        })),
      },
      mark: 'bar',
      encoding: {
        x: { field: 'layer', type: 'ordinal', sort: null, title: 'layer', axis: { labelAngle: -60 } },
        y: { field: 'macs', type: 'quantitative', title: 'MACs' },
        color: {
          field: 'precision',
          type: 'nominal',
          title: 'precision',
          scale: { domain: ['int8', '16x8', 'int4w'], range: ['#4c78a8', '#e45756', '#54a24b'] },
        },
        tooltip: [{ field: 'name' }, { field: 'precision' }, { field: 'macs', format: ',' }],
      },
    },
  };
  const auto = p.auto;
  if (!auto) return [layers];
  const point = (what: string, q: (typeof auto.front)[number]) => ({
    what,
    flash: q.flash,
    sqnrDb: q.sqnrDb,
    instructions: q.instructions,
    int4w: q.int4w,
    x16: q.x16,
  });
  const values = [
    ...auto.front.map((q) => point('Pareto front', q)),
    point('all int8', auto.int8),
    point('chosen', auto.chosen),
  ];
  const front: ReportChart = {
    id: 'precision-front',
    section: 'precision',
    spec: {
      $schema: SCHEMA,
      title: 'what --precision auto chose from: predicted output SQNR against weight bytes (size: instructions)',
      width: 480,
      height: 280,
      layer: [
        {
          data: { values },
          mark: { type: 'point', filled: true },
          encoding: {
            x: { field: 'flash', type: 'quantitative', title: 'weight bytes', scale: { zero: false } },
            y: { field: 'sqnrDb', type: 'quantitative', title: 'predicted output SQNR (dB)', scale: { zero: false } },
            size: { field: 'instructions', type: 'quantitative', title: 'instructions' },
            color: {
              field: 'what',
              type: 'nominal',
              title: null,
              scale: { domain: ['Pareto front', 'all int8', 'chosen'], range: ['#9ecae9', '#4c78a8', '#e45756'] },
            },
            tooltip: [
              { field: 'what' },
              { field: 'sqnrDb', format: '.1f' },
              { field: 'flash', format: ',' },
              { field: 'instructions', format: ',' },
              { field: 'int4w', title: 'layers at int4w' },
              { field: 'x16', title: 'layers at 16×8' },
            ],
          },
        },
        ...(auto.budgets.flash !== undefined
          ? [
              {
                data: { values: [{ budget: auto.budgets.flash }] },
                mark: { type: 'rule' as const, color: 'firebrick', strokeDash: [4, 3] },
                encoding: { x: { field: 'budget', type: 'quantitative' as const } },
              },
            ]
          : []),
      ],
    },
  };
  return [layers, front];
}

/** The memory plan as TFLM users draw it: each buffer a box from its first to its last step at its offset. */
function arenaChart(d: ReportData): TopLevelSpec {
  const a = d.arena;
  const values = a.pieces.map((p) => ({
    name: p.name,
    kind: p.name.endsWith('@cell') ? 'patch cell' : p.kind,
    from: p.firstUse,
    to: p.lastUse + 1,
    offset: p.offset,
    end: p.offset + p.size,
    size: p.size,
  }));
  const marks = [
    { what: `peak ${a.arenaBytes} B`, bytes: a.arenaBytes },
    { what: `lower bound ${a.lowerBoundBytes} B`, bytes: a.lowerBoundBytes },
  ];
  return {
    $schema: SCHEMA,
    title: `arena over time (${a.configuration}): peak ${a.arenaBytes} B, lower bound ${a.lowerBoundBytes} B`,
    width: bandsWidth(a.steps),
    height: 320,
    layer: [
      {
        data: { values },
        mark: { type: 'rect', stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          x: { field: 'from', type: 'quantitative', title: 'step (layer index)', scale: { domain: [0, a.steps + 1] } },
          x2: { field: 'to' },
          y: { field: 'offset', type: 'quantitative', title: 'arena offset (bytes)' },
          y2: { field: 'end' },
          color: { field: 'kind', type: 'nominal', title: null },
          tooltip: [
            { field: 'name' },
            { field: 'size', format: ',' },
            { field: 'offset', format: ',' },
            { field: 'from' },
            { field: 'to' },
          ],
        },
      },
      {
        data: { values: marks },
        mark: { type: 'rule', strokeDash: [4, 3] },
        encoding: { y: { field: 'bytes', type: 'quantitative' }, color: { value: 'black' } },
      },
    ],
  };
}

/** The split plan's chart, offload plan's own, when the model could be split. */
function splitChart(d: ReportData): ReportChart[] {
  const split = d.split;
  if ('unavailable' in split) return [];
  const rows = split.rows.map((r) => ({ ...r, cut: { id: r.cut } }));
  const best = rows.find((r) => r.cut.id === split.best)!;
  const title = `${d.model} on ${d.target}, ${split.bandwidth}, RTT ${split.rtt}`;
  return [{ id: 'split-plan', section: 'split', spec: planSpec(rows, best, title) }];
}

/** Every chart the report draws, in page order. */
export function reportCharts(d: ReportData): ReportChart[] {
  return [
    { id: 'summary-memory', section: 'summary', spec: summaryChart(d) },
    { id: 'graph-macs', section: 'graph', spec: graphChart(d) },
    ...costCharts(d),
    ...quantizationChart(d),
    ...precisionCharts(d),
    { id: 'arena-timeline', section: 'arena', spec: arenaChart(d) },
    ...splitChart(d),
  ];
}
