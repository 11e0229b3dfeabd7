// Photo pixels to a model's int8 input in browsers (no sharp there), byte for byte what
// compiler/reference/image/image-to-int8.ts computes: bilinear resize with half-pixel centers and 11-bit fixed-point
// weights rounded to 8-bit pixels, then the compiler's 256-entry pixel → int8 table. Integer arithmetic only.
// The caller (runtime/wasm/image-preprocess.js) lays out pixels, table, output and two tap tables above heap_base().

const BITS: i32 = 11;
const ONE: i32 = 1 << BITS;

/** Where the caller may start laying out data. */
export function heap_base(): usize {
  return (__heap_base + 15) & ~15;
}

/** First source tap (i32) and second tap's weight (i32) of each of `dst` positions, at `first` and `weight`. */
function taps(src: i32, dst: i32, first: usize, weight: usize): void {
  for (let i: i32 = 0; i < dst; i++) {
    let at = <i32>((<i64>(2 * i + 1) * <i64>src * <i64>ONE) / <i64>(2 * dst)) - ONE / 2;
    if (at < 0) at = 0;
    let x0 = at >> BITS;
    let w = at & (ONE - 1);
    if (x0 >= src - 1) {
      x0 = src - 1;
      w = 0;
    }
    store<i32>(first + <usize>(4 * i), x0);
    store<i32>(weight + <usize>(4 * i), w);
  }
}

/**
 * `channels` (3: RGB, 4: RGBA) pixels of width × height at `pixels` → outWidth × outHeight × 3 int8 at `out`, through
 * the table at `table`; `scratch` holds 4·(2·outWidth + 2·outHeight) bytes.
 */
export function preprocess(pixels: usize, width: i32, height: i32, channels: i32, out: usize, outWidth: i32, outHeight: i32, table: usize, scratch: usize): void {
  const xFirst = scratch;
  const xWeight = xFirst + <usize>(4 * outWidth);
  const yFirst = xWeight + <usize>(4 * outWidth);
  const yWeight = yFirst + <usize>(4 * outHeight);
  taps(width, outWidth, xFirst, xWeight);
  taps(height, outHeight, yFirst, yWeight);
  for (let y: i32 = 0; y < outHeight; y++) {
    const y0 = load<i32>(yFirst + <usize>(4 * y));
    const row0 = y0 * width;
    const row1 = min(y0 + 1, height - 1) * width;
    const fy = load<i32>(yWeight + <usize>(4 * y));
    for (let x: i32 = 0; x < outWidth; x++) {
      const x0 = load<i32>(xFirst + <usize>(4 * x));
      const x1 = min(x0 + 1, width - 1);
      const fx = load<i32>(xWeight + <usize>(4 * x));
      const w00 = (ONE - fx) * (ONE - fy);
      const w01 = fx * (ONE - fy);
      const w10 = (ONE - fx) * fy;
      const w11 = fx * fy;
      const p00 = pixels + <usize>((row0 + x0) * channels);
      const p01 = pixels + <usize>((row0 + x1) * channels);
      const p10 = pixels + <usize>((row1 + x0) * channels);
      const p11 = pixels + <usize>((row1 + x1) * channels);
      const o = out + <usize>((y * outWidth + x) * 3);
      for (let c: i32 = 0; c < 3; c++) {
        const v = <i32>load<u8>(p00 + <usize>c) * w00 + <i32>load<u8>(p01 + <usize>c) * w01 + <i32>load<u8>(p10 + <usize>c) * w10 + <i32>load<u8>(p11 + <usize>c) * w11;
        store<i8>(o + <usize>c, load<i8>(table + <usize>((v + (1 << (2 * BITS - 1))) >> (2 * BITS))));
      }
    }
  }
}
