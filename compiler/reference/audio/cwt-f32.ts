/**
 * @fileoverview The float CWT: the same Morlet kernels, columns and averaging as the fixed-point one (see
 * cwt-kernels.ts) in double precision, on x = PCM/32768. It feeds float models and calibration, and is what the
 * fixed-point front end approximates (its column sum M is about 2^16 × this feature).
 */
import { type CwtConfig, cwtSteps, morletKernels } from '../../audio/cwt-kernels.ts';

/** The scalogram [rows, columns] (row-major, the model's NHWC input with H = rows, W = columns, C = 1). */
export function scalogramF32(c: CwtConfig, pcm: Int16Array): Float32Array {
  if (pcm.length !== c.samples) throw new Error(`internal: the CWT takes ${c.samples} samples, got ${pcm.length}`);
  const { hop, step } = cwtSteps(c);
  const out = new Float32Array(c.rows * c.columns);
  morletKernels(c).forEach(({ half: h, re, im }, r) => {
    for (let col = 0; col < c.columns; col++) {
      let sum = 0;
      for (let p = 0; p < c.subsamples; p++) {
        const n = col * hop + p * step + (step >> 1);
        let a = 0;
        let b = 0;
        for (let k = Math.max(-h, -n); k <= Math.min(h, c.samples - 1 - n); k++) {
          const x = pcm[n + k]! / 32768;
          a += x * re[h + k]!;
          b += x * im[h + k]!;
        }
        sum += Math.hypot(a, b);
      }
      out[r * c.columns + col] = sum / c.subsamples;
    }
  });
  return out;
}
