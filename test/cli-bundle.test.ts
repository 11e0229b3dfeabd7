/**
 * The CLI starts from one esbuild bundle of its TypeScript (bin/cli-bundle.mjs), rebuilt when a source is newer:
 * after a start the bundle is at least as new as every source; a bundle older than the sources is rebuilt on the
 * next start; the bundled CLI finds the files that sit beside its sources (the packaged model list, the targets).
 */

import { statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tinyedge } from './support/cli.ts';
import { ROOT } from './support/samples.ts';

const BUNDLE = join(ROOT, 'node_modules', '.cache', 'tinyedge', 'cli.mjs');
const SOURCE = join(ROOT, 'compiler', 'cli', 'main.ts');

describe('the CLI bundle', () => {
  it('is rebuilt when older than a source, and the bundled CLI reads the files beside its sources', () => {
    const first = tinyedge(['--help']);
    expect(first.status, first.stderr).toBe(0);
    expect(statSync(BUNDLE).mtimeMs).toBeGreaterThanOrEqual(statSync(SOURCE).mtimeMs);
    const past = new Date(statSync(SOURCE).mtimeMs - 60_000);
    utimesSync(BUNDLE, past, past);
    const r = tinyedge(['inspect', 'builder:mobilenet_v2_0.35_96', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(BUNDLE).mtimeMs).toBeGreaterThan(past.getTime());
    expect(JSON.parse(r.stdout).totals.macs).toBeGreaterThan(0);
    const targets = tinyedge(['compile', '--target', 'nowhere', '--out', '/nonexistent']);
    expect(targets.stderr).toMatch(/Allowed choices are android-arm64, cortex-m4/);
  });
});
