/**
 * `tinyedge compile --target host` and `tinyedge run` end to end as a user runs them: the README's main command
 * (a float model, quantized with the samples on the way), the same answer as `predict` on the artifact (also with
 * the input left in the caller's buffer, --caller-input), memory
 * budgets refused with the overshoot in bytes, and output folders that never lose a user's file.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeArtifact } from '../compiler/artifact/int8-artifact.ts';
import { wasmScratchBytes } from '../compiler/backends/wasm/kernel-table.ts';
import { planMemory } from '../compiler/plan/plan-memory.ts';
import { expectUserError, tinyedge } from './support/cli.ts';
import { SAMPLE_PHOTOS } from './support/samples.ts';

let work: string;
let artifact: string;
let built: string;
let compiled: { memory: { arenaBytes: number; lowerBoundBytes: number; weightBytes: number; codeBytes: number } };

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tinyedge-compile-'));
  artifact = join(work, 'model.tinyedge');
  const q = tinyedge([
    'quantize',
    '--calibrate',
    SAMPLE_PHOTOS[2]!,
    '--augment',
    '0',
    '--eval-augment',
    '0',
    '--out',
    artifact,
    '--json',
  ]);
  if (q.status !== 0) throw new Error(q.stderr);
  built = join(work, 'host');
  const c = tinyedge(['compile', artifact, '--target', 'host', '--out', built, '--json']);
  if (c.status !== 0) throw new Error(c.stderr);
  compiled = JSON.parse(c.stdout);
}, 600_000);

describe('tinyedge compile --target host', () => {
  it('reports arena (equal to or within 5% of its lower bound), weight and code bytes; the folder builds on its own', () => {
    const m = compiled.memory;
    expect(m.arenaBytes).toBeLessThanOrEqual(m.lowerBoundBytes * 1.05);
    expect(m.weightBytes).toBeGreaterThan(4_000_000);
    expect(m.codeBytes).toBeGreaterThan(1000);
    for (const f of [
      'model.h',
      'model.c',
      'model_weights.c',
      'Makefile',
      'CMakeLists.txt',
      'tinyedge/include/tinyedge/kernels.h',
      'runner',
    ])
      expect(existsSync(join(built, f)), f).toBe(true);
    expect(readFileSync(join(built, 'model.h'), 'utf8')).toContain(`#define MODEL_ARENA_BYTES ${m.arenaBytes}`);
  });

  it('run gives the same int8 output and top-5 as predict on the artifact, for every photo', () => {
    for (const photo of SAMPLE_PHOTOS) {
      const r = tinyedge(['run', built, '--image', photo, '--json']);
      expect(r.status, r.stderr).toBe(0);
      const ran = JSON.parse(r.stdout);
      const predicted = JSON.parse(tinyedge(['predict', artifact, '--image', photo, '--json']).stdout);
      expect(ran.output).toEqual(predicted.output);
      expect(ran.top).toEqual(predicted.top);
      expect(ran.memory).toEqual({
        arenaBytes: compiled.memory.arenaBytes,
        weightBytes: compiled.memory.weightBytes,
        codeBytes: compiled.memory.codeBytes,
      });
      expect(ran.latencyMs).toBeGreaterThan(0);
    }
  });

  it("--caller-input: the arena leaves the input out (model_run_input reads the caller's buffer) and run gives the same output", () => {
    const out = join(work, 'caller-input');
    const c = tinyedge(['compile', artifact, '--target', 'host', '--out', out, '--caller-input']);
    expect(c.status, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/input\s+[\d.]+ \S+ in the caller's buffer, beside the arena/);
    const header = readFileSync(join(out, 'model.h'), 'utf8');
    expect(header).toContain('void model_run_input(const int8_t *input, uint8_t *arena);');
    expect(header).toContain('#define MODEL_INPUT_IN_ARENA 0');
    const r = tinyedge(['run', out, '--image', SAMPLE_PHOTOS[0]!, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const predicted = JSON.parse(tinyedge(['predict', artifact, '--image', SAMPLE_PHOTOS[0]!, '--json']).stdout);
    expect(JSON.parse(r.stdout).output).toEqual(predicted.output);
  }, 300_000);

  it('the README main command: compile the default float model (quantized with the samples) and run it on a photo', () => {
    // As the README types it: the output folder relative to the current one.
    const c = tinyedge(['compile', '--target', 'host', '--out', 'build/default'], work);
    expect(c.status, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/arena\s+\d+ B .*lower bound/);
    const r = tinyedge(['run', 'build/default', '--image', SAMPLE_PHOTOS[2]!], work);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Neutral/);
    expect(r.stdout).toMatch(/latency\s+[\d.]+ ms/);
    expect(r.stdout).toMatch(/memory\s+arena .*weights .*code/);
  }, 600_000);
});

describe('budgets and output folders', () => {
  it('--budget-ram below the best configuration fails with its overshoot in bytes and writes nothing', () => {
    const out = join(work, 'too-small');
    // Below every configuration, patches through the model's explicit pad included: the search names its smallest.
    const budget = 64 * 1024;
    expectUserError(
      tinyedge(['compile', artifact, '--target', 'host', '--out', out, '--budget-ram', String(budget)]),
      new RegExp(
        `in the smallest configuration found \\(\\d+x\\d+@\\d+[a-z+-]*, of \\d+ tried\\) but --budget-ram is ${budget}: over by \\d+ bytes`,
      ),
    );
    expect(existsSync(out)).toBe(false);
  });

  it('--budget-flash below the weights fails with the overshoot; sizes take k and M suffixes', () => {
    const r = tinyedge(['compile', artifact, '--target', 'host', '--out', join(work, 'flash'), '--budget-flash', '4M']);
    expectUserError(r, new RegExp(`--budget-flash is 4194304: over by ${compiled.memory.weightBytes - 4194304} bytes`));
  });

  it('a folder holding a user file is refused, even with --force, and the file is untouched', () => {
    const out = join(work, 'users');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    expectUserError(
      tinyedge(['compile', artifact, '--target', 'host', '--out', out, '--force']),
      /users: is not empty and was not written by tinyedge/,
    );
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('an earlier output needs --force, which replaces only tinyedge files and keeps what the user added', () => {
    expectUserError(
      tinyedge(['compile', artifact, '--target', 'host', '--out', built]),
      /holds an earlier tinyedge output; pass --force/,
    );
    writeFileSync(join(built, 'my-notes.txt'), 'mine');
    const r = tinyedge(['compile', artifact, '--target', 'host', '--out', built, '--force']);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(built, 'my-notes.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(built, 'runner'))).toBe(true);
  });

  it('run on a folder compile did not write, and an unknown target, say so', () => {
    expectUserError(
      tinyedge(['run', work, '--image', SAMPLE_PHOTOS[0]!]),
      /is not a folder written by `tinyedge compile`/,
    );
    const r = tinyedge(['compile', artifact, '--target', 'toaster', '--out', join(work, 'x')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/toaster/);
  });
});

describe('the emitted CMakeLists.txt', () => {
  it('configures and builds the model as a static library a firmware build can link', () => {
    const build = join(work, 'cmake-build');
    const configure = spawnSync('cmake', ['-S', built, '-B', build], { encoding: 'utf8' });
    expect(configure.status, configure.stderr).toBe(0);
    const make = spawnSync('cmake', ['--build', build], { encoding: 'utf8' });
    expect(make.status, make.stderr).toBe(0);
    expect(existsSync(join(build, 'libmodel.a'))).toBe(true);
  }, 300_000);
});

describe('tinyedge compile --target wasm32', () => {
  it('writes model.wasm, model.json, the loader and index.html; run in Node equals predict on the artifact', () => {
    const out = join(work, 'wasm');
    const c = tinyedge(['compile', artifact, '--target', 'wasm32', '--out', out, '--json']);
    expect(c.status, c.stderr).toBe(0);
    const m = JSON.parse(c.stdout).memory;
    // The WASM kernels' scratch differs from the C kernels': the arena is the one planned with it.
    const g = decodeArtifact(readFileSync(artifact), artifact).graph;
    expect(m.arenaBytes).toBe(planMemory(g, wasmScratchBytes).arenaBytes);
    expect(m.weightBytes).toBeGreaterThan(4_000_000);
    for (const f of ['model.wasm', 'model.json', 'tinyedge-loader.js', 'tinyedge-loader.d.ts', 'index.html'])
      expect(existsSync(join(out, f)), f).toBe(true);
    for (const photo of SAMPLE_PHOTOS.slice(0, 2)) {
      const r = tinyedge(['run', out, '--image', photo, '--json']);
      expect(r.status, r.stderr).toBe(0);
      const predicted = JSON.parse(tinyedge(['predict', artifact, '--image', photo, '--json']).stdout);
      expect(JSON.parse(r.stdout).output).toEqual(predicted.output);
    }
  }, 300_000);
});
