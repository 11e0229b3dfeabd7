/** @fileoverview Runs the real `tinyedge` binary as a user would and captures its exit code and streams. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ErrorCode } from '../../compiler/error-codes.ts';
import { ROOT } from './samples.ts';

/** What a CLI run left behind. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

const argv = (args: string[]) => [join(ROOT, 'bin', 'tinyedge.mjs'), ...args];
const options = (cwd: string) => ({ cwd, env: { ...process.env, FORCE_COLOR: '0' } });

/** Runs `tinyedge ...args` in `cwd` (default: the repository). */
export function tinyedge(args: string[], cwd = ROOT): CliRun {
  const r = spawnSync(process.execPath, argv(args), { ...options(cwd), encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `tinyedge ...args` as a child process (a server, or runs side by side). */
export function spawnTinyedge(args: string[], cwd = ROOT): ChildProcess {
  return spawn(process.execPath, argv(args), options(cwd));
}

/** Runs `tinyedge ...args` without blocking, so several can run at once. */
export function tinyedgeAsync(args: string[], cwd = ROOT): Promise<CliRun> {
  const child = spawnTinyedge(args, cwd);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

/** True when stderr looks like a JS stack trace. */
export function hasStackTrace(stderr: string): boolean {
  return /^\s+at .+:\d+:\d+\)?$/m.test(stderr);
}

/**
 * A user error as the design prints it: exit 2, nothing on stdout, one line on stderr, no stack trace. The line ends
 * with its error code (` [TE104]`, and `code` when given); the rest of it matches `pattern`.
 */
export function expectUserError(r: CliRun, pattern: RegExp, code?: ErrorCode): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  const line = r.stderr.trim();
  const coded = / \[(TE\d{3})\]$/.exec(line);
  expect(coded, `the error line ends with no code: ${line}`).not.toBeNull();
  if (code) expect(coded?.[1], line).toBe(code);
  expect(line.slice(0, coded?.index)).toMatch(pattern);
}
