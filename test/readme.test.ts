/**
 * @fileoverview The README stays a one-screen entry: its test command is the one CI runs (`.ci/run` calls exactly
 * `bin/test-all`), its main command compiles and runs a bundled photo, the lead's `<!-- api-example -->` spot is
 * there, and every relative link in it and in docs/ reaches a file.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The contents of every ```sh block. */
function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => (m[1] ?? '').trim());
}

describe('README', () => {
  it('fits on one screen and keeps the api-example spot', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(60);
    expect(readme.match(/<!-- api-example -->/g)).toHaveLength(1);
  });

  it('shows the test command that .ci/run calls, and the command exists', () => {
    expect(shellBlocks(readme)).toContain('bin/test-all');
    const ci = readFileSync(join(root, '.ci/run'), 'utf8');
    expect(ci.split('\n').filter((l) => !/^\s*#/.test(l) && /\bbin\/test-all\b/.test(l))).toEqual([
      'bin/test-all || status=$?',
    ]);
    expect(existsSync(join(root, 'bin/test-all'))).toBe(true);
  });

  it('main command: npm ci, compile for the host, run on a bundled photo', () => {
    const main = shellBlocks(readme).find((b) => b.startsWith('npm ci'));
    expect(main).toMatch(
      /^npm ci && npx tinyedge compile --target host --out (\S+) && npx tinyedge run \1 --image (\S+)$/,
    );
    expect(existsSync(join(root, main?.split(' ').at(-1) ?? ''))).toBe(true);
  });

  it('every relative link in README.md and docs/ reaches a file', () => {
    const pages = [
      'README.md',
      ...readdirSync(join(root, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
    ];
    const broken: string[] = [];
    for (const page of pages) {
      for (const [, target] of readFileSync(join(root, page), 'utf8').matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (target && !/^[a-z]+:/.test(target) && !existsSync(join(root, dirname(page), target)))
          broken.push(`${page}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
