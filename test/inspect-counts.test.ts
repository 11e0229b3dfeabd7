/**
 * `tinyedge inspect --json` reports the default model's size correctly: MACs within 2% of an independent count
 * from the MobileNetV2 paper's architecture table, parameters likewise, and the same totals whether the model is
 * read from the nsfwjs package or from model.json + .bin files on disk.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tinyedge } from './support/cli.ts';
import { writeNsfwjsModelFiles } from './support/model-files.ts';

/** TF-slim's rule for channel counts under a width multiplier: round to a multiple of 8, never 10% below. */
function makeDivisible(v: number, d = 8): number {
  const n = Math.max(d, Math.floor((v + d / 2) / d) * d);
  return n < 0.9 * v ? n + d : n;
}

/**
 * Independent count for MobileNetV2 (Sandler et al. 2018, Table 2) at width 1.4 and 224×224 with a 5-class head:
 * first conv 3×3/2 to 48 channels; bottlenecks (t, c, n, s) = (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2)
 * (6,96,3,1) (6,160,3,2) (6,320,1,1), each an optional 1×1 expansion, a 3×3 depthwise and a 1×1 projection;
 * a 1×1 conv to 1792; global average pool; fully connected 1792→5. The standard 1000-class model is ~582M MACs;
 * replacing its head (1792×1000) with 1792×5 gives ~580.4M.
 */
function mobilenetV2Macs(width: number, classes: number): { macs: number; params: number } {
  let hw = 112;
  let cin = makeDivisible(32 * width);
  let macs = hw * hw * cin * 3 * 3 * 3;
  let params = cin * 27 + cin;
  const blocks = [
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 2],
    [6, 320, 1, 1],
  ];
  for (const [t, c, n, s] of blocks) {
    const cout = makeDivisible(c! * width);
    for (let i = 0; i < n!; i++) {
      const stride = i === 0 ? s! : 1;
      const hidden = cin * t!;
      if (t !== 1) {
        macs += hw * hw * cin * hidden;
        params += cin * hidden + hidden;
      }
      hw = hw / stride;
      macs += hw * hw * hidden * 9;
      params += hidden * 9 + hidden;
      macs += hw * hw * hidden * cout;
      params += hidden * cout + cout;
      cin = cout;
    }
  }
  const last = makeDivisible(1280 * width);
  macs += hw * hw * cin * last + last * classes;
  params += cin * last + last + last * classes + classes;
  return { macs, params };
}

describe('inspect totals', () => {
  it('default model: MACs and parameters within 2% of the architecture-table count (580.4M MACs)', () => {
    const r = tinyedge(['inspect', '--json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    const expected = mobilenetV2Macs(1.4, 5);
    expect(expected.macs).toBeGreaterThan(575e6);
    expect(Math.abs(report.totals.macs / expected.macs - 1)).toBeLessThan(0.02);
    expect(Math.abs(report.totals.params / expected.params - 1)).toBeLessThan(0.02);
    expect(report.totals.weightBytes).toBe(report.totals.params * 4);
    expect(report.totals.largestActivationBytes).toBe(112 * 112 * 144 * 4);
    expect(report.inputs).toEqual([{ name: 'input', shape: [1, 224, 224, 3], dtype: 'f32' }]);
  });

  it('nsfwjs:mobilenet_v2 (layers): MACs within 2% of MobileNetV2 1.0 up to the pool, plus its 1280→256→128→5 head', () => {
    const report = JSON.parse(tinyedge(['inspect', 'nsfwjs:mobilenet_v2', '--json']).stdout);
    const backbone = mobilenetV2Macs(1.0, 0).macs;
    expect(Math.abs(report.totals.macs / (backbone + 1280 * 256 + 256 * 128 + 128 * 5) - 1)).toBeLessThan(0.02);
  });

  it.each(['mobilenet_v2_mid', 'mobilenet_v2'])(
    '%s read from model.json + .bin files has the same totals as from the package',
    (name) => {
      const file = writeNsfwjsModelFiles(name, mkdtempSync(join(tmpdir(), 'tinyedge-')));
      const fromDisk = JSON.parse(tinyedge(['inspect', file, '--json']).stdout);
      const fromPackage = JSON.parse(tinyedge(['inspect', `nsfwjs:${name}`, '--json']).stdout);
      expect(fromDisk.totals).toEqual(fromPackage.totals);
      expect(fromDisk.source).toBe(file);
    },
  );
});
