/**
 * @fileoverview One inference with a reference interpreter: f32 for a float model, the integer one for a quantized
 * model. The interpreters are the oracle every backend and target is checked against bit for bit.
 */

import type { LoadedModel } from '../../models/registry.ts';
import { INDEX_OPS, tensorOf } from '../ir/graph.ts';
import { modelStats, peakActivationBytes } from '../ir/stats.ts';
import type { Quantization } from '../ir/tensor.ts';
import { dequantizeArray } from '../quantize/prepare/quant-params.ts';
import { runF32 } from '../reference/f32/interpreter.ts';
import type { Activations } from '../reference/integer/conv.ts';
import { runInteger } from '../reference/integer/interpreter.ts';
import { outputsOf, type PredictionOutput, type PredictionResult, topK } from '../run/prediction.ts';

/** Progress of an inference: called after each node. */
export interface PredictOptions {
  onNode?: () => void;
}

/** Runs the model's reference interpreter on `x` (Float32Array for a float model; Int8Array or Int16Array, as quantized, for an int8 or 16×8 one); every output is returned, `top` ranks output 0. */
export function predict(
  model: LoadedModel,
  x: Float32Array | Activations,
  options: PredictOptions = {},
): PredictionResult {
  const g = model.graph;
  const started = performance.now();
  const feeds = { [g.inputs[0]!]: x };
  const values = model.quantized
    ? runInteger(g, feeds as Record<string, Activations>, options)
    : runF32(g, feeds as Record<string, Float32Array>, options);
  const latencyMs = performance.now() - started;
  const outputs = g.outputs.map((name): PredictionOutput => {
    const t = tensorOf(g, name);
    const data = Array.from(values.get(name) as Float32Array | Activations);
    if (!model.quantized) return { name, shape: t.shape, dtype: 'f32', scale: null, zeroPoint: null, data };
    const q = t.quant as Quantization;
    return { name, shape: t.shape, dtype: t.dtype, scale: q.scale[0]!, zeroPoint: q.zeroPoint[0]!, data };
  });
  const first = outputs[0]!;
  const y = values.get(first.name) as Float32Array | Activations;
  const scores = model.quantized ? dequantizeArray(y as Activations, tensorOf(g, first.name).quant as Quantization) : y;
  // Indices (an ArgMax output, int32 once quantized) are classes already: nothing to rank.
  const indices = g.nodes.some((n) => INDEX_OPS.has(n.op) && n.outputs[0] === first.name);
  return {
    ...outputsOf(outputs),
    top: indices ? [] : topK(scores, model.labels),
    latencyMs: Number(latencyMs.toFixed(3)),
    memory: { arenaBytes: peakActivationBytes(g), weightBytes: modelStats(g).totals.weightBytes, codeBytes: null },
  };
}
