/**
 * The real-part profiles: builder:mobilenet_v2_0.35_96 compiles for cortex-m4 within the STM32L4R5's flash and
 * SRAM, and `compile` reports arena, weights and code for each Cortex-M target; the real nsfwjs:mobilenet_v2 (1.0)
 * is refused by the cortex-m4 profile, naming the memory and by how many bytes it is over: its flash, since the
 * memory search fits its arena in the SRAM by running the first layers in patches.
 */

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MCU_MODEL } from '../../models/registry.ts';
import { loadTarget } from '../../targets/target.ts';
import { hasStackTrace, tinyedge } from '../support/cli.ts';

describe('Cortex-M real-part profiles', () => {
  it.each(['cortex-m4', 'cortex-m7', 'cortex-m55'])(
    `${MCU_MODEL} fits %s: arena within SRAM, weights and code within flash`,
    (name) => {
      const out = join(mkdtempSync(join(tmpdir(), 'tinyedge-mcu-')), 'build');
      const r = tinyedge(['compile', MCU_MODEL, '--target', name, '--no-count-instructions', '--out', out, '--json']);
      expect(r.status, r.stderr).toBe(0);
      const { memory } = JSON.parse(r.stdout) as {
        memory: { arenaBytes: number; weightBytes: number; codeBytes: number };
      };
      const part = loadTarget(name).memory;
      console.log(
        `${name}: arena ${memory.arenaBytes} B, weights ${memory.weightBytes} B, code ${memory.codeBytes} B (${part?.part})`,
      );
      expect(memory.arenaBytes).toBeLessThanOrEqual(part?.ramBytes ?? 0);
      expect(memory.weightBytes + memory.codeBytes).toBeLessThanOrEqual(part?.flashBytes ?? 0);
      expect(memory.codeBytes).toBeGreaterThan(0);
    },
    300_000,
  );

  it('nsfwjs:mobilenet_v2 is refused by the cortex-m4 profile, saying by how many bytes', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tinyedge-mcu-')), 'build');
    const r = tinyedge([
      'compile',
      'nsfwjs:mobilenet_v2',
      '--target',
      'cortex-m4',
      '--no-count-instructions',
      '--out',
      out,
    ]);
    // The quantization notice comes first; the refusal is the last line, without a stack trace.
    expect(r.status, r.stderr).toBe(2);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stderr.trim().split('\n').pop()).toMatch(/for the weights but cortex-m4's flash .*over by \d+ bytes/);
    expect(existsSync(out)).toBe(false);
  }, 300_000);
});
