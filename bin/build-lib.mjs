#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
// The library as the package exports it (package.json "exports"): dist/index.js, one esbuild bundle of
// compiler/index.ts (packages external; files that find data beside them keep finding it, as in the CLI's bundle),
// and its types, dist/index.d.ts, by tsc. Rebuilt only when a source is newer, so `prepare` and the tests that
// import 'tinyedge' pay for it once. Without TypeScript (an install without devDependencies) only the types are missing.
import { copyFileSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestSource, ownImportMetaUrl } from './cli-bundle.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const OUT = join(DIST, 'index.js');
const TYPES = join(DIST, 'index.d.ts');

/** Whether dist is at least as new as every source (and this script, and the declaration config). */
function upToDate() {
  const built = Math.min(...[OUT, TYPES].map((f) => statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0));
  const inputs = [fileURLToPath(import.meta.url), join(ROOT, 'tsconfig.lib.json')].map((f) => statSync(f).mtimeMs);
  return built >= Math.max(newestSource(), ...inputs);
}

/** Builds dist/ when a source changed; returns what it did. */
export async function buildLibrary() {
  if (upToDate()) return 'up to date';
  const { build } = await import('esbuild');
  mkdirSync(DIST, { recursive: true });
  // Written beside and renamed: test processes started together never import a half-written bundle.
  const partial = `${OUT}.${process.pid}.tmp`;
  await build({
    entryPoints: [join(ROOT, 'compiler', 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: partial,
    logLevel: 'silent',
    plugins: [ownImportMetaUrl(DIST)],
  });
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    renameSync(partial, OUT);
    return 'bundle only (no TypeScript installed: no .d.ts)';
  }
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.lib.json')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tsc (declarations) failed:\n${r.stdout}${r.stderr}`);
  // The WebAssembly loader is JavaScript with hand-written types: they go beside the declarations that import them.
  for (const dir of ['runtime/wasm']) {
    mkdirSync(join(DIST, dir), { recursive: true });
    for (const f of readdirSync(join(ROOT, dir)).filter((n) => n.endsWith('.d.ts')))
      copyFileSync(join(ROOT, dir, f), join(DIST, dir, f));
  }
  writeFileSync(TYPES, "export * from './compiler/index.js';\n");
  renameSync(partial, OUT);
  return 'built';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const what = await buildLibrary();
  if (process.argv.includes('--verbose')) console.log(`dist: ${what}`);
}
