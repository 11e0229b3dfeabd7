/**
 * The arena report: `inspect --target` and `compile` list every plan tried (layer-wise, in place) with its peak and
 * lower bound, in text and in --json, and say which one was built; `--no-in-place` builds the layer-wise one. On the
 * MLPerf Tiny KWS model (int8 already: nothing to quantize), whose layer-wise arena is 13,632 B over 8,896.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODELS_DIR } from '../tools/bench/suite.ts';
import { tinyedge } from './support/cli.ts';

const KWS = join(DEFAULT_MODELS_DIR, 'kws_ref_model.tflite');

const PLANS = [
  { name: 'layer-wise', arenaBytes: 13632, lowerBoundBytes: 8896 },
  { name: 'in-place', arenaBytes: 8736, lowerBoundBytes: 8736, inPlaceLayers: 8 },
];

describe('the arena plans of KWS on cortex-m4', () => {
  it('inspect --target, in text and --json', () => {
    const json = tinyedge(['inspect', KWS, '--target', 'cortex-m4', '--json']);
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).arena).toEqual({
      target: 'cortex-m4',
      arenaBytes: 8736,
      lowerBoundBytes: 8736,
      chosen: 'in-place',
      callerInput: false,
      configurations: PLANS,
    });
    // As compile --caller-input plans it: the input (49×10 bytes) in the caller's buffer, never more arena.
    const caller = JSON.parse(tinyedge(['inspect', KWS, '--target', 'cortex-m4', '--caller-input', '--json']).stdout);
    expect(caller.arena.callerInput).toBe(true);
    expect(caller.arena.arenaBytes).toBeLessThanOrEqual(8736);
    const wasm = tinyedge(['inspect', KWS, '--target', 'wasm32', '--caller-input']);
    expect([wasm.status, wasm.stderr]).toEqual([
      2,
      expect.stringMatching(/^tinyedge: error: .*--caller-input is for C targets.*\[TE602\]\n$/),
    ]);
    const text = tinyedge(['inspect', KWS, '--target', 'cortex-m4']);
    expect(text.stdout).toMatch(/arena on cortex-m4 \(int8\): 8736 B .*in-place; lower bound 8736 B, at it/);
    expect(text.stdout).toMatch(/layer-wise +13632 B, lower bound 8896 B\n/);
    expect(text.stdout).toMatch(
      /in-place +8736 B, lower bound 8736 B, 8 layers through a ring of output rows +← built/,
    );
  });

  it('compile --json builds in place; --no-in-place builds layer-wise and still lists both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyedge-arena-'));
    const rolled = tinyedge(['compile', KWS, '--target', 'cortex-m4', '--out', join(dir, 'a'), '--json']);
    expect(rolled.status, rolled.stderr).toBe(0);
    expect(JSON.parse(rolled.stdout).memory).toMatchObject({
      arenaBytes: 8736,
      lowerBoundBytes: 8736,
      configuration: 'in-place',
      configurations: PLANS,
    });
    expect(readFileSync(join(dir, 'a', 'model.c'), 'utf8')).toContain('te_window_rows(&w, r, r + 1, &band)');
    const plain = tinyedge(['compile', KWS, '--target', 'cortex-m4', '--out', join(dir, 'b'), '--no-in-place']);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/arena +13632 B .*layer-wise; lower bound 8896 B, \+53\.2% over it/);
    expect(plain.stdout).toMatch(/in-place +8736 B, lower bound 8736 B, 8 layers through a ring of output rows\n/);
  }, 120_000);
});
