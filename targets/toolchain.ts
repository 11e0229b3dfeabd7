/**
 * @fileoverview Building and running an emitted C project for a target: `make` with the target's compiler and
 * flags, code size from binutils' `size`, and the run recipe (native execution for the host).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TinyedgeError } from '../compiler/errors.ts';
import { Target, cToolchain } from './target.ts';

function run(cmd: string, args: string[], cwd: string, what: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw new TinyedgeError(`cannot ${what}: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? `'${cmd}' is not installed` : r.error.message}`, { file: cwd });
  if (r.status !== 0) throw new TinyedgeError(`${what} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join(' | ')}`, { file: cwd });
  return r.stdout;
}

/** Builds the runner in `dir` (make rebuilds only what changed). */
export function buildProject(dir: string, target: Target): void {
  const tc = cToolchain(target);
  run('make', ['-s', `CC=${tc.cc}`, `CFLAGS=${tc.cflags.join(' ')}`, 'runner'], dir, `build for ${target.name}`);
}

/** Writes a project's files into a new temporary folder and builds its runner there with gcc and `cflags` (tests, benchmarks). */
export function buildTemporaryProject(files: Record<string, string>, cflags: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'tinyedge-build-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  run('make', ['-s', `CFLAGS=${cflags.join(' ')}`, 'runner'], dir, 'build');
  return dir;
}

/** Sum of the text sections (code and read-only constants) of the given objects, from `size`. */
export function textBytes(dir: string, objects: readonly string[], target: Target): number {
  const cc = cToolchain(target).cc;
  const size = cc.endsWith('gcc') ? cc.replace(/gcc$/, 'size') : 'size';
  const out = run(size, [...objects], dir, 'measure code size');
  return out
    .trim()
    .split('\n')
    .slice(1)
    .reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[0]), 0);
}

/** Runs the built runner natively: reads `input`, writes `output`, returns each run's latency in ms. */
export function runNative(dir: string, input: string, output: string, runs: number): number[] {
  const stdout = run(join(dir, 'runner'), [input, output, String(runs)], dir, 'run the model');
  return (JSON.parse(stdout) as { latencyMs: number[] }).latencyMs;
}
