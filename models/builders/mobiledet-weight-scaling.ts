/**
 * @fileoverview Seeded weights scaled so activations stay in range without batch norm: one forward sweep over a
 * probe input, layer by layer, scales each conv's weights so its output (without bias and activation) has the RMS
 * the builder asked for (layer-sequential unit variance, Mishkin & Matas 2016: what a folded batch norm's
 * statistics would do). Scales are found on a small probe graph and applied by weight name to the real one, so a
 * detector's weights are the same at every input size.
 */

import { NO_CLAMP } from '../../compiler/ir/attrs.ts';
import { type Graph, type Node, tensorOf } from '../../compiler/ir/graph.ts';
import { runNodeF32 } from '../../compiler/reference/f32/interpreter.ts';

function rms(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / x.length);
}

/**
 * Scales in place the weights of `g` named in `targetRms` (conv and depthwise filters), in node order, so each
 * layer's output RMS on `probe` (the graph's only input) is its target; returns the factor used for each weight.
 */
export function scaleWeightsOnProbe(
  g: Graph,
  targetRms: ReadonlyMap<string, number>,
  probe: Float32Array,
): Map<string, number> {
  const values = new Map<string, Float32Array>([[g.inputs[0]!, probe]]);
  const valueNamed = (name: string) => values.get(name) ?? (tensorOf(g, name).data as Float32Array);
  const factors = new Map<string, number>();
  for (const node of g.nodes) {
    const weights = node.inputs[1]!;
    const target = weights === undefined ? undefined : targetRms.get(weights);
    if (target !== undefined && (node.op === 'conv2d' || node.op === 'depthwise_conv2d')) {
      // The layer's weights alone: no bias, no clamp; its real output is then that, scaled, plus bias, clamped.
      const bare = { ...node, inputs: node.inputs.slice(0, 2), attrs: { ...node.attrs, clamp: NO_CLAMP } } as Node;
      const y = runNodeF32(g, bare, bare.inputs.map(valueNamed));
      const r = rms(y);
      const factor = r > 0 ? target / r : 1;
      const w = tensorOf(g, weights).data as Float32Array;
      for (let i = 0; i < w.length; i++) w[i]! *= factor;
      factors.set(weights, factor);
      const bias = node.inputs[2] === undefined ? undefined : valueNamed(node.inputs[2]);
      const { min, max } = node.attrs.clamp;
      for (let i = 0; i < y.length; i++) {
        const v = y[i]! * factor + (bias ? bias[i % bias.length]! : 0);
        y[i] = Math.min(Math.max(v, min ?? -Infinity), max ?? Infinity);
      }
      values.set(node.outputs[0]!, y);
    } else values.set(node.outputs[0]!, runNodeF32(g, node, node.inputs.map(valueNamed)));
  }
  return factors;
}

/** Multiplies each named weight tensor of `g` by its factor (from scaleWeightsOnProbe on a graph with the same weights). */
export function applyWeightFactors(g: Graph, factors: ReadonlyMap<string, number>): void {
  for (const [name, factor] of factors) {
    const w = tensorOf(g, name).data as Float32Array;
    for (let i = 0; i < w.length; i++) w[i]! *= factor;
  }
}
