/**
 * @fileoverview What vitest does once before any test file runs: builds the qemu instruction-counting plugin
 * (tools/qemu-insn), so the files that count instructions (in their own processes, at once) never fetch its header
 * and build it side by side, with two apt-gets contending for one lock, on a clean clone.
 */
import { qemuInsnPlugin } from '../../tools/qemu-insn/build.ts';

/** Builds the plugin unless it is already built; a failure shows again, with its message, in the tests that use it. */
export default function setup(): void {
  try {
    qemuInsnPlugin();
  } catch {
    // Reported by the tests that need the plugin; the others run without it.
  }
}
