/**
 * @fileoverview Runs a tool of tools/ (bench, report, offload) as its own process in the repository: they import
 * the peers, run whole suites and start servers, which the compiler never does. The child reports its own failures
 * with the CLI's error line and exit code; its status is ours. With `scratch`, its temporary files (builds of a few
 * MB each) go to a folder of this run, removed when it ends.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Runs `tools/<script>` with `args`; its status becomes this process's exit code. */
export function runTool(script: string, args: readonly string[], scratch?: string): void {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const temporary = scratch === undefined ? undefined : mkdtempSync(join(tmpdir(), `tinyedge-${scratch}-`));
  try {
    const r = spawnSync(process.execPath, ['bin/run-ts.mjs', `tools/${script}`, ...args], {
      cwd: root,
      stdio: 'inherit',
      env: temporary === undefined ? process.env : { ...process.env, TMPDIR: temporary },
    });
    process.exitCode = r.status ?? 1;
  } finally {
    if (temporary !== undefined) rmSync(temporary, { recursive: true, force: true });
  }
}
