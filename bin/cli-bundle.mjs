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

/** The newest modification time of the CLI's sources (TypeScript, JavaScript, JSON), ms; the library's too; with `extra` folders, theirs too. */
export function newestSource(extra = []) {
  let newest = statSync(fileURLToPath(import.meta.url)).mtimeMs;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (/\.(ts|js|mjs|json)$/.test(e.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const d of [...SOURCES, ...extra]) walk(join(ROOT, d));
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

/** The CLI bundle's URL, rebuilt first if a source changed; undefined when it cannot be built here. */
export const cliBundle = () => bundleOf(join(ROOT, 'compiler', 'cli', 'main.ts'), OUT, []);

/**
 * The URL of a bundle of a tool under tools/ (`tools/report/main.ts`: `tools-report-main.mjs` beside the CLI's),
 * rebuilt first if a source or a tool changed; undefined for another file or when it cannot be built here.
 */
export function toolBundle(entry) {
  const path = relative(ROOT, entry).split(sep);
  if (path[0] !== 'tools' || path.includes('..')) return undefined;
  return bundleOf(entry, join(OUT_DIR, `${path.join('-').replace(/\.ts$/, '')}.mjs`), ['tools']);
}

/** The URL of `out`, a bundle of `entry`, rebuilt first if one of the sources (and `extra` folders) is newer. */
async function bundleOf(entry, out, extra) {
  try {
    const built = statSync(out, { throwIfNoEntry: false });
    if (built && built.mtimeMs >= newestSource(extra)) return pathToFileURL(out).href;
    const { build } = await import('esbuild');
    mkdirSync(OUT_DIR, { recursive: true });
    // Written beside and renamed: processes started together never load a half-written bundle.
    const partial = `${out}.${process.pid}.tmp`;
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      outfile: partial,
      logLevel: 'silent',
      plugins: [ownImportMetaUrl(OUT_DIR)],
    });
    renameSync(partial, out);
    return pathToFileURL(out).href;
  } catch {
    return undefined;
  }
}
