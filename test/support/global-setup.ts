/**
 * @fileoverview What vitest does once before any test file runs, and after the last:
 * - builds the qemu instruction-counting plugin (targets/qemu-insn), so the files that count instructions (in their
 *   own processes, at once) never fetch its header and build it side by side, with two apt-gets contending for one
 *   lock, on a clean clone;
 * - points TMPDIR at one folder for the run, which it removes at the end: the tests build hundreds of C projects in
 *   temporary folders (a few MB each), and a machine that runs the suite often would otherwise fill its disk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qemuInsnPlugin } from '../../targets/qemu-insn/build.ts';

/** Builds the plugin unless it is already built (a failure shows again, with its message, in the tests that use it) and gives the run its own temporary folder; returns the teardown that removes it. */
export default function setup(): () => void {
  try {
    qemuInsnPlugin();
  } catch {
    // Reported by the tests that need the plugin; the others run without it.
  }
  const scratch = mkdtempSync(join(tmpdir(), 'tinyedge-tests-'));
  // The test processes start after this and inherit it; os.tmpdir() reads TMPDIR (and so do the tools they spawn).
  process.env.TMPDIR = scratch;
  return () => rmSync(scratch, { recursive: true, force: true });
}
