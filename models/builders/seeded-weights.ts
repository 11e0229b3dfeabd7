/**
 * @fileoverview The seeded weights of the builders: uniform weights of variance gain/fan-in (He-style with gain 2
 * before ReLU6) and small biases, drawn from one mulberry32 stream in build order, so a builder makes the same model
 * on every machine.
 */
import type { GraphBuilder } from '../../compiler/ir/graph.ts';
import { mulberry32 } from './mulberry32.ts';

export class SeededWeights {
  private readonly next: () => number;
  private count = 0;

  constructor(
    private readonly b: GraphBuilder,
    seed: number,
  ) {
    this.next = mulberry32(seed);
  }

  /** Weights of `shape` (named w0, w1, …) with variance gain/fanIn, and `outC` biases biasCenter ± 0.05; returns [weights, bias]. */
  layer(shape: number[], outC: number, fanIn: number, gain = 1, biasCenter = 0): [string, string] {
    const a = Math.sqrt((3 * gain) / fanIn);
    const w = this.b.constant(
      `w${this.count++}`,
      shape,
      Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => (2 * this.next() - 1) * a),
    );
    const bias = this.b.constant(
      `b${this.count++}`,
      [outC],
      Float32Array.from({ length: outC }, () => biasCenter + (2 * this.next() - 1) * 0.05),
    );
    return [w, bias];
  }
}
