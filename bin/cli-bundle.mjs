// The CLI as one JavaScript bundle, built by esbuild on first use and whenever a source is newer: starting through
// tsx compiles ~300 TypeScript files on every run (seconds, over ten on a busy machine); the bundle starts at once.
// Files that find their data beside them (import.meta.url) keep finding it: each file's import.meta.url is rewritten
// to its own location, relative to the bundle. Any failure (no write access, no esbuild) falls back to tsx.
import { mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['compiler', 'models', 'runtime', 'targets'];
const OUT_DIR = join(ROOT, 'node_modules', '.cache', 'tinyedge');
const OUT = join(OUT_DIR, 'cli.mjs');

/** The newest modification time of the CLI's sources (TypeScript, JavaScript, JSON), ms; the library's too. */
export function newestSource() {
  let newest = statSync(fileURLToPath(import.meta.url)).mtimeMs;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (/\.(ts|js|mjs|json)$/.test(e.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const d of SOURCES) walk(join(ROOT, d));
  return newest;
}

/** Rewrites import.meta.url in the repository's own files to the file's URL, computed from that of a bundle in `outDir`. */
export const ownImportMetaUrl = (outDir) => ({
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.(ts|js|mjs)$/ }, async (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const fromBundle = relative(outDir, args.path).split(sep).join('/');
      return {
        contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`),
        loader: args.path.endsWith('.ts') ? 'ts' : 'js',
      };
    });
  },
});

/** The bundle's URL, rebuilt first if a source changed; undefined when it cannot be built here. */
export async function cliBundle() {
  try {
    const built = statSync(OUT, { throwIfNoEntry: false });
    if (built && built.mtimeMs >= newestSource()) return pathToFileURL(OUT).href;
    const { build } = await import('esbuild');
    mkdirSync(OUT_DIR, { recursive: true });
    // Written beside and renamed: CLI processes started together never load a half-written bundle.
    const partial = `${OUT}.${process.pid}.tmp`;
    await build({
      entryPoints: [join(ROOT, 'compiler', 'cli', 'main.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      outfile: partial,
      logLevel: 'silent',
      plugins: [ownImportMetaUrl(OUT_DIR)],
    });
    renameSync(partial, OUT);
    return pathToFileURL(OUT).href;
  } catch {
    return undefined;
  }
}
