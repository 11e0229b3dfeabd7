/** @fileoverview Seeded pseudo-random inputs (mulberry32), so every run of a test feeds the same values. */
import { mulberry32 } from '../../models/builders/mulberry32.ts';

export { mulberry32 };

/** n uniform values in [lo, hi). */
export function seededUniform(seed: number, n: number, lo = 0, hi = 1): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * next());
}
