// The fixed-point CWT front end of audio models (FunnelNet) in AssemblyScript: int16 PCM → Morlet scalogram → the
// model's int8 input, bit-exact with compiler/reference/audio/cwt-int.ts and runtime/c/audio/cwt.c (the design is
// in compiler/audio/cwt-kernels.ts). The caller (runtime/wasm/tinyedge-cwt.js) places the tables, the
// clip and the output in this module's memory; nothing is allocated here.

// floor(sqrt(v)) for v ≤ 2^31: f64's square root is correctly rounded, so its floor is exact far beyond that.
function isqrt(v: u32): i32 {
  return <i32>Math.floor(Math.sqrt(<f64>v));
}

// TFLite's MultiplyByQuantizedMultiplier (double rounding), as runtime/c/kernels/internal/fixed_point.h's te_mbqm.
function mbqm(x: i32, m: i32, shift: i32): i32 {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  const ab: i64 = <i64>(x << left) * <i64>m;
  const high = <i32>((ab + (<i64>1 << 30)) >> 31);
  const mask = <i32>((<i64>1 << right) - 1);
  const threshold = (mask >> 1) + (high < 0 ? 1 : 0);
  return (high >> right) + ((high & mask) > threshold ? 1 : 0);
}

// Σ x[n+k]·c[k] over k in [k0, k1]: eight int16 products a step with i32x4.dot_i16x8_s, then the tail. Every partial
// sum is exact (|acc| ≤ 2^30), so the order does not change the result.
function dot(x: usize, c: usize, count: i32): i32 {
  let acc = i32x4.splat(0);
  let i = 0;
  for (; i + 8 <= count; i += 8) acc = i32x4.add(acc, i32x4.dot_i16x8_s(v128.load(x + (<usize>i << 1)), v128.load(c + (<usize>i << 1))));
  let sum = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
  for (; i < count; i++) sum += <i32>load<i16>(x + (<usize>i << 1)) * <i32>load<i16>(c + (<usize>i << 1));
  return sum;
}

/** Writes out[r·columns + t] (int8) for every scale r and column t of the clip at `pcm` (int16). */
export function cwt(
  pcm: usize, samples: i32, rows: i32, columns: i32, subsamples: i32, hop: i32, step: i32,
  offsets: usize, halves: usize, taps: usize, multiplier: i32, shift: i32, zeroPoint: i32, out: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const h = load<i32>(halves + (<usize>r << 2));
    const re = taps + (<usize>load<i32>(offsets + (<usize>r << 2)) << 1);
    const im = re + (<usize>(2 * h + 1) << 1);
    for (let t = 0; t < columns; t++) {
      let sum = 0;
      for (let p = 0; p < subsamples; p++) {
        const n = t * hop + p * step + (step >> 1);
        const k0 = -h > -n ? -h : -n;
        const k1 = h < samples - 1 - n ? h : samples - 1 - n;
        const x = pcm + (<usize>(n + k0) << 1);
        const a = (dot(x, re + (<usize>(h + k0) << 1), k1 - k0 + 1) + 16384) >> 15;
        const b = (dot(x, im + (<usize>(h + k0) << 1), k1 - k0 + 1) + 16384) >> 15;
        sum += isqrt(<u32>(a * a) + <u32>(b * b));
      }
      const q = mbqm(sum, multiplier, shift) + zeroPoint;
      store<i8>(out + <usize>(r * columns + t), <i8>(q < -128 ? -128 : q > 127 ? 127 : q));
    }
  }
}
