/**
 * @fileoverview Photo pixels to a model's int8 input in integer arithmetic only, the reference of the browser's
 * WebAssembly preprocessing (runtime/wasm/assembly/image-preprocess.ts), which equals it byte for byte: a bilinear
 * resize (half-pixel centers, 11-bit fixed-point weights, rounded to 8-bit pixels), then a 256-entry table from
 * pixel to int8 (pixel·scale + offset quantized with the input's scale and zero point, as predict quantizes).
 */
import { TinyedgeError } from '../../errors.ts';

/** Fraction bits of the resize weights: 255·2^22 plus rounding stays below 2^31. */
const BITS = 11;
const ONE = 1 << BITS;

/** Source position of each destination column (or row) in fixed point: first tap, and weight of the second. */
export function resizeTaps(src: number, dst: number): { first: Int32Array; weight: Int32Array } {
  const first = new Int32Array(dst);
  const weight = new Int32Array(dst);
  for (let i = 0; i < dst; i++) {
    // (i + 0.5)·src/dst − 0.5 in units of 2^-BITS, floored; the numerator stays below 2^52, so the division is exact.
    let at = Math.floor(((2 * i + 1) * src * ONE) / (2 * dst)) - ONE / 2;
    if (at < 0) at = 0;
    let x0 = at >> BITS;
    let w = at & (ONE - 1);
    if (x0 >= src - 1) {
      x0 = src - 1;
      w = 0;
    }
    first[i] = x0;
    weight[i] = w;
  }
  return { first, weight };
}

/**
 * RGBA (4 channels) or RGB (3) pixels of a width × height image, row-major, to the model's int8 RGB input of
 * outWidth × outHeight (NHWC), through `table` (pixelTable).
 */
export function imageToInt8(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: number,
  outWidth: number,
  outHeight: number,
  table: Int8Array,
): Int8Array {
  if (channels !== 3 && channels !== 4)
    throw new TinyedgeError('TE604', `image preprocessing takes RGB or RGBA pixels, got ${channels} channels`);
  if (pixels.length !== width * height * channels)
    throw new TinyedgeError(
      'TE604',
      `image of ${width}×${height}×${channels} needs ${width * height * channels} bytes, got ${pixels.length}`,
    );
  const xs = resizeTaps(width, outWidth);
  const ys = resizeTaps(height, outHeight);
  const out = new Int8Array(outWidth * outHeight * 3);
  for (let y = 0; y < outHeight; y++) {
    const row0 = ys.first[y]! * width;
    const row1 = Math.min(ys.first[y]! + 1, height - 1) * width;
    const fy = ys.weight[y]!;
    for (let x = 0; x < outWidth; x++) {
      const x0 = xs.first[x]!;
      const x1 = Math.min(x0 + 1, width - 1);
      const fx = xs.weight[x]!;
      const w00 = (ONE - fx) * (ONE - fy);
      const w01 = fx * (ONE - fy);
      const w10 = (ONE - fx) * fy;
      const w11 = fx * fy;
      for (let c = 0; c < 3; c++) {
        const v =
          pixels[(row0 + x0) * channels + c]! * w00 +
          pixels[(row0 + x1) * channels + c]! * w01 +
          pixels[(row1 + x0) * channels + c]! * w10 +
          pixels[(row1 + x1) * channels + c]! * w11;
        out[(y * outWidth + x) * 3 + c] = table[(v + (1 << (2 * BITS - 1))) >> (2 * BITS)]!;
      }
    }
  }
  return out;
}
