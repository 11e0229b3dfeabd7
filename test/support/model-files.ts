/** @fileoverview Writes the packaged nsfwjs models to disk as ordinary TF.js model.json + .bin shards, for on-disk loading tests. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readNsfwjsModel } from '../../models/nsfwjs.ts';

/** Writes `dir/model.json` and its shards; returns the model.json path. */
export function writeNsfwjsModelFiles(name: string, dir: string): string {
  const artifacts = readNsfwjsModel(name);
  mkdirSync(dir, { recursive: true });
  artifacts.shards.flat().forEach((s) => {
    writeFileSync(join(dir, basename(s.file, '.min.js')), s.bytes);
  });
  const file = join(dir, 'model.json');
  writeFileSync(file, JSON.stringify(artifacts.json));
  return file;
}
