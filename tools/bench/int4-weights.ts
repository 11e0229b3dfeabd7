/**
 * @fileoverview Graphs with int4 weights (issue 24's convention) for the int4 bench and the kernel tests: a quantized
 * graph's conv2d and fully connected filters narrowed to [-7, 7] with `quant.bits = 4`, their per-channel scales
 * and int32 biases rescaled so each layer computes about the same real values (and its outputs still span their
 * range). Not a quantizer: it rounds int8 values, where a quantizer rounds the float weights.
 */
import { cloneGraph, type Graph, tensorOf } from '../../compiler/ir/graph.ts';

/** The weights narrow by 7/127: the int8 range's symmetric ±127 onto int4's ±7. */
const NARROW = 7 / 127;

/** A copy of the int8 graph `q` whose fully connected and conv2d filters hold int4 values (quant.bits 4). */
export function withInt4Weights(q: Graph): Graph {
  const g = cloneGraph(q);
  for (const node of g.nodes) {
    if (node.op !== 'conv2d' && node.op !== 'fully_connected') continue;
    const f = tensorOf(g, node.inputs[1]!);
    const quant = f.quant!;
    f.data = Int8Array.from(f.data as Int8Array, (v) => Math.max(-7, Math.min(7, Math.round(v * NARROW))));
    f.quant = { ...quant, scale: quant.scale.map((s) => s / NARROW), bits: 4 };
    const b = node.inputs[2] === undefined ? undefined : tensorOf(g, node.inputs[2]);
    if (b?.dtype === 'int32') {
      b.data = Int32Array.from(b.data as Int32Array, (v) => Math.round(v * NARROW));
      b.quant = { ...b.quant!, scale: b.quant!.scale.map((s) => s / NARROW) };
    }
  }
  return g;
}
