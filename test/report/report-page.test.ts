/**
 * @fileoverview `tinyedge report` end to end (issue 23): the page for builder:mobilenet_v2_0.35_96 on cortex-m4
 * (instructions under qemu) and on the host (layer times of its C build), and for the default model on wasm32 (layer
 * times in WebAssembly), each calibrated on one photo and timed over few runs to keep the test cheap, each rendered
 * once by the real CLI with --json. Each page is opened in Debian's headless
 * Chromium from a file (no network): no console errors, every section's chart drawn with as many bars or boxes as
 * the page's own data holds, the summary's numbers equal to --json's, a screenshot in test-results/. An existing
 * --out is replaced only with --force (the cortex-m4 page is written over a file with it).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, launchChromium } from '../../tools/browser/chromium.ts';
import type { ReportData } from '../../tools/report/report-data.ts';
import { type CliRun, expectUserError, tinyedgeAsync } from '../support/cli.ts';
import { ROOT } from '../support/samples.ts';

const dir = mkdtempSync(join(tmpdir(), 'tinyedge-report-test-'));
const PHOTO = ['--calibrate', join(ROOT, 'models', 'samples', 'coffee.png')];
const CASES = [
  // Its --out exists already: --force replaces it.
  { name: 'm4', args: ['builder:mobilenet_v2_0.35_96', '--target', 'cortex-m4', '--runs', '3', ...PHOTO, '--force'] },
  // Quantized per layer: the precision section draws each layer's type.
  {
    name: 'host',
    args: [
      'builder:mobilenet_v2_0.35_96',
      '--target',
      'host',
      '--runs',
      '3',
      ...PHOTO,
      '--precision',
      'block_1_expand=16x8,block_15_project=int4w,block_16_project=int4w',
    ],
  },
  { name: 'wasm32', args: ['--target', 'wasm32', '--runs', '3', ...PHOTO] },
] as const;

/** How each case's cost is measured: it must be there, not a section that says why it is missing. */
const COST_KIND = { m4: 'instructions', host: 'time', wasm32: 'time' } as const;

let browser: Browser;
const runs = new Map<string, CliRun>();
// A file of the user's that `report` without --force must leave as it is.
const mine = join(dir, 'mine.html');
let refused: CliRun;

beforeAll(async () => {
  writeFileSync(join(dir, 'm4.html'), 'an earlier report');
  writeFileSync(mine, 'a file of the user');
  // Every CLI run at once, the refused one too: the machine's cores stay busy while one waits on another.
  const [done, refusal] = await Promise.all([
    Promise.all(CASES.map((c) => tinyedgeAsync(['report', ...c.args, '--out', join(dir, `${c.name}.html`), '--json']))),
    tinyedgeAsync(['report', 'builder:mobilenet_v2_0.35_96', '--target', 'cortex-m4', '--out', mine]),
  ]);
  for (const [i, c] of CASES.entries()) runs.set(c.name, done[i]!);
  refused = refusal;
  browser = await launchChromium();
}, 900_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Bars (or boxes) each chart must draw, from the page's data: one per datum of its main mark. */
function expectedMarks(d: ReportData): Record<string, number> {
  const s = d.summary;
  const memory = [s.arenaBytes, s.lowerBoundBytes, s.ramBytes, s.weightBytes, s.codeBytes, s.flashBytes];
  const marks: Record<string, number> = {
    'summary-memory': memory.filter((v) => v !== null).length,
    'graph-macs': d.layers.length,
    'arena-timeline': d.arena.pieces.length,
  };
  const c = d.cost;
  if (!('unavailable' in c)) {
    if (c.kind === 'time') marks['cost-time'] = c.layers.length;
    else marks['cost-instructions'] = 2 * c.layers.length;
    marks['cost-rate'] = c.layers.length;
  }
  // SQNR of ∞ (no error) is null in JSON and not drawn.
  if (!('unavailable' in d.quantization))
    marks['quantization-sqnr'] = d.quantization.layers.filter((l) => typeof l.sqnrDb === 'number').length;
  if (!('unavailable' in d.split)) marks['split-plan'] = 3 * d.split.rows.length;
  if (!('unavailable' in d.precision)) {
    marks['precision-layers'] = d.precision.layers.length;
    if (d.precision.auto) marks['precision-front'] = d.precision.auto.front.length + 2;
  }
  return marks;
}

describe.each(CASES)('tinyedge report $name', ({ name }) => {
  it('draws every section in headless Chromium, no console errors, numbers equal to --json', async () => {
    const run = runs.get(name)!;
    expect(run.status, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as ReportData;
    expect('kind' in json.cost && json.cost.kind).toBe(COST_KIND[name]);
    expect(json.summary.codeBytes).toBeGreaterThan(0);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Nothing may leave the page: any request but the file itself fails the test.
    const outside: string[] = [];
    await page.route('**/*', (route) => {
      if (route.request().url().startsWith('file:')) return route.continue();
      outside.push(route.request().url());
      return route.abort();
    });
    const errors = collectPageErrors(page);
    await page.goto(pathToFileURL(join(dir, `${name}.html`)).href);
    const embedded = JSON.parse((await page.locator('#report-data').textContent()) ?? '') as ReportData;
    expect(embedded).toEqual(json);
    // Every section is there; without a toolchain it says why instead.
    for (const id of ['summary', 'graph', 'cost', 'quantization', 'precision', 'arena', 'split'])
      expect(await page.locator(`section#${id}`).count()).toBe(1);
    const drawn = await page.$$eval('figure.chart', (figures) =>
      Object.fromEntries(
        figures.map((f) => [
          (f as HTMLElement).dataset.chart!,
          f.querySelectorAll('svg g.role-mark.mark-rect > path, svg g.role-mark.mark-symbol > path').length,
        ]),
      ),
    );
    expect(drawn).toEqual(expectedMarks(json));
    if (name === 'host') {
      const p = json.precision;
      expect('unavailable' in p).toBe(false);
      if (!('unavailable' in p))
        expect(
          Object.fromEntries(p.layers.filter((l) => l.precision !== 'int8').map((l) => [l.name, l.precision])),
        ).toEqual({
          block_1_expand: '16x8',
          block_15_project: 'int4w',
          block_16_project: 'int4w',
          // The requantize nodes back to int8 after the 16×8 layer (its reader and the residual add's).
          ...Object.fromEntries(p.layers.filter((l) => l.name.includes('/as_int16')).map((l) => [l.name, '16x8'])),
        });
    }
    // The summary's numbers are --json's.
    const s = json.summary;
    const shown = await page.$$eval('#summary [data-key]', (cells) =>
      Object.fromEntries(cells.map((c) => [(c as HTMLElement).dataset.key!, c.textContent!])),
    );
    for (const key of ['nodes', 'macs', 'params', 'arenaBytes', 'lowerBoundBytes'] as const)
      expect(shown[key]).toBe(s[key].toLocaleString('en-US'));
    if (s.latency?.instructions !== undefined)
      expect(shown.instructions).toBe(s.latency.instructions.toLocaleString('en-US'));
    if (s.latency?.ms !== undefined) expect(shown.ms).toBe(s.latency.ms.toFixed(2));
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'test-results', `report-${name}.png`), fullPage: true });
    await page.close();
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
  });
});

describe('tinyedge report --out', () => {
  it('refuses an existing file without --force, before any work', () => {
    expectUserError(refused, /exists; pass --force/, 'TE702');
    expect(readFileSync(mine, 'utf8')).toBe('a file of the user');
  });
});
