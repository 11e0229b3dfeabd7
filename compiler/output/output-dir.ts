/**
 * @fileoverview Output folders that never lose a user's files: tinyedge marks a folder it writes with a manifest
 * of its own files. A non-empty folder without the manifest is refused; with it, `--force` replaces only the files
 * the manifest lists and leaves anything the user added. The manifest is input like any other (a user or a tool
 * may have edited it): every entry must name a path inside the folder, reached without a symbolic link, or
 * nothing at all is removed.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { TinyedgeError } from '../errors.ts';
import { checkWritableDirPath } from './output-path.ts';

/** The manifest file in every folder tinyedge writes. */
export const MANIFEST = '.tinyedge-output';

/** Why `entry` may not be removed from `dir`, or undefined when it is a plain path inside it. */
function unsafeEntry(dir: string, entry: unknown): string | undefined {
  if (typeof entry !== 'string' || entry === '') return 'is not a file name';
  if (isAbsolute(entry) || entry.includes('\\') || entry.includes('\0')) return 'is not a relative path';
  const parts = entry.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..') || normalize(entry) !== entry)
    return 'leaves the folder or is not in plain form';
  // Every folder on the way must be a real folder: a symbolic link there would lead the removal outside --out.
  for (let i = 1; i < parts.length; i++) {
    const st = lstatSync(join(dir, ...parts.slice(0, i)), { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) return `passes through the symbolic link '${parts.slice(0, i).join('/')}'`;
  }
  if (lstatSync(join(dir, entry), { throwIfNoEntry: false })?.isSymbolicLink())
    return 'is a symbolic link (tinyedge writes none)';
  return undefined;
}

/** The files of tinyedge's earlier output in `dir`, every one checked safe to remove; null without a manifest. */
function ownFiles(dir: string): string[] | null {
  const file = join(dir, MANIFEST);
  if (!existsSync(file)) return null;
  const refuse = (why: string) =>
    new TinyedgeError('TE701', `${why}; nothing was removed (delete the folder yourself, or choose another --out)`, {
      file,
    });
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw refuse('is not a tinyedge manifest (not JSON)');
  }
  const files = (manifest as { writtenBy?: unknown; files?: unknown } | null)?.files;
  if ((manifest as { writtenBy?: unknown } | null)?.writtenBy !== 'tinyedge' || !Array.isArray(files))
    throw refuse("is not a tinyedge manifest (no 'writtenBy' and 'files')");
  for (const entry of files) {
    const why = unsafeEntry(dir, entry);
    if (why) throw refuse(`lists ${JSON.stringify(entry)}, which ${why}`);
  }
  return files as string[];
}

/** Checks that tinyedge may write into `dir`, changing nothing: returns the files of its earlier output there. */
export function checkOutputDir(dir: string, force: boolean): string[] {
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw new TinyedgeError('TE701', 'is a file, not a folder (choose a new or empty folder for --out)', { file: dir });
  checkWritableDirPath(dir);
  if (!existsSync(dir)) return [];
  if (readdirSync(dir).length === 0) return [];
  const own = ownFiles(dir);
  if (own === null)
    throw new TinyedgeError(
      'TE701',
      `is not empty and was not written by tinyedge; refusing to write into it (choose an empty or new folder)`,
      { file: dir },
    );
  if (!force)
    throw new TinyedgeError('TE701', 'holds an earlier tinyedge output; pass --force to replace it', { file: dir });
  return own;
}

/** Makes `dir` ready for new output: creates it, or clears tinyedge's earlier output there (with `force`). */
export function prepareOutputDir(dir: string, force: boolean): void {
  const own = checkOutputDir(dir, force);
  mkdirSync(dir, { recursive: true });
  for (const f of own) rmSync(join(dir, f), { force: true, recursive: true });
}

/** Writes files (paths relative to `dir`) and records them in the manifest. */
export function writeOutputFiles(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  recordOutputFiles(dir, Object.keys(files));
}

/** Records build products (objects, binaries) as tinyedge's own, so a later --force removes them too. */
export function recordOutputFiles(dir: string, names: readonly string[]): void {
  const previous = ownFiles(dir) ?? [];
  const listed = [...new Set([...previous, ...names.map((n) => n.split(sep).join('/')), MANIFEST])].sort();
  writeFileSync(join(dir, MANIFEST), `${JSON.stringify({ writtenBy: 'tinyedge', files: listed }, null, 1)}\n`);
}
