/**
 * @fileoverview What a kernel case is (a named f32 graph, the seed of its inputs, its activation types), and how
 * every backend's test turns one into a quantized graph, inputs and the integer reference's outputs.
 */

import type { Clamp } from '../../compiler/ir/attrs.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import { verifyGraph } from '../../compiler/ir/verify.ts';
import { calibrate } from '../../compiler/quantize/calibrate.ts';
import type { PrecisionPlan } from '../../compiler/quantize/precision-plan.ts';
import { type ActivationType, quantizeForTensor } from '../../compiler/quantize/prepare/quant-params.ts';
import { quantizeGraph } from '../../compiler/quantize/quantize-graph.ts';
import type { Activations } from '../../compiler/reference/integer/conv.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { seededUniform } from './seeded.ts';

export const RELU6: Clamp = { min: 0, max: 6 };
export const RELU: Clamp = { min: 0, max: null };

/**
 * Quantizes with ranges from seeded inputs, widening clamped outputs so the fused clamp is narrower than the int8
 * range (the kernels' act_min/act_max then really clip); returns the quantized graph (int8, 16×8, or per layer as a
 * plan says) and three inputs of its input's type.
 */
export function quantizeCase(
  g: Graph,
  seed: number,
  outputRange?: { min: number; max: number },
  activations: ActivationType | PrecisionPlan = 'int8',
): { q: Graph; inputs: Activations[] } {
  verifyGraph(g);
  const shape = tensorOf(g, g.inputs[0]!).shape;
  const inputs = [0, 1, 2].map((k) => seededUniform(seed * 10 + k, sizeOf(shape), -2, 2));
  const ranges = calibrate(g, inputs, 'minmax');
  for (const n of g.nodes) {
    const clamp = (n.attrs as { clamp?: Clamp }).clamp;
    const r = ranges.get(n.outputs[0]!);
    if (clamp && (clamp.min !== null || clamp.max !== null) && r)
      ranges.set(n.outputs[0]!, { min: r.min - 3, max: r.max + 7 });
  }
  if (outputRange) ranges.set(g.outputs[0]!, outputRange);
  const q = quantizeGraph(g, ranges, activations);
  const input = tensorOf(q, q.inputs[0]!);
  return { q, inputs: inputs.map((x) => quantizeForTensor(x, input)) };
}

/** The reference output of each input. */
export function referenceOutputs(q: Graph, inputs: Activations[]): Activations[] {
  return inputs.map((x) => runInteger(q, { [q.inputs[0]!]: x }).get(q.outputs[0]!) as Activations);
}

/** One kernel case: a name for the test title, the f32 graph, and the seed of its inputs. */
export interface KernelCase {
  name: string;
  graph: () => Graph;
  seed: number;
  /** Forces the output's calibrated range (for requantization multipliers above one). */
  outputRange?: { min: number; max: number };
  /**
   * int16 for the 16×8 form of the case (int16 activations, int8 weights, int64 biases); int8 by default; or a
   * per-layer plan (test/support/mixed-precision-graph.ts).
   */
  activations?: ActivationType | PrecisionPlan;
  /**
   * A tile boundary of the ISA folders' int8 kernels only, with no 16×8 form: the 16×8 kernels are ref's loops,
   * which these shapes do not stress, and over K ≥ 50 taps int8 weights alone keep 16×8 above the 1% error that
   * test/quantize/int16-reference.test.ts holds the 16×8 cases to.
   */
  int8Only?: boolean;
  /** The MAC filters narrowed to int4 after quantization (tools/bench/int4-weights.ts). */
  int4Weights?: boolean;
}
