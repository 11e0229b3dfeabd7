/**
 * @fileoverview Nothing the user had is overwritten or lost: `compile --force` removes only what its manifest lists
 * inside --out, and refuses a manifest that points anywhere else (victims planted beside --out, above it and
 * through symbolic links survive); outputs that cannot be written, or would land on an input, are refused before
 * any work with one clear line; commander's usage errors keep the one-line format.
 */

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectUserError, tinyedge } from './support/cli.ts';
import { ROOT } from './support/samples.ts';

const TFLITE = join(ROOT, 'models', 'tflm', 'person_detect.tflite');
const PHOTO = join(ROOT, 'models', 'samples', 'coffee.png');

/** A folder `out` holding a forged manifest beside a victim folder with a file in it. */
function plant(work: string, name: string, entries: unknown[]): { out: string; victim: string } {
  const root = join(work, name);
  const out = join(root, 'out');
  const victim = join(root, 'victim');
  mkdirSync(out, { recursive: true });
  mkdirSync(victim);
  writeFileSync(join(victim, 'a.txt'), 'keep');
  writeFileSync(join(out, 'mine.txt'), 'mine');
  writeFileSync(join(out, '.tinyedge-output'), JSON.stringify({ writtenBy: 'tinyedge', files: entries }));
  return { out, victim };
}

describe('compile --force never deletes outside --out', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'tinyedge-force-'));
  });

  const cases: { name: string; entries: (victim: string) => unknown[]; why: RegExp }[] = [
    { name: 'beside', entries: () => ['../victim'], why: /lists "\.\.\/victim", which leaves the folder/ },
    { name: 'above', entries: () => ['..'], why: /lists "\.\.", which leaves the folder/ },
    { name: 'absolute', entries: (victim) => [victim], why: /which is not a relative path/ },
    { name: 'hidden-dots', entries: () => ['model.c', 'a/../../victim'], why: /which leaves the folder/ },
    { name: 'not-a-list', entries: () => [42], why: /lists 42, which is not a file name/ },
  ];
  for (const c of cases) {
    it(`a manifest entry ${c.name} --out is refused and nothing is removed`, () => {
      const { out, victim } = plant(work, c.name, []);
      writeFileSync(join(out, '.tinyedge-output'), JSON.stringify({ writtenBy: 'tinyedge', files: c.entries(victim) }));
      expectUserError(tinyedge(['compile', TFLITE, '--target', 'wasm32', '--out', out, '--force']), c.why);
      expect(readFileSync(join(victim, 'a.txt'), 'utf8')).toBe('keep');
      expect(readFileSync(join(out, 'mine.txt'), 'utf8')).toBe('mine');
    });
  }

  it('an entry through a symbolic link, or that is one, is refused and the link target survives', () => {
    const { out, victim } = plant(work, 'symlink', []);
    symlinkSync(victim, join(out, 'link'));
    for (const entry of ['link/a.txt', 'link']) {
      writeFileSync(join(out, '.tinyedge-output'), JSON.stringify({ writtenBy: 'tinyedge', files: [entry] }));
      expectUserError(tinyedge(['compile', TFLITE, '--target', 'wasm32', '--out', out, '--force']), /symbolic link/);
      expect(readFileSync(join(victim, 'a.txt'), 'utf8')).toBe('keep');
    }
  });

  it('a manifest that is not JSON is refused, not an internal error', () => {
    const { out } = plant(work, 'garbage', []);
    writeFileSync(join(out, '.tinyedge-output'), '{"writtenBy": "tinyedge", "files": [');
    expectUserError(
      tinyedge(['compile', TFLITE, '--target', 'wasm32', '--out', out, '--force']),
      /\.tinyedge-output: is not a tinyedge manifest \(not JSON\); nothing was removed/,
    );
    expect(readFileSync(join(out, 'mine.txt'), 'utf8')).toBe('mine');
  });

  it('a real earlier output is still replaced with --force, keeping the user file', () => {
    const out = join(work, 'real');
    expect(tinyedge(['compile', TFLITE, '--target', 'wasm32', '--out', out]).status).toBe(0);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const r = tinyedge(['compile', TFLITE, '--target', 'wasm32', '--out', out, '--force']);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(out, 'model.wasm'))).toBe(true);
  });
});

describe('outputs that cannot be written are refused first, naming the path', () => {
  let work: string;
  let model: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'tinyedge-outpaths-'));
    model = join(work, 'person.tflite');
    copyFileSync(TFLITE, model);
  });

  it('--out that is a file, or under a file, or the input model itself', () => {
    writeFileSync(join(work, 'plain.txt'), 'x');
    expectUserError(
      tinyedge(['compile', model, '--target', 'wasm32', '--out', join(work, 'plain.txt')]),
      /plain\.txt: is a file, not a folder/,
    );
    expectUserError(
      tinyedge(['compile', model, '--target', 'wasm32', '--out', join(work, 'plain.txt', 'sub')]),
      /plain\.txt\/sub: cannot be created: '.*plain\.txt' is a file, not a folder/,
    );
    expectUserError(
      tinyedge(['compile', model, '--target', 'wasm32', '--out', model]),
      /person\.tflite: is a file, not a folder/,
    );
    expect(readFileSync(model)).toEqual(readFileSync(TFLITE));
  });

  it('a folder that cannot be written (here /proc, which refuses even root)', () => {
    expectUserError(
      tinyedge(['compile', model, '--target', 'wasm32', '--out', '/proc/tinyedge-out']),
      /\/proc\/tinyedge-out: cannot be created: '\/proc' is not writable/,
    );
    expectUserError(
      tinyedge(['quantize', model, '--out', '/proc/q.tinyedge']),
      /\/proc\/q\.tinyedge: cannot be written: '\/proc' is not writable/,
    );
  });

  it('export over its own artifact, even with --force, and into a folder that is a file', () => {
    const artifact = join(work, 'person-export.tflite');
    copyFileSync(TFLITE, artifact);
    expectUserError(
      tinyedge(['export', artifact, '--format', 'onnx', '--out', artifact, '--force']),
      /is the artifact being exported; refusing to write over it/,
    );
    expectUserError(
      tinyedge(['export', artifact, '--format', 'onnx', '--out', join(work, 'plain.txt', 'x.onnx')]),
      /x\.onnx: cannot be written: '.*plain\.txt' is a file, not a folder/,
    );
    expect(readFileSync(artifact)).toEqual(readFileSync(TFLITE));
  });

  it('--draw onto its own photo, even with --force, or into a folder that cannot be written', () => {
    const photo = join(work, 'photo.png');
    copyFileSync(PHOTO, photo);
    expectUserError(
      tinyedge(['predict', 'human:handtrack', '--image', photo, '--draw', photo, '--force']),
      /photo\.png: is the input photo; refusing to write over it/,
    );
    expectUserError(
      tinyedge(['predict', 'human:handtrack', '--image', photo, '--draw', '/proc/boxes.png']),
      /\/proc\/boxes\.png: cannot be written/,
    );
    expect(readFileSync(photo)).toEqual(readFileSync(PHOTO));
  });
});

describe("commander's usage errors keep the one-line format", () => {
  it('an unknown option, with its suggestion on the same line', () => {
    expectUserError(tinyedge(['predict', '--bogus']), /^tinyedge: error: unknown option '--bogus'$/);
    expectUserError(
      tinyedge(['predict', '--imag', 'x.png']),
      /^tinyedge: error: unknown option '--imag' \(Did you mean --image\?\)$/,
    );
    expectUserError(
      tinyedge(['compile', '--target', 'nope', '--out', 'x']),
      /^tinyedge: error: option '--target <name>' argument 'nope' is invalid\. Allowed choices are /,
    );
  });
});
