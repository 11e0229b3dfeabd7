/**
 * `tinyedge quantize --precision` end to end: an explicit per-layer list quantizes those layers 16×8 or with 4-bit
 * weights (the JSON report says each layer's precision), and malformed lists, unknown layers, --activations int16
 * beside it and auto's flags without auto fail with their codes before any calibration.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectUserError, tinyedge } from './support/cli.ts';
import { SAMPLE_PHOTOS } from './support/samples.ts';

const MODEL = 'builder:mobilenet_v2_0.35_96';
const work = mkdtempSync(join(tmpdir(), 'tinyedge-precision-'));
const quantize = (...flags: string[]) =>
  tinyedge(['quantize', MODEL, '--calibrate', SAMPLE_PHOTOS[0]!, '--augment', '0', '--eval-augment', '0', ...flags]);

describe('tinyedge quantize --precision', () => {
  it('quantizes the listed layers as asked and reports each layer’s precision', () => {
    const r = quantize('--precision', 'Conv1=16x8,block_16_project=int4w', '--out', join(work, 'm.tinyedge'), '--json');
    expect(r.status, r.stderr).toBe(0);
    const layers: { node: string; precision: string }[] = JSON.parse(r.stdout).report.layers;
    const precision = Object.fromEntries(layers.map((l) => [l.node, l.precision]));
    expect(precision).toMatchObject({ Conv1: '16x8', block_16_project: 'int4w', block_0_depthwise: 'int8' });
  });

  it('refuses an unknown layer, a malformed list, --activations int16 beside it and --max-cost without auto', () => {
    const out = ['--out', join(work, 'x.tinyedge')];
    expectUserError(
      quantize('--precision', 'Logits=16x8', ...out),
      /layer 'Logits'.*Conv1, block_0_depthwise/,
      'TE606',
    );
    expectUserError(quantize('--precision', 'Conv1:16x8', ...out), /'Conv1:16x8' is not layer=precision/, 'TE601');
    expectUserError(
      quantize('--precision', 'Conv1=16x8', '--activations', 'int16', ...out),
      /exclude each other/,
      'TE602',
    );
    expectUserError(quantize('--precision', 'Conv1=16x8', '--max-cost', '1.2', ...out), /--precision auto/, 'TE602');
  });
});
