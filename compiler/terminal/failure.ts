/**
 * @fileoverview How any failure reaches the user: one `tinyedge: error: … [TE104]` line and an exit code. The code
 * (compiler/error-codes.ts, listed in docs/errors.md) comes last, so the line still reads file first. A TinyedgeError
 * and a system error with a path or port (the user's file system or network) are the user's to fix: exit 2, no
 * stack. Anything else is tinyedge's own bug: exit 1, "internal error". The CLI and the tools it runs as child
 * processes (bench, offload plan/demo) share this, so every command fails the same way.
 */

import type { ErrorCode } from '../error-codes.ts';
import { TinyedgeError } from '../errors.ts';

/** The error line (without the `tinyedge: error: ` prefix and the code), its code and the exit code. */
export interface Failure {
  line: string;
  code: ErrorCode;
  exitCode: number;
}

/** What Node's fs and net errors carry. */
interface SystemError extends Error {
  code: string;
  syscall?: string;
  path?: string;
  dest?: string;
  address?: string;
  port?: number;
}

const FILE_PROBLEMS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'is on a read-only file system',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'is a folder, not a file',
  ENOENT: 'does not exist',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  EBUSY: 'is busy',
  ETXTBSY: 'is a running program',
};

function isSystemError(e: unknown): e is SystemError {
  return e instanceof Error && typeof (e as Partial<SystemError>).code === 'string';
}

/** The failure line and exit code for anything a command threw. */
export function describeFailure(e: unknown): Failure {
  if (e instanceof TinyedgeError) return { line: e.describe(), code: e.code, exitCode: 2 };
  if (isSystemError(e)) {
    if (e.code === 'EADDRINUSE' || e.code === 'EADDRNOTAVAIL' || (e.code === 'EACCES' && e.syscall === 'listen')) {
      const where = `${e.address ?? ''}${e.port !== undefined ? `:${e.port}` : ''}`;
      const why =
        e.code === 'EADDRINUSE'
          ? 'is already in use (choose another port, or 0 for any free one)'
          : e.code === 'EACCES'
            ? 'needs privileges to listen on'
            : 'is not an address of this machine';
      return { line: `${where || 'the address'}: ${why}`, code: 'TE801', exitCode: 2 };
    }
    const path = e.path ?? e.dest;
    const problem = FILE_PROBLEMS[e.code];
    if (path !== undefined && problem)
      return { line: `${path}: ${problem}${e.syscall ? ` (${e.syscall})` : ''}`, code: 'TE704', exitCode: 2 };
  }
  return {
    line: `internal error: ${(e as Error)?.message ?? String(e)} (run with --debug for details; please report it)`,
    code: 'TE999',
    exitCode: 1,
  };
}

/** An error line with its code at the end, where it does not stand between the user and the file name. */
export function withCode(line: string, code: ErrorCode): string {
  return `${line} [${code}]`;
}

/** Prints the failure line (and the stack with `debug`) and returns the exit code to leave with. */
export function reportFailure(e: unknown, debug: boolean): number {
  const { line, code, exitCode } = describeFailure(e);
  process.stderr.write(`tinyedge: error: ${withCode(line, code)}\n`);
  if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  return exitCode;
}

/** Reports the failure and ends the process with its exit code. */
export function exitWithFailure(e: unknown, debug = process.argv.includes('--debug')): never {
  process.exit(reportFailure(e, debug));
}
