/** @fileoverview Seeded float weights for ONNX models built in tests, one seed per constant in order of creation. */
import type { OnnxGraphBuilder } from '../../compiler/exporters/onnx/onnx-builder.ts';
import { seededUniform } from './seeded.ts';

/** A maker of float constants of `b` with values uniform in [−scale, scale), seeded from `firstSeed` on. */
export function seededOnnxWeights(b: OnnxGraphBuilder, firstSeed = 1) {
  let seed = firstSeed;
  return (name: string, dims: number[], scale = 0.5): string =>
    b.constant(
      name,
      'float',
      dims,
      Array.from(
        seededUniform(
          seed++,
          dims.reduce((a, c) => a * c, 1),
          -scale,
          scale,
        ),
      ),
    );
}
