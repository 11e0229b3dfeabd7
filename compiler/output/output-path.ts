/**
 * @fileoverview Checks on the paths tinyedge writes (--out, --draw, --plot), made before any work so a mistake
 * costs nothing: the path's folder can exist, an existing file is replaced only with --force, and never the file
 * being read (the model, the photo) whatever the flags say.
 */
import { existsSync, mkdtempSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { TinyedgeError } from '../errors.ts';

/**
 * Throws unless `dir` is a folder tinyedge can write in, or can be created: no file stands where one of its folders
 * would be, and the nearest existing folder takes a new entry. That is tried for real (a probe folder made and
 * removed at once): permissions, read-only mounts and special file systems all answer the same way.
 */
export function checkWritableDirPath(dir: string, forFile?: string): void {
  let at = resolve(dir);
  while (!existsSync(at)) {
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  const where =
    forFile !== undefined
      ? `cannot be written: '${at}' is`
      : at === resolve(dir)
        ? 'is'
        : `cannot be created: '${at}' is`;
  const file = forFile ?? dir;
  if (!statSync(at).isDirectory()) throw new TinyedgeError('TE703', `${where} a file, not a folder`, { file });
  try {
    rmdirSync(mkdtempSync(join(at, '.tinyedge-probe-')));
  } catch (e) {
    throw new TinyedgeError(
      'TE703',
      `${where} not writable (${(e as { code?: string }).code ?? (e as Error).message})`,
      { file },
    );
  }
}

/** True when `a` and `b` are the same file on disk (also through links). */
function sameFile(a: string, b: string): boolean {
  const sa = statSync(a, { throwIfNoEntry: false });
  const sb = statSync(b, { throwIfNoEntry: false });
  return !!sa && !!sb && sa.dev === sb.dev && sa.ino === sb.ino;
}

/** What a command reads, so its output never lands on it: `what` names it in the error ('the input model'). */
export interface ReadPath {
  path: string;
  what: string;
}

/** Refuses to write `out` over an input, over a folder, over a file without `force`, or where its folder cannot be. */
export function checkOutputFile(out: string, force: boolean, inputs: readonly ReadPath[] = []): void {
  checkWritableDirPath(dirname(resolve(out)), out);
  if (!existsSync(out)) return;
  const input = inputs.find((i) => sameFile(i.path, out));
  if (input)
    throw new TinyedgeError('TE702', `is ${input.what}; refusing to write over it (choose another file)`, {
      file: out,
    });
  if (statSync(out).isDirectory()) throw new TinyedgeError('TE702', 'is a folder, not a file', { file: out });
  if (!force) throw new TinyedgeError('TE702', 'exists; pass --force to replace it', { file: out });
}
