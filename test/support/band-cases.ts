/**
 * @fileoverview Kernel cases on bands of rows: rings (in-place rows, compiler/backends/c/render-rolling.ts) and patch
 * cells (render-patches.ts) call the same window kernels on a few rows at a time, with the top padding shifted, odd
 * widths, and input that runs on below the band (te_window_rows) or ends where the band's reads end (a cell's
 * rectangle, copied out tight). The whole-tensor kernel cases never reach those geometries, so here the layer's
 * kernel call is replaced by one call per band (test/support/band-harness.h); the bands, put together, must equal the
 * reference on the whole tensor, and no band may write outside its own rows and columns. Beside them, whole calls
 * whose output slides over their own input (the order in which a kernel writes matters there too).
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NO_CLAMP } from '../../compiler/ir/attrs.ts';
import { type Graph, GraphBuilder, tensorOf } from '../../compiler/ir/graph.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import { loadTarget } from '../../targets/target.ts';
import { buildC, firstDifference, runC } from './c-build.ts';
import { quantizeCase, referenceOutputs } from './kernel-case.ts';
import { convGraph, depthwiseGraph, pads, weights } from './kernel-case-graphs.ts';

/** Output rows [y0, y1) and columns [x0, x1) of one band. */
type Band = readonly [y0: number, y1: number, x0: number, x1: number];

/**
 * A layer (one window op over the graph input) and the bands it is called on, as a ring's rows or as patch cells; or
 * called once, writing over its own input (the planner's slide, IN_PLACE_TILE_PIXELS: raster order, tiles of at most
 * eight pixels).
 */
export interface BandCase {
  name: string;
  graph: () => Graph;
  seed: number;
  style: 'rows' | 'cells' | 'in place';
  /** Row cuts (0 first, the output height last) and, for cells, column cuts. */
  rows?: readonly number[];
  columns?: readonly number[];
}

const spans = (cuts: readonly number[]) => cuts.slice(1).map((end, i) => [cuts[i]!, end] as const);

/** The case's bands: every row span, for cells across every column span. */
function bandsOf(c: BandCase, ow: number): Band[] {
  return spans(c.rows!).flatMap(([y0, y1]) =>
    spans(c.style === 'rows' ? [0, ow] : c.columns!).map(([x0, x1]): Band => [y0, y1, x0, x1]),
  );
}

const HARNESS = readFileSync(new URL('./band-harness.h', import.meta.url), 'utf8');
const WINDOW_CALL = /^(\s*)(te_(?:conv2d|conv2d_row_pairs|depthwise_conv2d)_s8)\((.*)\);$/m;

/** model.c with the layer's kernel call made once per band (the window `w` it was given cut to the band). */
function bandedSource(source: string, q: Graph, c: BandCase): string {
  const call = WINDOW_CALL.exec(source);
  if (!call) throw new Error('internal: the band case renders no window kernel call');
  const [, indent, name, list] = call;
  const args = list!.split(', ');
  const [x, y] = [args[0]!, args[args.length - 1]!];
  const out = tensorOf(q, q.outputs[0]!).shape;
  const [oh, ow, oc] = [out[1]!, out[2]!, out[3]!];
  const bands = bandsOf(c, ow);
  const bandArgs = ['bx', ...args.slice(1, 3), '&band', ...args.slice(4, -1), 'out + TE_BAND_GUARD'].join(', ');
  const block = [
    '{',
    `  static int8_t in[${sizeOf(tensorOf(q, q.inputs[0]!).shape)} + TE_BAND_GUARD];`,
    `  static int8_t out[${oh * ow * oc} + 2 * TE_BAND_GUARD];`,
    `  static const int32_t bands[${bands.length}][4] = {${bands.map((b) => `{${b.join(', ')}}`).join(', ')}};`,
    `  int8_t *const by = ${y};`,
    '  int32_t i, spoiled = 0;',
    `  for (i = 0; i < ${bands.length}; i++) {`,
    '    const int32_t y0 = bands[i][0], y1 = bands[i][1], x0 = bands[i][2], x1 = bands[i][3];',
    '    te_window band;',
    '    const int8_t *bx = in;',
    c.style === 'rows'
      ? `    bx = ${x} + te_window_rows(&w, y0, y1, &band);`
      : `    te_band_cell(&w, ${x}, y0, y1, x0, x1, &band, in);\n    te_band_fill(in + band.h * band.w * band.c, TE_BAND_GUARD);`,
    `    const int32_t bytes = (y1 - y0) * (x1 - x0) * ${oc};`,
    '    te_band_fill(out, TE_BAND_GUARD);',
    '    te_band_fill(out + TE_BAND_GUARD + bytes, TE_BAND_GUARD);',
    `    ${name}(${bandArgs});`,
    '    spoiled |= te_band_spoiled(out, TE_BAND_GUARD) | te_band_spoiled(out + TE_BAND_GUARD + bytes, TE_BAND_GUARD);',
    `    te_band_place(&w, ${oc}, out + TE_BAND_GUARD, y0, y1, x0, x1, by);`,
    '  }',
    // A write outside a band flips every output byte, so the comparison fails at element 0.
    `  if (spoiled) for (i = 0; i < ${oh * ow * oc}; i++) by[i] ^= 0x55;`,
    '}',
  ];
  const banded = source.replace(call[0], block.map((l) => `${indent}${l}`).join('\n'));
  return banded.replace(/^(void model_run\()/m, `${HARNESS}\n$1`);
}

/** A pointwise conv, then the depthwise layer over its output (an arena tensor the depthwise may slide over). */
function pointwiseThenDepthwise(s: number, c: number, size: readonly [number, number], seed: number): Graph {
  const b = new GraphBuilder('test');
  b.input('x', [1, size[0], size[1], c]);
  weights(b, 'pw_w', [c, 1, 1, c], seed + 2);
  const pw = b.node('conv2d', 'pw', ['x', 'pw_w'], {
    strides: [1, 1],
    dilations: [1, 1],
    pads: [0, 0, 0, 0],
    clamp: NO_CLAMP,
  });
  weights(b, 'w', [1, 3, 3, c], seed);
  weights(b, 'bias', [c], seed + 1);
  const dw = b.node('depthwise_conv2d', 'dw', [pw, 'w', 'bias'], {
    strides: [s, s],
    dilations: [1, 1],
    pads: pads('SAME', size[0], size[1], 3, s),
    depthMultiplier: 1,
    clamp: NO_CLAMP,
  });
  b.graph.outputs.push(dw);
  return b.graph;
}

const DW = (s: number, padding: 'SAME' | 'VALID', c: number, size: readonly [number, number], seed: number) => () =>
  depthwiseGraph(c, 1, s, padding, NO_CLAMP, seed, undefined, undefined, size);

/**
 * Depthwise 3×3 (multiplier 1, no clamp: the Cortex-M paths that run two pixels at a time) and 3×3 conv, strides 1
 * and 2, odd widths, bands of 1 to 3 rows starting with and without top padding, cells padded on any side.
 */
export const BAND_CASES: BandCase[] = [
  {
    name: 'depthwise 3×3 stride 1 SAME over 9×11, 16 channels, ring rows of 1, 2 and 3',
    graph: DW(1, 'SAME', 16, [9, 11], 1601),
    seed: 1601,
    style: 'rows',
    rows: [0, 1, 3, 6, 7, 9],
  },
  {
    name: 'depthwise 3×3 stride 2 SAME over 10×11, 12 channels, ring rows of 1 and 2',
    graph: DW(2, 'SAME', 12, [10, 11], 1602),
    seed: 1602,
    style: 'rows',
    rows: [0, 1, 2, 4, 5],
  },
  {
    name: 'depthwise 3×3 stride 1 VALID over 9×12, 8 channels, cells of 2 and 3 rows, 4 and 6 columns',
    graph: DW(1, 'VALID', 8, [9, 12], 1603),
    seed: 1603,
    style: 'cells',
    rows: [0, 2, 5, 7],
    columns: [0, 4, 10],
  },
  {
    name: 'depthwise 3×3 stride 2 SAME over 11×13, 16 channels, cells of 1 to 3 rows, odd widths',
    graph: DW(2, 'SAME', 16, [11, 13], 1604),
    seed: 1604,
    style: 'cells',
    rows: [0, 3, 4, 6],
    columns: [0, 3, 7],
  },
  {
    name: 'depthwise 3×3 stride 1 SAME over 9×11, 16 channels, in place after a pointwise conv',
    graph: () => pointwiseThenDepthwise(1, 16, [9, 11], 1607),
    seed: 1607,
    style: 'in place',
  },
  {
    name: 'depthwise 3×3 stride 2 SAME over 10×11, 12 channels, in place after a pointwise conv',
    graph: () => pointwiseThenDepthwise(2, 12, [10, 11], 1608),
    seed: 1608,
    style: 'in place',
  },
  {
    name: 'conv2d 3×3 stride 1 SAME, 3 → 8 channels, cells of 2 and 3 rows, odd widths',
    graph: () => convGraph(3, 8, 3, 1, 'SAME', NO_CLAMP, 1605),
    seed: 1605,
    style: 'cells',
    rows: [0, 2, 5, 7, 9],
    columns: [0, 5, 10],
  },
  {
    name: 'conv2d 3×3 stride 2 SAME, 8 → 8 channels, ring rows of 1 and 2',
    graph: () => convGraph(8, 8, 3, 2, 'SAME', NO_CLAMP, 1606),
    seed: 1606,
    style: 'rows',
    rows: [0, 1, 3, 5],
  },
];

/** The band cases built for each named target and run its way, the bands put together equal to the reference. */
export function describeBandCasesOn(targets: string[], title: string, cases: readonly BandCase[] = BAND_CASES): void {
  describe.each(targets)(title, (name) => {
    const target = loadTarget(name);
    it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const { q, inputs } = quantizeCase(c.graph(), c.seed);
      const built =
        c.style === 'in place'
          ? buildC(q, target, undefined, 'every')
          : buildC(q, target, undefined, undefined, 1, false, (files) => {
              files['model.c'] = bandedSource(files['model.c']!, q, c);
            });
      const expected = referenceOutputs(q, inputs);
      inputs.forEach((x, i) => {
        expect(firstDifference(runC(built, x), expected[i]!)).toBeNull();
      });
    });
  });
}
