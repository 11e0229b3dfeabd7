/**
 * @fileoverview One inference with a reference interpreter: f32 for a float model, the integer one for a quantized
 * model. The interpreters are the oracle every backend and target is checked against bit for bit.
 */

import type { LoadedModel } from '../../models/registry.ts';
import { tensorOf } from '../ir/graph.ts';
import { modelStats, peakActivationBytes } from '../ir/stats.ts';
import type { Quantization } from '../ir/tensor.ts';
import { dequantizeArray } from '../quantize/prepare/quant-params.ts';
import { runF32 } from '../reference/f32/interpreter.ts';
import type { Activations } from '../reference/integer/conv.ts';
import { runInteger } from '../reference/integer/interpreter.ts';
import { type PredictionResult, topK } from '../run/prediction.ts';

/** Progress of an inference: called after each node. */
export interface PredictOptions {
  onNode?: () => void;
}

/** Runs the model's reference interpreter on `x` (Float32Array for a float model; Int8Array or Int16Array, as quantized, for an int8 or 16×8 one). */
export function predict(
  model: LoadedModel,
  x: Float32Array | Activations,
  options: PredictOptions = {},
): PredictionResult {
  const g = model.graph;
  const outName = g.outputs[0]!;
  const out = tensorOf(g, outName);
  const started = performance.now();
  let output: PredictionResult['output'];
  let scores: ArrayLike<number>;
  if (model.quantized) {
    const y = runInteger(g, { [g.inputs[0]!]: x as Activations }, options).get(outName) as Activations;
    const q = out.quant as Quantization;
    output = {
      name: outName,
      shape: out.shape,
      dtype: out.dtype,
      scale: q.scale[0]!,
      zeroPoint: q.zeroPoint[0]!,
      data: Array.from(y),
    };
    scores = dequantizeArray(y, q);
  } else {
    const y = runF32(g, { [g.inputs[0]!]: x as Float32Array }, options).get(outName) as Float32Array;
    output = { name: outName, shape: out.shape, dtype: 'f32', scale: null, zeroPoint: null, data: Array.from(y) };
    scores = y;
  }
  const latencyMs = performance.now() - started;
  return {
    output,
    top: topK(scores, model.labels),
    latencyMs: Number(latencyMs.toFixed(3)),
    memory: { arenaBytes: peakActivationBytes(g), weightBytes: modelStats(g).totals.weightBytes, codeBytes: null },
  };
}
