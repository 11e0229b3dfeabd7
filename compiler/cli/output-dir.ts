/**
 * @fileoverview Output folders that never lose a user's files: tinyedge marks a folder it writes with a manifest
 * of its own files. A non-empty folder without the manifest is refused; with it, `--force` replaces only the files
 * the manifest lists and leaves anything the user added.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TinyedgeError } from '../errors.ts';

/** The manifest file in every folder tinyedge writes. */
export const MANIFEST = '.tinyedge-output';

function ownFiles(dir: string): string[] | null {
  const file = join(dir, MANIFEST);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')).files as string[];
}

/** Checks that tinyedge may write into `dir`, changing nothing: returns the files of its earlier output there. */
export function checkOutputDir(dir: string, force: boolean): string[] {
  if (!existsSync(dir) || readdirSync(dir).length === 0) return [];
  const own = ownFiles(dir);
  if (own === null) throw new TinyedgeError(`is not empty and was not written by tinyedge; refusing to write into it (choose an empty or new folder)`, { file: dir });
  if (!force) throw new TinyedgeError('holds an earlier tinyedge output; pass --force to replace it', { file: dir });
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
  const previous = ownFiles(dir) ?? [];
  const listed = [...new Set([...previous, ...Object.keys(files), MANIFEST])].sort();
  writeFileSync(join(dir, MANIFEST), `${JSON.stringify({ writtenBy: 'tinyedge', files: listed }, null, 1)}\n`);
}

/** Records build products (objects, binaries) as tinyedge's own, so a later --force removes them too. */
export function recordOutputFiles(dir: string, names: readonly string[]): void {
  const previous = ownFiles(dir) ?? [];
  writeFileSync(join(dir, MANIFEST), `${JSON.stringify({ writtenBy: 'tinyedge', files: [...new Set([...previous, ...names])].sort() }, null, 1)}\n`);
}
