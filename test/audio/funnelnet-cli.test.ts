/**
 * FunnelNet from the command line. `compile builder:funnelnet --target cortex-m4` fits the STM32L4R5 profile (arena
 * and clip buffer within SRAM, weights with the CWT tables and code within flash) and `run --audio` on it (the CWT
 * and the model under qemu-system-arm) prints the reference's output bytes; `bench --target cortex-m4` counts the CWT
 * as its own line beside every layer; `compile --target wasm32` + `run --audio` (cwt.wasm and model.wasm in Node)
 * and `predict --precision int8 --audio` print them too. Bad audio input (wrong rate, channels, bit depth or format, not a WAV, too short, missing, an
 * image flag for an audio model) fails with one line naming the file and what was expected, exit 2.
 */

import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import wavefile from 'wavefile';
import type { CwtFrontEnd } from '../../compiler/audio/cwt-front-end.ts';
import { FUNNELNET_CWT } from '../../compiler/audio/cwt-kernels.ts';
import { TinyedgeError } from '../../compiler/errors.ts';
import type { Graph } from '../../compiler/ir/graph.ts';
import { cwtInt8 } from '../../compiler/reference/audio/cwt-int.ts';
import { readWavClip } from '../../compiler/reference/audio/read-wav.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { loadTarget } from '../../targets/target.ts';
import { hasStackTrace, tinyedge } from '../support/cli.ts';
import { ROOT } from '../support/samples.ts';
import { quantizedFunnelNet } from './audio-build.ts';

const CLIP = join(ROOT, 'models/samples/audio/pcg-murmur-2.wav');
const work = mkdtempSync(join(tmpdir(), 'tinyedge-funnelnet-'));
let funnel: { int8: Graph; front: CwtFrontEnd };

/** The reference's output bytes for a WAV clip. */
function expected(file: string): number[] {
  const x = cwtInt8(funnel.front.tables, readWavClip(file, FUNNELNET_CWT), funnel.front.requantize);
  return Array.from(runInteger(funnel.int8, { [funnel.int8.inputs[0]!]: x }).get(funnel.int8.outputs[0]!) as Int8Array);
}

function compile(target: string): {
  out: string;
  memory: { arenaBytes: number; weightBytes: number; codeBytes: number };
  audio: { tableBytes: number; bufferBytes: number };
} {
  const out = join(work, target);
  const r = tinyedge([
    'compile',
    'builder:funnelnet',
    '--target',
    target,
    '--no-count-instructions',
    '--out',
    out,
    '--json',
  ]);
  expect(r.status, r.stderr).toBe(0);
  return { out, ...JSON.parse(r.stdout) };
}

function runJson(dir: string, clip: string): number[] {
  const r = tinyedge(['run', dir, '--audio', clip, '--json']);
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { output: { data: number[] } }).output.data;
}

beforeAll(async () => {
  funnel = await quantizedFunnelNet();
});

describe('FunnelNet through the CLI', () => {
  it('cortex-m4: fits the STM32L4R5 profile, and run --audio under qemu gives the reference output', () => {
    const { out, memory, audio } = compile('cortex-m4');
    const part = loadTarget('cortex-m4').memory;
    console.log(
      `cortex-m4 FunnelNet: arena ${memory.arenaBytes} B + clip ${audio.bufferBytes} B; weights ${memory.weightBytes} B (CWT tables ${audio.tableBytes} B); code ${memory.codeBytes} B (${part?.part})`,
    );
    expect(memory.arenaBytes + audio.bufferBytes).toBeLessThanOrEqual(part?.ramBytes ?? 0);
    expect(memory.weightBytes + memory.codeBytes).toBeLessThanOrEqual(part?.flashBytes ?? 0);
    expect(audio.tableBytes).toBeGreaterThan(0);
    expect(audio.tableBytes).toBeLessThan(memory.weightBytes);
    expect(runJson(out, CLIP)).toEqual(expected(CLIP));
  }, 300_000);

  it('bench --target cortex-m4: the CWT front end on its own line, every layer counted, same output of both builds', () => {
    const r = tinyedge(['bench', 'builder:funnelnet', '--target', 'cortex-m4', '--audio', CLIP, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const bench = JSON.parse(r.stdout) as {
      frontEnd: { macs: number; instructions: number; refInstructions: number };
      layers: { op: string; macs: number; instructions: number }[];
      totals: { instructions: number };
      memory: { arenaBytes: number; weightBytes: number; codeBytes: number };
      sameOutput: boolean;
    };
    console.log(
      `cortex-m4 FunnelNet: CWT ${bench.frontEnd.macs} MACs in ${bench.frontEnd.instructions} instructions; layers ${bench.layers.map((l) => `${l.op} ${l.instructions}`).join(', ')}; total ${bench.totals.instructions}`,
    );
    expect(bench.sameOutput).toBe(true);
    expect(bench.frontEnd.instructions).toBeGreaterThan(bench.frontEnd.macs / 4);
    expect(bench.layers.map((l) => l.op)).toEqual(funnel.int8.nodes.map((n) => n.op));
    for (const l of bench.layers) expect(l.instructions, l.op).toBeGreaterThan(0);
    expect(bench.totals.instructions).toBe(
      bench.frontEnd.instructions + bench.layers.reduce((s, l) => s + l.instructions, 0),
    );
  }, 300_000);

  describe('wasm32', () => {
    let dir: string;
    beforeAll(() => {
      dir = compile('wasm32').out;
    }, 300_000);

    it('run --audio (cwt.wasm, then model.wasm, in Node) and predict --precision int8 --audio give the reference output', () => {
      expect(runJson(dir, CLIP)).toEqual(expected(CLIP));
      const r = tinyedge(['predict', 'builder:funnelnet', '--precision', 'int8', '--audio', CLIP, '--json']);
      expect(r.status, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { output: { data: number[] } }).output.data).toEqual(expected(CLIP));
    });

    it('bad audio input: one error line naming the file and what was expected (exit 2 through the CLI)', () => {
      const wav = (name: string, channels: number, rate: number, depth: string, samples: ArrayLike<number>) => {
        const w = new wavefile.WaveFile();
        w.fromScratch(channels, rate, depth, samples);
        const file = join(work, name);
        writeFileSync(file, w.toBuffer());
        return file;
      };
      const n = FUNNELNET_CWT.samples;
      const notWav = join(work, 'photo.wav');
      copyFileSync(join(ROOT, 'models/samples/coffee.png'), notWav);
      const cases: [string[], RegExp][] = [
        [
          ['--audio', wav('44k.wav', 1, 44100, '16', new Int16Array(n))],
          /44k\.wav: is sampled at 44100 Hz; expected 16-bit PCM mono at 2000 Hz/,
        ],
        [
          ['--audio', wav('stereo.wav', 2, 2000, '16', new Int16Array(2 * n))],
          /stereo\.wav: has 2 channels; expected 16-bit PCM mono/,
        ],
        [
          ['--audio', wav('8bit.wav', 1, 2000, '8', new Uint8Array(n).fill(128))],
          /8bit\.wav: holds 8-bit PCM; expected 16-bit PCM mono/,
        ],
        [
          ['--audio', wav('float.wav', 1, 2000, '32f', new Float64Array(n))],
          /float\.wav: holds audio format 3 \(32-bit, not PCM\); expected 16-bit PCM/,
        ],
        [
          ['--audio', wav('short.wav', 1, 2000, '16', new Int16Array(1000))],
          /short\.wav: holds 1000 samples \(0\.500 s\); the model takes 4096 \(2\.048 s\)/,
        ],
        [['--audio', notWav], /photo\.wav: is not a WAV file .*; expected 16-bit PCM mono at 2000 Hz/],
        [['--audio', join(work, 'missing.wav')], /missing\.wav: cannot read the audio: no such file/],
        [
          ['--image', join(ROOT, 'models/samples/coffee.png')],
          /is an audio model: give --audio CLIP\.wav \(16-bit PCM mono, 2000 Hz, 4096 samples\)/,
        ],
      ];
      // Every case through the WAV reader the CLI uses; two through the CLI itself (each run costs a process start).
      for (const [[flag, file], message] of cases.filter(([flags]) => flags[0] === '--audio')) {
        let error: unknown;
        try {
          readWavClip(file!, FUNNELNET_CWT);
        } catch (e) {
          error = e;
        }
        expect(error, file).toBeInstanceOf(TinyedgeError);
        expect(`${flag} ${(error as TinyedgeError).describe()}`).toMatch(message);
      }
      for (const [flags, message] of [cases[0]!, cases[cases.length - 1]!]) {
        const r = tinyedge(['run', dir, ...flags]);
        expect(r.status, `${flags.join(' ')}: ${r.stderr}`).toBe(2);
        expect(hasStackTrace(r.stderr)).toBe(false);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(message);
      }
    });
  });
});
