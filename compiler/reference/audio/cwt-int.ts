/**
 * @fileoverview The fixed-point CWT (the design is in cwt-kernels.ts): int16 PCM → integer scalogram → the model's
 * int8 input. The definition the C runtime (runtime/c/audio/cwt.c) and the AssemblyScript module
 * (runtime/wasm/assembly/cwt.ts) must equal bit for bit. JS numbers hold every intermediate exactly: accumulators
 * stay within ±2^30 and re² + im² within 2^31.
 */
import { clampInt, multiplyByQuantizedMultiplier } from '../../arith/fixed-point.ts';
import type { CwtRequantize } from '../../audio/cwt-front-end.ts';
import { type CwtTables, cwtSteps } from '../../audio/cwt-kernels.ts';

/** floor(sqrt(v)) for 0 ≤ v < 2^52: the double square root is correctly rounded, so its floor is exact there. */
function isqrt(v: number): number {
  return Math.floor(Math.sqrt(v));
}

/** The column sums M[r·columns + t] of the integer scalogram of `pcm` (exactly `samples` int16 values). */
export function scalogramInt(t: CwtTables, pcm: Int16Array): Int32Array {
  const c = t.config;
  if (pcm.length !== c.samples) throw new Error(`internal: the CWT takes ${c.samples} samples, got ${pcm.length}`);
  const { hop, step } = cwtSteps(c);
  const out = new Int32Array(c.rows * c.columns);
  for (let r = 0; r < c.rows; r++) {
    const h = t.halves[r]!;
    const re = t.offsets[r]!;
    const im = re + 2 * h + 1;
    for (let col = 0; col < c.columns; col++) {
      let sum = 0;
      for (let p = 0; p < c.subsamples; p++) {
        const n = col * hop + p * step + (step >> 1);
        // Taps whose sample lies outside the clip meet zeros: the loop skips them.
        const k0 = Math.max(-h, -n);
        const k1 = Math.min(h, c.samples - 1 - n);
        let accRe = 0;
        let accIm = 0;
        for (let k = k0; k <= k1; k++) {
          const x = pcm[n + k]!;
          accRe += x * t.taps[re + h + k]!;
          accIm += x * t.taps[im + h + k]!;
        }
        const a = (accRe + 16384) >> 15;
        const b = (accIm + 16384) >> 15;
        sum += isqrt(a * a + b * b);
      }
      out[r * c.columns + col] = sum;
    }
  }
  return out;
}

/** Column sums to the model's int8 input. */
export function quantizeScalogram(sums: Int32Array, q: CwtRequantize): Int8Array {
  return Int8Array.from(sums, (m) =>
    clampInt(multiplyByQuantizedMultiplier(m, q.multiplier, q.shift) + q.zeroPoint, -128, 127),
  );
}

/** The whole fixed-point front end: PCM in, the model's int8 input out. */
export function cwtInt8(t: CwtTables, pcm: Int16Array, q: CwtRequantize): Int8Array {
  return quantizeScalogram(scalogramInt(t, pcm), q);
}
