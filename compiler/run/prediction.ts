/** @fileoverview What one inference returns, from a reference interpreter or a compiled target: the outputs, the top classes, latency and memory. */

/** One output's values: raw integers with their quantization, or f32 (scale and zero point null). */
export interface PredictionOutput {
  name: string;
  shape: number[];
  dtype: string;
  scale: number | null;
  zeroPoint: number | null;
  data: number[];
}

/** The design's result object for predict and run. */
export interface PredictionResult {
  /** Output 0 (the one `top` ranks). */
  output: PredictionOutput;
  /** A model with several outputs: every one in the model's order, output 0 first (absent for one output, which is `output`). */
  outputs?: PredictionOutput[];
  top: { index: number; label: string; score: number }[];
  /** Median wall time; null on an emulated board, where time says nothing about the device. */
  latencyMs: number | null;
  memory: { arenaBytes: number; weightBytes: number; codeBytes: number | null };
}

/** `output` and, for a model with several, `outputs`: a result's outputs as the design spells them. */
export function outputsOf(outputs: PredictionOutput[]): Pick<PredictionResult, 'output' | 'outputs'> {
  return { output: outputs[0]!, ...(outputs.length > 1 ? { outputs } : {}) };
}

/** The k best classes of a score vector. */
export function topK(scores: ArrayLike<number>, labels: string[] | undefined, k = 5): PredictionResult['top'] {
  return Array.from(scores, (score, index) => ({ index, label: labels?.[index] ?? String(index), score }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

/** The median of latencies. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
