/**
 * @fileoverview How a failure reaches the user: one `tinyedge: error: …` line on stderr and an exit code (2 for a
 * problem with the user's input, 1 for our own bug), the stack only with --debug. The CLI and the tools it runs as
 * child processes (bench, offload) share it, so an error reads the same whichever process met it.
 */
import { TinyedgeError } from '../errors.ts';

/** A failure as the user sees it: the text after `tinyedge: error: ` and the process's exit code. */
export interface Failure {
  message: string;
  exitCode: 1 | 2;
}

/** Classifies a thrown value: a TinyedgeError is the user's to fix (exit 2); anything else is an internal error (exit 1). */
export function describeFailure(e: unknown): Failure {
  if (e instanceof TinyedgeError) return { message: e.describe(), exitCode: 2 };
  const what = e instanceof Error ? e.message : String(e);
  return { message: `internal error: ${what} (run with --debug for details; please report it)`, exitCode: 1 };
}

/** Prints `e` as the one error line (and its stack when `debug`) and returns the exit code to leave with. */
export function reportFailure(e: unknown, debug: boolean): number {
  const { message, exitCode } = describeFailure(e);
  process.stderr.write(`tinyedge: error: ${message}\n`);
  if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  return exitCode;
}
