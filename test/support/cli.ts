/** @fileoverview Runs the real `tinyedge` binary as a user would and captures its exit code and streams. */
import { spawnSync } from 'node:child_process';
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
