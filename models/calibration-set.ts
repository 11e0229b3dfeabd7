/**
 * @fileoverview The calibration and evaluation images: user photos, each also seen through seeded augmentations
 * (a crop of 60–100% of each side, a horizontal flip half of the time, brightness ×0.75–1.25), so a handful of
 * photos stands for the variety a deployed model meets. The same seed always gives the same set.
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { TinyedgeError } from '../compiler/errors.ts';
import { type Augmentation, imageToInput } from './image-input.ts';
import type { ImagePreprocessing } from './registry.ts';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.bmp', '.tif', '.tiff', '.gif']);

/** The image files named by the user: files as given, directories scanned (not recursively) for images. */
export function imageFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      throw new TinyedgeError('TE207', 'cannot read calibration data: no such file or directory', { file: p });
    }
    if (!isDir) {
      files.push(p);
      continue;
    }
    const found = readdirSync(p)
      .filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase()))
      .sort()
      .map((f) => join(p, f));
    if (found.length === 0)
      throw new TinyedgeError('TE207', `calibration folder has no images (${[...IMAGE_EXTENSIONS].join(' ')})`, {
        file: p,
      });
    files.push(...found);
  }
  if (files.length === 0) throw new TinyedgeError('TE207', 'no calibration images given');
  return files;
}

/** Seeded uniform numbers in [0, 1) (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` seeded augmentations. */
export function augmentations(count: number, seed: number): Augmentation[] {
  const next = seeded(seed);
  return Array.from({ length: count }, () => {
    const width = 0.6 + 0.4 * next();
    const height = 0.6 + 0.4 * next();
    return {
      width,
      height,
      left: (1 - width) * next(),
      top: (1 - height) * next(),
      flip: next() < 0.5,
      brightness: 0.75 + 0.5 * next(),
    };
  });
}

/** One entry of an image set: where it came from and the model input. */
export interface SetImage {
  file: string;
  augmentation?: Augmentation;
  input: Float32Array;
}

/** Each photo as it is, plus `perPhoto` seeded augmentations of it, as model inputs. */
export async function imageSet(
  files: readonly string[],
  shape: readonly number[],
  pre: ImagePreprocessing,
  perPhoto: number,
  seed = 1,
  onImage?: () => void,
): Promise<SetImage[]> {
  const out: SetImage[] = [];
  for (const [i, file] of files.entries()) {
    out.push({ file, input: await imageToInput(file, shape, pre) });
    onImage?.();
    for (const augmentation of augmentations(perPhoto, seed * 7919 + i)) {
      out.push({ file, augmentation, input: await imageToInput(file, shape, pre, augmentation) });
      onImage?.();
    }
  }
  return out;
}
