/**
 * `tinyedge bench --suite mlperf-tiny` on its smallest model (the autoencoder, ~0.4 M instructions on Cortex-M4):
 * the table's columns, the JSON's figures equal to the per-model bench of the same file on the same input (the
 * README's seed-1 bytes), its output equal to TFLM's, and a missing models folder as one error line naming the file,
 * with its code.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonRandomInt8 } from '../../tools/bench/python-random.ts';
import { DEFAULT_MODELS_DIR, formatSuite, type SuiteResult } from '../../tools/bench/suite.ts';
import { tinyedge } from '../support/cli.ts';

const AD = join(DEFAULT_MODELS_DIR, 'ad01_int8.tflite');

interface Bench {
  inputKind: string;
  totals: { macs: number; instructions: number; estimatedCycles?: number };
  memory: { arenaBytes: number; weightBytes: number; codeBytes: number };
  sameOutput: boolean;
}

describe('tinyedge bench --suite mlperf-tiny', () => {
  it('cortex-m4, the autoencoder: one table, figures equal to the per-model bench', () => {
    const suite = ['bench', '--suite', 'mlperf-tiny', '--target', 'cortex-m4', '--models', 'ad'];
    const json = tinyedge([...suite, '--json']);
    expect(json.status, json.stderr).toBe(0);
    const r = JSON.parse(json.stdout) as SuiteResult;
    expect(r.target).toBe('cortex-m4');
    expect(r.limit.macsPerInstruction).toBe(2);
    // The table is the JSON formatted (the CLI prints formatSuite of the same result without --json).
    const text = formatSuite(r);
    const header = text.split('\n').find((l) => l.includes('est. cycles') && l.includes('│'));
    for (const column of ['model', 'instructions', 'MACs/instr (% of 2)', 'MACs/est. cycle', 'arena B'])
      expect(header).toContain(column);
    for (const column of [
      'flash B (weights + code)',
      'TFLM+CMSIS-NN instr',
      'best published cycles',
      'output vs TFLM (seed 1)',
    ])
      expect(header).toContain(column);
    expect(text).toMatch(/│ ad +│/);
    const [row] = r.models;
    expect(r.models).toHaveLength(1);

    // The suite feeds the README's seed-1 input; the per-model bench is given the same bytes.
    const seed1 = join(mkdtempSync(join(tmpdir(), 'tinyedge-seed1-')), 'seed1.i8');
    writeFileSync(seed1, pythonRandomInt8(1, 640));
    const one = tinyedge(['bench', AD, '--target', 'cortex-m4', '--input', seed1, '--json']);
    expect(one.status, one.stderr).toBe(0);
    const b = JSON.parse(one.stdout) as Bench;
    expect(b.inputKind).toBe('raw');
    expect(row).toMatchObject({
      name: 'ad',
      macs: b.totals.macs,
      instructions: b.totals.instructions,
      estimatedCycles: b.totals.estimatedCycles,
      arenaBytes: b.memory.arenaBytes,
      weightBytes: b.memory.weightBytes,
      codeBytes: b.memory.codeBytes,
      sameOutput: true,
      tflmOutputEqual: true,
    });
    expect(row?.macsPerInstruction).toBeCloseTo(b.totals.macs / b.totals.instructions, 10);
    expect(row?.tflm).toMatchObject({ instructions: 583265, arenaBytes: 2580 });
    expect(row?.tflm?.instructionRatio).toBeCloseTo(b.totals.instructions / 583265, 10);
    expect(row?.published).toMatchObject({ stack: 'Plumerai 2023.05 (v1.1)', cycles: 486000 });
  }, 900_000); // Two qemu runs of each build; other files share the two cores in the full suite.

  it('a missing models folder: one error line naming the file, TE101', () => {
    const r = tinyedge(['bench', '--suite', 'mlperf-tiny', '--target', 'cortex-m4', '--models-dir', '/nonexistent']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^tinyedge: error: \/nonexistent\/vww_96_int8\.tflite: .*--models-dir.*\[TE101\]$/m);
  });
});
