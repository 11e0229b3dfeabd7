/** @fileoverview Runs the real `tinyedge` binary as a user would and captures its exit code and streams. */
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { join } from 'node:path';
import { ROOT } from './samples.ts';

/** What a CLI run left behind. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tinyedge ...args` in `cwd` (default: the repository). */
export function tinyedge(args: string[], cwd = ROOT): CliRun {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'tinyedge.mjs'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** True when stderr looks like a JS stack trace. */
export function hasStackTrace(stderr: string): boolean {
  return /^\s+at .+:\d+:\d+\)?$/m.test(stderr);
}

/** A user error as the design prints it: exit 2, nothing on stdout, one line on stderr matching `pattern`, no stack trace. */
export function expectUserError(r: CliRun, pattern: RegExp): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr.trim()).toMatch(pattern);
}
