/** @fileoverview Turns a photo into a model's NHWC f32 input: sharp decodes and resizes, then pixel·scale + offset. */
import sharp, { type Sharp } from 'sharp';
import { TinyedgeError } from '../compiler/errors.ts';
import { formatShape } from '../compiler/ir/tensor.ts';
import type { ImagePreprocessing } from './registry.ts';

/** A crop (fractions of the image), an optional horizontal flip and a brightness factor. */
export interface Augmentation {
  left: number;
  top: number;
  width: number;
  height: number;
  flip: boolean;
  brightness: number;
}

async function applyAugmentation(img: Sharp, a: Augmentation): Promise<Sharp> {
  // Materialize first so the crop applies to the decoded (and EXIF-rotated) pixels.
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  const base = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
  const width = Math.max(1, Math.round(a.width * info.width));
  const height = Math.max(1, Math.round(a.height * info.height));
  const left = Math.min(info.width - width, Math.round(a.left * info.width));
  const top = Math.min(info.height - height, Math.round(a.top * info.height));
  let out = base.extract({ left, top, width, height }).modulate({ brightness: a.brightness });
  if (a.flip) out = out.flop();
  return sharp(await out.raw().toBuffer(), { raw: { width, height, channels: info.channels } });
}

/**
 * Decodes `file` (PNG, JPEG, WebP, …) and resizes it to the input's height×width, stretching like nsfwjs does
 * (no crop), with sharp's default Lanczos filter; 1 channel means greyscale, 3 RGB.
 */
export async function imageToInput(
  file: string,
  shape: readonly number[],
  pre: ImagePreprocessing,
  augment?: Augmentation,
): Promise<Float32Array> {
  if (shape.length !== 4 || shape[0] !== 1 || (shape[3] !== 3 && shape[3] !== 1)) {
    throw new TinyedgeError(
      'TE604',
      `--image needs an input of shape 1×H×W×3 or 1×H×W×1, the model's is ${formatShape(shape)}; use --input FILE.f32`,
      { file },
    );
  }
  const [, h, w, c] = shape;
  let pixels: Buffer;
  try {
    let img = sharp(file, { failOn: 'error' }).rotate().removeAlpha();
    if (augment) img = await applyAugmentation(img, augment);
    img = c === 1 ? img.greyscale() : img.toColourspace('srgb');
    pixels = await img.resize(w, h, { fit: 'fill' }).raw().toBuffer();
  } catch (e) {
    throw new TinyedgeError('TE604', `cannot decode image: ${(e as Error).message}`, { file });
  }
  if (pixels.length !== h! * w! * c)
    throw new TinyedgeError('TE604', `decoded ${pixels.length} bytes, expected ${h! * w! * c}`, { file });
  return Float32Array.from(pixels, (p) => p * pre.scale + pre.offset);
}
