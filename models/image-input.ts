/** @fileoverview Turns a photo into a model's NHWC f32 input: sharp decodes and resizes, then pixel·scale + offset. */
import sharp from 'sharp';
import { TinyedgeError } from '../compiler/errors.ts';
import { formatShape } from '../compiler/ir/tensor.ts';
import { ImagePreprocessing } from './registry.ts';

/**
 * Decodes `file` (PNG, JPEG, WebP, …) and resizes it to the input's height×width, stretching like nsfwjs does
 * (no crop), with sharp's default Lanczos filter; 1 channel means greyscale, 3 RGB.
 */
export async function imageToInput(file: string, shape: readonly number[], pre: ImagePreprocessing): Promise<Float32Array> {
  if (shape.length !== 4 || shape[0] !== 1 || (shape[3] !== 3 && shape[3] !== 1)) {
    throw new TinyedgeError(`--image needs an input of shape 1×H×W×3 or 1×H×W×1, the model's is ${formatShape(shape)}; use --input FILE.f32`, { file });
  }
  const [, h, w, c] = shape;
  let pixels: Buffer;
  try {
    let img = sharp(file, { failOn: 'error' }).rotate().removeAlpha();
    img = c === 1 ? img.greyscale() : img.toColourspace('srgb');
    pixels = await img.resize(w, h, { fit: 'fill' }).raw().toBuffer();
  } catch (e) {
    throw new TinyedgeError(`cannot decode image: ${(e as Error).message}`, { file });
  }
  if (pixels.length !== h * w * c) throw new TinyedgeError(`decoded ${pixels.length} bytes, expected ${h * w * c}`, { file });
  return Float32Array.from(pixels, (p) => p * pre.scale + pre.offset);
}
