/**
 * @fileoverview Loader for the hand detector shipped inside the `@vladmandic/human` npm package (never fetched):
 * `models/handtrack.json` + `handtrack.bin`, a TF OD API SSD MobileNetV2-FPNLite 320×320 taking a uint8 image.
 */

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { TinyedgeError } from '../compiler/errors.ts';
import { readTfjsModelFiles, type TfjsArtifacts } from '../compiler/frontends/tfjs-common/artifacts.ts';
import { importTfjsGraph, type TfjsGraphOptions } from '../compiler/frontends/tfjs-graph/import.ts';
import type { Graph } from '../compiler/ir/graph.ts';

const require = createRequire(import.meta.url);

/** The detector's classes after the background, as human names them (src/hand/handtrack.ts, `classes`). */
export const HANDTRACK_LABELS = ['hand', 'fist', 'pinch', 'point', 'face', 'tip', 'pinchtip'];

/** Reads one model of the human package ('handtrack') as TF.js artifacts. */
export function readHumanModel(name: string): TfjsArtifacts {
  let dir: string;
  try {
    // The package's `exports` hide models/ and package.json: start from its main entry and walk up.
    dir = dirname(require.resolve('@vladmandic/human'));
  } catch {
    throw new TinyedgeError('TE901', "the '@vladmandic/human' package is not installed (run npm ci)", {
      file: '@vladmandic/human',
    });
  }
  while (!existsSync(join(dir, 'models'))) {
    const up = dirname(dir);
    if (up === dir)
      throw new TinyedgeError('TE901', 'cannot find models/ inside the @vladmandic/human package', {
        file: '@vladmandic/human',
      });
    dir = up;
  }
  return readTfjsModelFiles(join(dir, 'models', `${name}.json`));
}

/**
 * The hand detector as IR: the graph up to its raw box encodings and class predictions, with the post-processing
 * read from the graph and the class names added; with `outputs` the graph cut there, nothing more.
 */
export function importHandtrack(options: TfjsGraphOptions = {}): Graph {
  const g = importTfjsGraph(readHumanModel('handtrack'), options);
  if (g.detection) g.detection.labels = HANDTRACK_LABELS;
  return g;
}
