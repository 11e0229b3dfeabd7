/**
 * The split planner's choice: the predicted total is head + RTT + frames at the bandwidth + tail for each cut; at a
 * low bandwidth it keeps the model on the device, at a high one it offloads, in between it picks the cut with the
 * least total; and `tinyedge offload plan --json` on a real model and board prints every cut with the argmin as best,
 * with `--codec entropy` the cut tensors' coded sizes on the photo (smaller than raw after ReLU6, at worst 5 bytes more),
 * and `--plot` draws it (a PNG through the CLI; an SVG with the three parts and the best cut marked; existing files kept).
 */

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Cut } from '../../compiler/plan/split/cut-candidates.ts';
import { parseBandwidth, parseDuration, planSplit } from '../../compiler/plan/split/plan-split.ts';
import { FRAME_HEADER_BYTES } from '../../runtime/offload/wire-protocol.ts';
import { checkPlotFile, writePlanPlot } from '../../tools/offload/plan-plot.ts';
import { tinyedge } from '../support/cli.ts';

const work = mkdtempSync(join(tmpdir(), 'tinyedge-plan-'));

const cut = (id: number, after: number, bytes: number): Cut => ({ id, after, tensor: `t${id}`, shape: [bytes], bytes });
/** Input 150 KB, a 10 KB cut after half the work, the 1-byte output. */
const cuts = [cut(0, 0, 150_000), cut(1, 5, 10_000), cut(2, 10, 1)];
const costs = { headMs: [0, 50, 100], tailMs: [10, 5, 0], answerBytes: 1 };

describe('planSplit', () => {
  it('adds head, RTT, both frames at the bandwidth and tail', () => {
    const { rows } = planSplit(cuts, costs, { bitsPerSecond: 8e6, rttMs: 20 });
    const frames = 10_000 + FRAME_HEADER_BYTES + 1 + FRAME_HEADER_BYTES;
    expect(rows[1]!.totalMs).toBeCloseTo(50 + 20 + (frames * 8 * 1000) / 8e6 + 5, 9);
    expect(rows.map((r) => r.kind)).toEqual(['full offload', 'split', 'local only']);
    expect(rows[2]).toMatchObject({ networkMs: 0, tailMs: 0, totalMs: 100, wireBytes: 0 });
  });
  it('keeps everything on the device on a slow link, offloads everything on a fast one, splits in between', () => {
    expect(planSplit(cuts, costs, { bitsPerSecond: 100e3, rttMs: 40 }).best.kind).toBe('local only');
    expect(planSplit(cuts, costs, { bitsPerSecond: 10e9, rttMs: 1 }).best.kind).toBe('full offload');
    expect(planSplit(cuts, costs, { bitsPerSecond: 5e6, rttMs: 10 }).best.cut.id).toBe(1);
  });
  it('reads rates and durations as users write them, and refuses nonsense', () => {
    expect(parseBandwidth('5mbit')).toBe(5e6);
    expect(parseBandwidth('500kbit')).toBe(5e5);
    expect(parseBandwidth('1gbit')).toBe(1e9);
    expect(parseDuration('40ms', '--rtt')).toBe(40);
    expect(parseDuration('0.2s', '--rtt')).toBe(200);
    expect(() => parseBandwidth('fast')).toThrow(/--bandwidth 'fast'/);
    expect(() => parseBandwidth('0mbit')).toThrow(/above zero/);
  });
});

describe('tinyedge offload plan', () => {
  it('on MobileNetV2 0.35/96 for cortex-m4 over 1mbit, 30 ms, entropy-coded: every cut, the least total as best, local only = the whole model on the board; --plot writes a PNG', async () => {
    const png = join(work, 'plan.png');
    const r = tinyedge([
      'offload',
      'plan',
      '--target',
      'cortex-m4',
      '--bandwidth',
      '1mbit',
      '--rtt',
      '30ms',
      '--runs',
      '3',
      '--codec',
      'entropy',
      '--plot',
      png,
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const image = await sharp(png).metadata();
    expect(image.format).toBe('png');
    expect(image.width).toBeGreaterThan(400);
    const plan = JSON.parse(r.stdout) as {
      rows: { cut: number; kind: string; shape: number[]; wireBytes: number; headMs: number; totalMs: number }[];
      best: number;
    };
    const raw = (row: (typeof plan.rows)[number]) => row.shape.reduce((a, b) => a * b, 1) + FRAME_HEADER_BYTES;
    expect(plan.rows.slice(0, -1).every((row) => row.wireBytes <= raw(row) + 5)).toBe(true);
    expect(plan.rows.filter((row) => row.wireBytes < 0.6 * raw(row)).length).toBeGreaterThan(5);
    expect(plan.rows.length).toBeGreaterThan(10);
    const least = plan.rows.reduce((a, b) => (b.totalMs <= a.totalMs ? b : a));
    expect(plan.best).toBe(least.cut);
    const local = plan.rows.at(-1) as (typeof plan.rows)[number];
    expect(local.kind).toBe('local only');
    expect(local.totalMs).toBe(local.headMs);
    expect(plan.rows[0]).toMatchObject({ kind: 'full offload', headMs: 0 });
  }, 600_000);

  it('the plot: a stacked bar of head, network and tail per cut with the best total marked; existing files are kept', async () => {
    const { rows, best } = planSplit(cuts, costs, { bitsPerSecond: 5e6, rttMs: 10 });
    const svg = join(work, 'plan.svg');
    checkPlotFile(svg);
    await writePlanPlot(svg, rows, best, 'three cuts');
    const text = readFileSync(svg, 'utf8');
    for (const part of [
      'head (device)',
      'network',
      'tail (server)',
      'three cuts',
      `best ${best.totalMs.toFixed(1)} ms`,
    ])
      expect(text).toContain(part);
    expect(text.match(/<path[^>]*aria-roledescription="bar"/g)?.length).toBe(3 * rows.length);
    expect(() => checkPlotFile(svg)).toThrow(/exists; pass --force to replace it/);
    expect(() => checkPlotFile(svg, true)).not.toThrow();
    writeFileSync(join(work, 'plan.txt'), '');
    expect(() => checkPlotFile(join(work, 'plan.txt'), true)).toThrow(/--plot writes \.svg or \.png files/);
  });
});
