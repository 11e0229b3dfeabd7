/** @fileoverview Pieces of the small seeded graphs the op tests build: 3×3 SAME convs with seeded weights, and NCHW data in tinyedge's NHWC order. */
import { NO_CLAMP } from '../../compiler/ir/attrs.ts';
import type { GraphBuilder } from '../../compiler/ir/graph.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import { mulberry32 } from './seeded.ts';

/** Seeded constants (uniform in [−1, 1)) and 3×3 stride-1 SAME convs without a clamp, added to `b`. */
export function seededConvs(b: GraphBuilder, seed: number) {
  const next = mulberry32(seed);
  const constant = (name: string, shape: number[]) =>
    b.constant(
      name,
      shape,
      Float32Array.from({ length: sizeOf(shape) }, () => 2 * next() - 1),
    );
  const conv = (x: string, name: string, inC: number, outC: number) =>
    b.node('conv2d', name, [x, constant(`${name}_w`, [outC, 3, 3, inC]), constant(`${name}_b`, [outC])], {
      strides: [1, 1],
      dilations: [1, 1],
      pads: [1, 1, 1, 1],
      clamp: NO_CLAMP,
    });
  return { constant, conv };
}

/** A batch-1 NCHW tensor's values in NHWC order (what tinyedge's importers take an ONNX model's input as). */
export function nhwcOfNchw(x: Float32Array, c: number, h: number, w: number): Float32Array {
  return Float32Array.from({ length: x.length }, (_, i) => x[(i % c) * h * w + Math.floor(i / c)]!);
}
