/**
 * @fileoverview Loader for the nsfwjs models shipped inside the `nsfwjs` npm package (never fetched): each model is
 * a folder of JS modules, `model.min.js` exporting the model.json object and `group1-shardXofN.min.js` each a
 * base64 string of one weight shard.
 */

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { TinyedgeError } from '../compiler/errors.ts';
import { checkModelJson, type TfjsArtifacts } from '../compiler/frontends/tfjs-common/artifacts.ts';

const require = createRequire(import.meta.url);

/** The nsfwjs package folder (its `exports` hide dist/models, so the path is found from the main entry). */
function packageDir(): string {
  let dir: string;
  try {
    dir = dirname(require.resolve('nsfwjs'));
  } catch {
    throw new TinyedgeError('TE901', "the 'nsfwjs' package is not installed (run npm ci)", { file: 'nsfwjs' });
  }
  while (!existsSync(join(dir, 'dist', 'models'))) {
    const up = dirname(dir);
    if (up === dir)
      throw new TinyedgeError('TE901', 'cannot find dist/models inside the nsfwjs package', { file: 'nsfwjs' });
    dir = up;
  }
  return dir;
}

function loadModule(file: string, what: string): unknown {
  if (!existsSync(file)) throw new TinyedgeError('TE101', `cannot read ${what}: no such file`, { file });
  return require(file) as unknown;
}

/** Reads one nsfwjs model folder ('mobilenet_v2', 'mobilenet_v2_mid') as TF.js artifacts. */
export function readNsfwjsModel(name: string): TfjsArtifacts {
  const dir = join(packageDir(), 'dist', 'models', name);
  const file = join(dir, 'model.min.js');
  const json = checkModelJson(loadModule(file, 'model'), file);
  const shards = json.weightsManifest.map((group) =>
    group.paths.map((p) => {
      const shardFile = join(dir, `${p}.min.js`);
      const text = loadModule(shardFile, 'weight shard');
      if (typeof text !== 'string')
        throw new TinyedgeError('TE901', 'weight shard module does not export a base64 string', { file: shardFile });
      return { file: shardFile, bytes: new Uint8Array(Buffer.from(text, 'base64')) };
    }),
  );
  return { file, json, shards };
}

/** The class names of the nsfwjs models, read from the package itself (dist/cjs/nsfw_classes.js). */
export function nsfwjsLabels(): string[] {
  const file = join(packageDir(), 'dist', 'cjs', 'nsfw_classes.js');
  const mod = loadModule(file, 'class names') as { NSFW_CLASSES?: Record<number, string> };
  const classes = mod.NSFW_CLASSES;
  if (!classes) throw new TinyedgeError('TE901', 'no NSFW_CLASSES export', { file });
  return Object.keys(classes)
    .map(Number)
    .sort((a, b) => a - b)
    .map((k) => classes[k]!);
}
