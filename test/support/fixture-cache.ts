/**
 * @fileoverview A disk cache for expensive test fixtures (quantized models), so the test files of one run (and
 * later runs) compute each once. An entry is named by a hash of everything it could depend on: every file under
 * compiler/, models/ and test/support/, package-lock.json, and Node's version; any change to them misses the
 * cache, and entries of other sources are deleted when a new one is stored.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { ROOT } from './samples.ts';

const CACHE = join(ROOT, 'node_modules', '.cache', 'tinyedge', 'fixtures');
const SOURCES = ['compiler', 'models', 'test/support', 'package-lock.json'];

/** Adds every file under `path` (sorted, by relative name and content) to the hash. */
function hashTree(hash: ReturnType<typeof createHash>, path: string): void {
  if (statSync(join(ROOT, path)).isDirectory()) {
    for (const entry of readdirSync(join(ROOT, path)).sort()) hashTree(hash, `${path}/${entry}`);
    return;
  }
  hash
    .update(`${path}\0`)
    .update(readFileSync(join(ROOT, path)))
    .update('\0');
}

let sourcesKey: string | undefined;

/** The hash of the sources a fixture may depend on, computed once per process. */
function sourcesHash(): string {
  if (sourcesKey) return sourcesKey;
  const hash = createHash('sha256').update(`${process.version} ${process.arch}\0`);
  for (const path of SOURCES) hashTree(hash, path);
  sourcesKey = hash.digest('hex').slice(0, 16);
  return sourcesKey;
}

/** The serialized value of `name` for the current sources: read from disk, or made by `make` and stored (atomically, so parallel test files never read half an entry). */
async function storedBytes(name: string, make: () => Promise<unknown>): Promise<Buffer> {
  const prefix = `${sourcesHash()}-`;
  const file = join(CACHE, `${prefix}${createHash('sha256').update(name).digest('hex').slice(0, 16)}.v8`);
  try {
    return readFileSync(file);
  } catch {
    // Not there yet: made below.
  }
  const bytes = serialize(await make());
  mkdirSync(CACHE, { recursive: true });
  for (const old of readdirSync(CACHE)) if (!old.startsWith(prefix)) rmSync(join(CACHE, old), { force: true });
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, bytes);
  renameSync(partial, file);
  return bytes;
}

const inProcess = new Map<string, Promise<Buffer>>();

/**
 * The fixture named `name` (which must spell out every argument `make` uses), made once for the current sources.
 * Each call returns a fresh copy (a structured clone: Maps, typed arrays and plain objects), so a test that changes
 * its fixture never changes another's.
 */
export async function cachedFixture<T>(name: string, make: () => Promise<T>): Promise<T> {
  let bytes = inProcess.get(name);
  if (!bytes) {
    bytes = storedBytes(name, make);
    inProcess.set(name, bytes);
  }
  return deserialize(await bytes) as T;
}
