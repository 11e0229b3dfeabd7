/**
 * `tinyedge bench` never crashes (issue 16): each way it used to print a stack trace, NaN or a benchmark of the wrong
 * model now ends in the design's one error line (exit 2), or measures the model asked for: a model without an image
 * input gets a seeded tensor, and a peer that cannot run the model is left out with its reason. Most cases fail in the
 * CLI before tools/bench starts, so they take seconds; the two that run a benchmark use tiny models and --runs 1.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkBenchRequest, inputTensor, integerInputOf } from '../compiler/api/bench-request.ts';
import type { LoadedModel } from '../models/registry.ts';
import { tfjsTwinOf } from '../tools/bench/peers.ts';
import { expectUserError, hasStackTrace, tinyedge } from './support/cli.ts';
import { ROOT } from './support/samples.ts';

const MLPERF = join(ROOT, '..', 'shared', 'models', 'mlperf-tiny');
const AD01 = join(MLPERF, 'ad01_int8.tflite');
const KWS = join(MLPERF, 'kws_ref_model.tflite');
const VWW = join(MLPERF, 'vww_96_int8.tflite');
const PERSON = join(ROOT, 'models', 'tflm', 'person_detect.tflite');

let work: string;

/** A file in the scratch folder made from the first `bytes` of `from` (a truncated copy), or from `text`. */
function scratch(name: string, content: { from: string; bytes: number } | { text: string }): string {
  const file = join(work, name);
  writeFileSync(file, 'text' in content ? content.text : readFileSync(content.from).subarray(0, content.bytes));
  return file;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tinyedge-bench-errors-'));
});

describe('bench: bad requests end in one error line before anything is built', () => {
  it('a model file that does not exist', () => {
    expectUserError(
      tinyedge(['bench', 'nope.tflite', '--target', 'host']),
      /^tinyedge: error: nope\.tflite: cannot read model: no such file$/,
    );
  });

  it('a corrupt .tflite', () => {
    const file = scratch('corrupt.tflite', { from: AD01, bytes: 2000 });
    expectUserError(tinyedge(['bench', file, '--target', 'cortex-m4']), /^tinyedge: error: \S+corrupt\.tflite: /);
  });

  it('an undecodable --image', () => {
    const file = scratch('truncated.png', { from: join(ROOT, 'models', 'samples', 'coffee.png'), bytes: 3000 });
    expectUserError(
      tinyedge(['bench', '--target', 'host', '--image', file]),
      /^tinyedge: error: \S+truncated\.png: cannot decode image: /,
    );
  });

  it('a short --input names the input and the sizes', () => {
    const file = scratch('short.u8', { from: join(ROOT, 'models', 'tflm', 'person.u8'), bytes: 3000 });
    expectUserError(
      tinyedge(['bench', PERSON, '--target', 'cortex-m4', '--input', file]),
      /short\.u8: node 'input' \(input\): expects 9216 uint8 values .* but the file has 3000 bytes$/,
    );
  });

  it('a truncated --audio', () => {
    const file = scratch('truncated.wav', {
      from: join(ROOT, 'models', 'samples', 'audio', 'pcg-murmur-1.wav'),
      bytes: 2000,
    });
    expectUserError(
      tinyedge(['bench', 'builder:funnelnet', '--target', 'cortex-m4', '--audio', file]),
      /truncated\.wav: holds \d+ samples .* the model takes 4096/,
    );
  });

  it('--runs that is not a whole number ≥ 1', () => {
    for (const runs of ['abc', '0', '2.5'])
      expectUserError(
        tinyedge(['bench', '--runs', runs]),
        new RegExp(`^tinyedge: error: --runs must be a whole number ≥ 1, got '${runs.replace('.', '\\.')}'$`),
      );
  });

  it('an artifact or a builder without --target: says what bench would measure instead of benching the default model', () => {
    expectUserError(
      tinyedge(['bench', AD01]),
      /ad01_int8\.tflite: without --target, bench runs the f32 reference interpreter beside TF\.js on a packaged model .*; give --target/,
    );
    expectUserError(tinyedge(['bench', 'builder:mobilenet_v2_0.35_96']), /without --target/);
  });

  it('tools/bench run directly reports its own failures the same way', () => {
    const r = spawnSync(
      process.execPath,
      ['bin/run-ts.mjs', 'tools/bench/main.ts', '--model', 'nope.tflite', '--target', 'host'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expectUserError(
      { status: r.status, stdout: r.stdout, stderr: r.stderr },
      /^tinyedge: error: nope\.tflite: cannot read model: no such file$/,
    );
  });
});

describe('bench: what a model without an image input is fed', () => {
  it('the autoencoder and the keyword spotter get a seeded tensor over the whole int8 range, the same every time; image models the photo', async () => {
    for (const file of [AD01, KWS]) {
      const request = await checkBenchRequest({ model: file, target: 'cortex-m4', runs: '1' });
      expect(request.input.kind, file).toBe('seeded');
      expect(request.input.label).toMatch(/^seeded .* tensor/);
      const t = inputTensor(request.model);
      const x = integerInputOf(request.input, t);
      expect(x).toBeInstanceOf(Int8Array);
      expect(x).toEqual(integerInputOf(request.input, t));
      expect(Math.min(...x)).toBeLessThan(-120);
      expect(Math.max(...x)).toBeGreaterThan(120);
    }
    for (const file of [VWW, PERSON])
      expect((await checkBenchRequest({ model: file, target: 'cortex-m4', runs: '1' })).input.kind, file).toBe('f32');
  });

  it('ad01 on cortex-m4 without --input: benched on the seeded tensor, said so', () => {
    const r = tinyedge(['bench', AD01, '--target', 'cortex-m4', '--runs', '1', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
    const out = JSON.parse(r.stdout) as {
      inputKind: string;
      input: string;
      sameOutput: boolean;
      totals: { macs: number };
    };
    expect(out.inputKind).toBe('seeded');
    expect(out.input).toMatch(/^seeded 1×640 tensor/);
    expect(out.sameOutput).toBe(true);
    expect(out.totals.macs).toBe(264_192);
  }, 600_000);
});

describe('bench: a peer runs the same model or is left out', () => {
  it('TF.js runs the packaged model an artifact was quantized from, and nothing for a .tflite or a builder', () => {
    const stub = (spec: string, madeFrom?: string) => ({ spec, ...(madeFrom ? { madeFrom } : {}) }) as LoadedModel;
    expect(tfjsTwinOf(stub('mid.te', 'nsfwjs:mobilenet_v2_mid')).json.format).toBe('graph-model');
    expect(() => tfjsTwinOf(stub(AD01))).toThrow(/ad01_int8\.tflite is not one/);
    expect(() => tfjsTwinOf(stub('small.te', 'builder:mobilenet_v2_0.35_32'))).toThrow(
      /small\.te was quantized from builder:mobilenet_v2_0\.35_32/,
    );
  });

  it('a 32×32 artifact on wasm32: TF.js is left out saying why, tinyedge and onnxruntime-web run it', () => {
    const artifact = join(work, 'small.te');
    const q = tinyedge([
      'quantize',
      'builder:mobilenet_v2_0.35_32',
      '--out',
      artifact,
      '--calibrate',
      join(ROOT, 'models', 'samples', 'coffee.png'),
      '--augment',
      '0',
      '--eval-augment',
      '0',
    ]);
    expect(q.status, q.stderr).toBe(0);
    const r = tinyedge(['bench', artifact, '--target', 'wasm32', '--runs', '1', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
    const out = JSON.parse(r.stdout) as {
      rows: { runtime: string; vsTfjsWasm: number | null }[];
      skipped: { runtime: string; reason: string }[];
    };
    expect(out.skipped).toEqual([
      {
        runtime: expect.stringMatching(/^TF\.js wasm/),
        reason: expect.stringMatching(/quantized from builder:mobilenet_v2_0\.35_32/),
      },
    ]);
    expect(out.rows.map((row) => row.runtime)).toEqual([
      expect.stringMatching(/^tinyedge int8 WebAssembly/),
      expect.stringMatching(/^onnxruntime-web int8 .*1 thread/),
      expect.stringMatching(/^onnxruntime-web int8 .*2 threads/),
    ]);
    expect(out.rows.every((row) => row.vsTfjsWasm === null)).toBe(true);
  }, 600_000);
});
