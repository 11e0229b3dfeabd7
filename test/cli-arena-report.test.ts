/**
 * The arena report: `inspect --target` and `compile` list every plan tried (layer-wise, in place) with its peak and
 * lower bound, in text and in --json, and say which one was built; `--no-in-place` builds the layer-wise one. On an
 * emulated target they also count the layer-wise and built plans' instructions under qemu (or say why not), unless
 * --no-count-instructions. On the MLPerf Tiny KWS model (int8 already: nothing to quantize), whose layer-wise arena
 * is 13,632 B over 8,896.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseArena } from '../compiler/compile/arena-configurations.ts';
import { countPlanInstructions } from '../compiler/compile/count-instructions.ts';
import { prepareModel } from '../compiler/index.ts';
import { arenaConfigurationLines, instructionLines } from '../compiler/terminal/arena-lines.ts';
import { loadTarget } from '../targets/target.ts';
import { DEFAULT_MODELS_DIR } from '../tools/bench/suite.ts';
import { tinyedge } from './support/cli.ts';

const KWS = join(DEFAULT_MODELS_DIR, 'kws_ref_model.tflite');
const KWS_MACS = 2656768;

const PLANS = [
  { name: 'layer-wise', arenaBytes: 13632, lowerBoundBytes: 8896 },
  { name: 'in-place', arenaBytes: 8736, lowerBoundBytes: 8736, inPlaceLayers: 8 },
];

describe('the arena plans of KWS on cortex-m4', () => {
  it('inspect --target, in text and --json', () => {
    const json = tinyedge(['inspect', KWS, '--target', 'cortex-m4', '--json']);
    expect(json.status, json.stderr).toBe(0);
    const { instructions, ...arena } = JSON.parse(json.stdout).arena;
    expect(arena).toEqual({
      target: 'cortex-m4',
      arenaBytes: 8736,
      lowerBoundBytes: 8736,
      chosen: 'in-place',
      callerInput: false,
      configurations: PLANS,
    });
    // Both plans counted under qemu: the ring costs a few instructions (the figures move with the kernels).
    expect(instructions.layerWise).toBeGreaterThan(KWS_MACS);
    expect(instructions.chosen / instructions.layerWise).toBeGreaterThan(1);
    expect(instructions.chosen / instructions.layerWise).toBeLessThan(1.1);
    // As compile --caller-input plans it: the input (49×10 bytes) in the caller's buffer, never more arena.
    const quick = ['--target', 'cortex-m4', '--no-count-instructions'];
    const caller = JSON.parse(tinyedge(['inspect', KWS, ...quick, '--caller-input', '--json']).stdout);
    expect(caller.arena.instructions).toBeUndefined();
    expect(caller.arena.callerInput).toBe(true);
    expect(caller.arena.arenaBytes).toBeLessThanOrEqual(8736);
    const wasm = tinyedge(['inspect', KWS, '--target', 'wasm32', '--caller-input']);
    expect([wasm.status, wasm.stderr]).toEqual([
      2,
      expect.stringMatching(/^tinyedge: error: .*--caller-input is for C targets.*\[TE602\]\n$/),
    ]);
    const text = tinyedge(['inspect', KWS, ...quick]);
    expect(text.stdout).not.toMatch(/instr\./);
    expect(text.stdout).toMatch(/arena on cortex-m4 \(int8\): 8736 B .*in-place; lower bound 8736 B, at it/);
    expect(text.stdout).toMatch(/layer-wise +13632 B, lower bound 8896 B\n/);
    expect(text.stdout).toMatch(
      /in-place +8736 B, lower bound 8736 B, 8 layers through a ring of output rows +← built/,
    );
  });

  it('compile --json builds in place; --no-in-place builds layer-wise and still lists both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyedge-arena-'));
    const quick = ['--target', 'cortex-m4', '--no-count-instructions'];
    const rolled = tinyedge(['compile', KWS, ...quick, '--out', join(dir, 'a'), '--json']);
    expect(rolled.status, rolled.stderr).toBe(0);
    expect(JSON.parse(rolled.stdout).memory).toMatchObject({
      arenaBytes: 8736,
      lowerBoundBytes: 8736,
      configuration: 'in-place',
      configurations: PLANS,
    });
    expect(readFileSync(join(dir, 'a', 'model.c'), 'utf8')).toContain('te_window_rows(&w, r, r + 1, &band)');
    const plain = tinyedge(['compile', KWS, '--target', 'cortex-m4', '--out', join(dir, 'b'), '--no-in-place']);
    expect(plain.status, plain.stderr).toBe(0);
    // Layer-wise built: one count, the same on both sides.
    expect(plain.stdout).toMatch(
      /instr\. +([\d,]+) built, \1 layer-wise \(\+0\.0%\), counted under qemu on cortex-m4\n/,
    );
    expect(plain.stdout).toMatch(/arena +13632 B .*layer-wise; lower bound 8896 B, \+53\.2% over it/);
    expect(plain.stdout).toMatch(/in-place +8736 B, lower bound 8736 B, 8 layers through a ring of output rows\n/);
  }, 120_000);
});

describe('counting instructions where the emulator is missing', () => {
  it('comes back as one line of the report, not a failure', () => {
    const m4 = loadTarget('cortex-m4');
    if (m4.run.kind !== 'qemu-system') throw new Error('cortex-m4 runs on a qemu board');
    const missing = { ...m4, run: { ...m4.run, command: ['qemu-system-missing', ...m4.run.command.slice(1)] } };
    const g = prepareModel(KWS).graph;
    const counts = countPlanInstructions(g, chooseArena(g, missing), missing);
    expect(counts).toEqual({ unavailable: expect.stringContaining("'qemu-system-missing' is not installed") });
    expect(instructionLines(counts, 'cortex-m4')).toEqual([
      expect.stringMatching(/^ {2}instr\. {3}not counted on cortex-m4 \(--no-count-instructions skips it\): /),
    ]);
  }, 60_000);
});

describe('the configuration lines', () => {
  it('show one of the grids that tie on arena and MACs, and every grid no other beats', () => {
    const grid = (name: string, arenaBytes: number, extraMacs: number) => ({
      name,
      arenaBytes,
      lowerBoundBytes: arenaBytes,
      extraMacs,
    });
    const tried = [
      ...PLANS,
      grid('13x1@9', 5000, 0),
      grid('13x2@9', 4000, 100),
      grid('14x2@9', 4000, 100),
      grid('14x3@9', 4500, 200),
      grid('15x1@9', 5000, 0),
    ];
    const names = (chosen: string) => arenaConfigurationLines(tried, chosen).map((line) => line.trim().split(/\s+/)[0]);
    expect(names('13x1@9')).toEqual(['layer-wise', 'in-place', '13x1@9', '13x2@9', '(3']);
    expect(names('15x1@9')).toEqual(['layer-wise', 'in-place', '13x1@9', '13x2@9', '15x1@9', '(2']);
  });
});
