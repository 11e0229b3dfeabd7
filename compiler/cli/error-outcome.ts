/** @fileoverview How the CLI reports an error it caught: the user's mistake (one line, exit 2) or an internal error (exit 1). */
import { TinyedgeError } from '../errors.ts';

/** What the CLI prints after `tinyedge: error: ` and the exit code it returns. */
export interface ErrorOutcome {
  kind: 'user' | 'internal';
  message: string;
  exitCode: 1 | 2;
}

/** Classifies an error thrown by a command; the CLI and the loaders' fuzz suite share it, so both judge alike. */
export function errorOutcome(e: unknown): ErrorOutcome {
  if (e instanceof TinyedgeError) return { kind: 'user', message: e.describe(), exitCode: 2 };
  return { kind: 'internal', message: `internal error: ${(e as Error)?.message ?? String(e)} (run with --debug for details; please report it)`, exitCode: 1 };
}
