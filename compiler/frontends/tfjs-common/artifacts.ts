/** @fileoverview TF.js model artifacts as read from disk or a package: model.json's content plus the weight shard bytes. */
import { readFileSync, type Stats, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TinyedgeError } from '../../errors.ts';

/** One entry of model.json's weightsManifest[].weights. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min?: number; scale?: number; original_dtype?: string };
}

/** A weight group: its shard files in order and the weights packed in them. */
export interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** The parts of a TF.js model.json that tinyedge reads. */
export interface ModelJson {
  format?: string;
  modelTopology: unknown;
  weightsManifest: WeightGroup[];
}

/** A shard's bytes with the file they came from (for error messages). */
export interface Shard {
  file: string;
  bytes: Uint8Array;
}

/** model.json plus, for each weight group, its shards in order. */
export interface TfjsArtifacts {
  file: string;
  json: ModelJson;
  shards: Shard[][];
}

function cannotRead(e: unknown, what: string, file: string): TinyedgeError {
  const code = (e as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'is a directory'
        : code === 'EACCES'
          ? 'permission denied'
          : String((e as Error).message);
  return new TinyedgeError('TE101', `cannot read ${what}: ${reason}`, { file });
}

/**
 * The size of a regular file, without reading it. A device or pipe (`/dev/zero`, a FIFO) is refused before any read:
 * its size is unknown, and reading one could go on without end.
 */
export function userFileSize(file: string, what: string): number {
  let stats: Stats;
  try {
    stats = statSync(file);
  } catch (e) {
    throw cannotRead(e, what, file);
  }
  if (stats.isDirectory()) throw new TinyedgeError('TE101', `cannot read ${what}: is a directory`, { file });
  if (!stats.isFile())
    throw new TinyedgeError(
      'TE101',
      `cannot read ${what}: not a regular file (a device, pipe or socket has no size to check)`,
      { file },
    );
  return stats.size;
}

/** Reads a regular file, turning a missing, unreadable or non-regular file into a TinyedgeError naming it. */
export function readUserFile(file: string, what: string): Buffer {
  userFileSize(file, what);
  try {
    return readFileSync(file);
  } catch (e) {
    throw cannotRead(e, what, file);
  }
}

/** Checks that a parsed object has the shape of a TF.js model.json. */
export function checkModelJson(value: unknown, file: string): ModelJson {
  const fail = (what: string): never => {
    throw new TinyedgeError('TE104', `not a TF.js model.json: ${what}`, { file });
  };
  if (typeof value !== 'object' || value === null) fail('the top level is not an object');
  const v = value as Record<string, unknown>;
  if (typeof v.modelTopology !== 'object' || v.modelTopology === null) fail("no 'modelTopology' object");
  if (!Array.isArray(v.weightsManifest)) fail("no 'weightsManifest' array");
  (v.weightsManifest as unknown[]).forEach((g, gi) => {
    const group = g as Record<string, unknown>;
    if (!Array.isArray(group?.paths) || !group.paths.every((p) => typeof p === 'string'))
      fail(`weightsManifest[${gi}].paths is not a list of file names`);
    if (!Array.isArray(group.weights)) fail(`weightsManifest[${gi}].weights is not a list`);
    (group.weights as unknown[]).forEach((w, wi) => {
      const spec = w as Record<string, unknown>;
      if (typeof spec?.name !== 'string' || !Array.isArray(spec.shape) || typeof spec.dtype !== 'string') {
        fail(`weightsManifest[${gi}].weights[${wi}] lacks a name, shape or dtype`);
      }
    });
  });
  return v as unknown as ModelJson;
}

/** Reads model.json and its weight shards (the manifest's paths, relative to model.json). */
export function readTfjsModelFiles(file: string): TfjsArtifacts {
  const text = readUserFile(file, 'model').toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new TinyedgeError('TE104', `malformed JSON: ${(e as Error).message}`, { file });
  }
  const json = checkModelJson(parsed, file);
  const dir = dirname(file);
  const shards = json.weightsManifest.map((group) =>
    group.paths.map((p) => {
      const shardFile = join(dir, p);
      return { file: shardFile, bytes: new Uint8Array(readUserFile(shardFile, `weight shard listed in ${file}`)) };
    }),
  );
  return { file, json, shards };
}

/** The shards' bytes back to back, as one buffer (the form TF.js decodes). */
export function concatShards(shards: readonly Shard[]): ArrayBuffer {
  const total = shards.reduce((n, s) => n + s.bytes.length, 0);
  const bytes = new Uint8Array(total);
  let o = 0;
  for (const s of shards) {
    bytes.set(s.bytes, o);
    o += s.bytes.length;
  }
  return bytes.buffer;
}
