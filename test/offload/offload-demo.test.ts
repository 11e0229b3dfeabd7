/**
 * `tinyedge offload demo` on MobileNetV2 0.35/96 with a device 200× slower than this machine, at 0.2 and 200 Mbit/s
 * through the link shaper: at the low bandwidth the planned cut is no slower than local only, at the high one no
 * slower than full offload, and every predicted capture-to-answer time is within 20% of the measured median, the
 * median of the per-frame times it reports.
 */
import { describe, expect, it } from 'vitest';
import { median } from '../../tools/bench/stats.ts';
import { tinyedge } from '../support/cli.ts';

describe('tinyedge offload demo', () => {
  it('the planner is never slower than the right extreme, its predictions are within 20% of what is measured, every frame reported', () => {
    const r = tinyedge([
      'offload',
      'demo',
      '--bandwidths',
      '0.2mbit,200mbit',
      '--device-slowdown',
      '200',
      '--frames',
      '5',
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const demo = JSON.parse(r.stdout) as {
      rows: { bandwidth: string; mode: string; byServer: number; measuredMs: number; frameMs: number[] }[];
      checks: { what: string; ok: boolean }[];
    };
    expect(demo.rows).toHaveLength(6);
    expect(demo.checks.filter((c) => !c.ok).map((c) => c.what)).toEqual([]);
    expect(demo.rows.find((r) => r.bandwidth === '200mbit' && r.mode === 'full offload')?.byServer).toBe(5);
    for (const row of demo.rows) {
      expect(row.frameMs).toHaveLength(5);
      expect(median(row.frameMs)).toBe(row.measuredMs);
    }
  }, 600_000);
});
