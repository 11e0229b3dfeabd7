/**
 * @fileoverview kernels/ref's pad, which copies a run at a time, on the host against the int8 reference: padding on
 * every axis (the last one too, the row-by-row path) and padding that leaves the last axis alone (one run per row of
 * pixels). The shared kernel cases pad height and width only.
 */
import { describe } from 'vitest';
import { GraphBuilder } from '../../compiler/ir/graph.ts';
import type { KernelCase } from '../support/kernel-case.ts';
import { describeKernelCasesOn } from '../support/kernel-cases.ts';

/** A pad of a 2×3×4×5 input by `pads` (before, after per axis) with the quantized zero. */
function padCase(pads: [number, number][], seed: number): KernelCase {
  return {
    name: `pad ${pads.map(([b, a]) => `${b}+${a}`).join(', ')}`,
    graph: () => {
      const b = new GraphBuilder('test');
      b.input('x', [2, 3, 4, 5]);
      b.graph.outputs.push(b.node('pad', 'pad', ['x'], { pads, value: 0 }));
      return b.graph;
    },
    seed,
  };
}

describe('pad', () => {
  describeKernelCasesOn(['host'], 'ref pad (%s) equals the int8 reference', [
    padCase(
      [
        [1, 0],
        [0, 2],
        [1, 1],
        [2, 1],
      ],
      1501,
    ),
    padCase(
      [
        [0, 0],
        [1, 2],
        [2, 1],
        [0, 0],
      ],
      1502,
    ),
  ]);
});
