/**
 * @fileoverview Calibration: run the f32 graph on representative inputs and choose each activation's range.
 * minmax takes the observed extremes; percentile clips the rarest 0.01% at each end; mse picks the clipping
 * that minimizes the expected squared error (clipping error plus rounding error step²/12) over a histogram.
 */
import type { Graph } from '../ir/graph.ts';
import { runF32 } from '../reference/f32/interpreter.ts';

/** How ranges are chosen from the observed values. */
export type CalibrationMethod = 'minmax' | 'percentile' | 'mse';

/** All methods, for the CLI. */
export const CALIBRATION_METHODS: readonly CalibrationMethod[] = ['minmax', 'percentile', 'mse'];

/** A real-valued range chosen for one tensor. */
export interface TensorRange {
  min: number;
  max: number;
}

const BINS = 2048;
const PERCENTILE_CLIP = 1e-4;

/** Observes every activation (graph inputs and node outputs) of one f32 run. */
function observe(g: Graph, x: Float32Array, visit: (tensor: string, values: Float32Array) => void): void {
  visit(g.inputs[0]!, x);
  runF32(g, { [g.inputs[0]!]: x }, { onNode: (node, y) => visit(node.outputs[0]!, y) });
}

class Histogram {
  readonly counts = new Float64Array(BINS);
  total = 0;
  constructor(
    readonly min: number,
    readonly max: number,
  ) {}

  add(values: Float32Array): void {
    const width = (this.max - this.min) / BINS;
    if (width <= 0) {
      this.counts[0]! += values.length;
    } else {
      for (let i = 0; i < values.length; i++) {
        const b = Math.floor((values[i]! - this.min) / width);
        this.counts[b < 0 ? 0 : b >= BINS ? BINS - 1 : b]!++;
      }
    }
    this.total += values.length;
  }

  center(b: number): number {
    return this.min + ((b + 0.5) * (this.max - this.min)) / BINS;
  }

  /** The value below which a fraction q of the observations lie. */
  quantile(q: number): number {
    let seen = 0;
    for (let b = 0; b < BINS; b++) {
      seen += this.counts[b]!;
      if (seen >= q * this.total) return this.min + ((b + 1) * (this.max - this.min)) / BINS;
    }
    return this.max;
  }

  /** The range [α·min, α·max] (α in 0.3..1) with the least expected int8 error. */
  bestMseRange(): TensorRange {
    let best = { min: this.min, max: this.max };
    let bestErr = Infinity;
    for (let step = 0; step <= 70; step++) {
      const alpha = 1 - step * 0.01;
      const lo = Math.min(0, this.min * alpha);
      const hi = Math.max(0, this.max * alpha);
      const q = (hi - lo) / 255;
      let err = 0;
      for (let b = 0; b < BINS; b++) {
        if (!this.counts[b]) continue;
        const v = this.center(b);
        const clipped = v < lo ? lo - v : v > hi ? v - hi : 0;
        err += this.counts[b]! * (clipped * clipped + (q * q) / 12);
      }
      if (err < bestErr) {
        bestErr = err;
        best = { min: lo, max: hi };
      }
    }
    return best;
  }
}

/** Runs the calibration inputs through the f32 graph and returns a range per activation tensor. */
export function calibrate(
  g: Graph,
  inputs: readonly Float32Array[],
  method: CalibrationMethod,
  onProgress?: (done: number, total: number) => void,
): Map<string, TensorRange> {
  const passes = method === 'minmax' ? 1 : 2;
  const total = inputs.length * passes;
  let done = 0;
  const ranges = new Map<string, TensorRange>();
  for (const x of inputs) {
    observe(g, x, (name, values) => {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const r = ranges.get(name);
      ranges.set(name, r ? { min: Math.min(r.min, lo), max: Math.max(r.max, hi) } : { min: lo, max: hi });
    });
    onProgress?.(++done, total);
  }
  if (method === 'minmax') return ranges;
  const histograms = new Map([...ranges].map(([name, r]) => [name, new Histogram(r.min, r.max)]));
  for (const x of inputs) {
    observe(g, x, (name, values) => histograms.get(name)?.add(values));
    onProgress?.(++done, total);
  }
  return new Map(
    [...histograms].map(([name, h]) => [
      name,
      method === 'mse'
        ? h.bestMseRange()
        : { min: Math.min(0, h.quantile(PERCENTILE_CLIP)), max: Math.max(0, h.quantile(1 - PERCENTILE_CLIP)) },
    ]),
  );
}
