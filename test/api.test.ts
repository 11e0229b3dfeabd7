/**
 * @fileoverview The library as a user's project imports it: the README's API example, run by Node as an ES module
 * inside this package (so `'tinyedge'` resolves through package.json "exports" to dist/, as for any dependent),
 * compiles the MCU-sized MobileNetV2 to host C and to WebAssembly, runs both, and checks their output bytes against
 * the int8 reference interpreter's. The README's code block is what runs, so the two cannot drift; the library
 * prints nothing while doing it.
 */

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/samples.ts';

/** The ```js block of the README's Library API section. */
function apiExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('<!-- api-example -->'));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error('README.md has no ```js block after <!-- api-example -->');
  return code;
}

describe("the library API ('tinyedge')", () => {
  it('README example: builder:mobilenet_v2_0.35_96 to host C and WebAssembly, both bit-exact with the int8 reference', () => {
    const build = spawnSync(process.execPath, [join(ROOT, 'bin', 'build-lib.mjs')], { cwd: ROOT, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    const code = apiExample();
    expect(code).toMatch(/from 'tinyedge';/);
    const dir = join(ROOT, 'build', 'api-example');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'example.mjs'), code);
    const r = spawnSync(process.execPath, [join(dir, 'example.mjs')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect({ stdout: r.stdout, stderr: r.stderr }).toEqual({ stdout: '', stderr: '' });
    for (const target of ['host', 'wasm32']) {
      const manifest = JSON.parse(readFileSync(join(ROOT, 'build', `api-${target}`, 'tinyedge.json'), 'utf8'));
      expect(manifest).toMatchObject({ model: 'builder:mobilenet_v2_0.35_96', target });
    }
  });

  it('ships its types: dist/index.d.ts declares the stages', () => {
    const types = readFileSync(join(ROOT, 'dist', 'compiler', 'index.d.ts'), 'utf8');
    for (const name of ['loadModel', 'optimize', 'quantize', 'readInput', 'predict', 'compile', 'run', 'TinyedgeError'])
      expect(types).toMatch(new RegExp(`\\b${name}\\b`));
    expect(readFileSync(join(ROOT, 'dist', 'index.d.ts'), 'utf8')).toContain("from './compiler/index.js'");
  });
});
