/**
 * @fileoverview The quantization report: how far the int8 graph is from the f32 graph, layer by layer, on real
 * inputs. SQNR = 10·log10(Σ f² / Σ (f − dq)²) in dB, where f is the f32 activation and dq the dequantized int8 one
 * (both graphs run on the same input, so the error accumulated up to a layer is included). The worst layers come
 * first, so a user sees which layer hurts.
 */
import { type Graph, type Node, tensorOf } from '../ir/graph.ts';
import type { Quantization } from '../ir/tensor.ts';
import { runF32 } from '../reference/f32/interpreter.ts';
import { runInteger } from '../reference/integer/interpreter.ts';
import { type LayerPrecision, precisionOfNode } from './precision-plan.ts';
import { activationType, dequantizeArray, quantizeForTensor, RANGE_OF } from './prepare/quant-params.ts';

/** One layer's line of the report. */
export interface LayerReport {
  node: string;
  op: string;
  /** What the layer runs at: int8, 16x8 or int4w. */
  precision: LayerPrecision;
  sqnrDb: number;
  /** Extremes of the f32 weights (MAC ops only). */
  weightRange: [number, number] | null;
  /** The real interval the int8 output can represent. */
  activationRange: [number, number];
  /** Fraction of f32 output values outside that interval (clipped by quantization). */
  clipped: number;
}

/** SQNR of one tensor averaged over the evaluation inputs (mean of per-input dB). */
export interface TensorFidelity {
  tensor: string;
  sqnrDb: number;
}

/** The whole report. */
export interface QuantizationReport {
  images: number;
  /** Worst SQNR first. */
  layers: LayerReport[];
  output: TensorFidelity;
  /** The input of a final softmax/logistic, when there is one. */
  logits: TensorFidelity | null;
  /** The input of the last fully connected layer (the pooled feature vector of a classifier), when there is one. */
  features: TensorFidelity | null;
  /** Fraction of inputs whose int8 top-1 class (from the logits when present) equals the f32 one. */
  top1Agreement: number;
}

function sqnrDb(signal: number, noise: number): number {
  if (noise === 0) return Infinity;
  return 10 * Math.log10(signal / noise);
}

function representable(q: Quantization, dtype: string): [number, number] {
  const s = q.scale[0]!;
  const z = q.zeroPoint[0]!;
  const [lo, hi] = RANGE_OF[activationType(dtype)];
  return [s * (lo - z), s * (hi - z)];
}

function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}

function weightRange(g: Graph, node: Node): [number, number] | null {
  if (node.op !== 'conv2d' && node.op !== 'depthwise_conv2d' && node.op !== 'fully_connected') return null;
  const w = tensorOf(g, node.inputs[1]!).data as Float32Array;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of w) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return [lo, hi];
}

/** The tensors the report follows beyond every layer: logits before a final softmax/logistic, and classifier features. */
export function fidelityTensors(g: Graph): { logits: string | null; features: string | null } {
  const last = g.nodes.find((n) => n.outputs[0] === g.outputs[0]);
  const logits = last && (last.op === 'softmax' || last.op === 'logistic') ? last.inputs[0]! : null;
  const fc = [...g.nodes].reverse().find((n) => n.op === 'fully_connected');
  return { logits, features: fc ? fc.inputs[0]! : null };
}

/**
 * Runs both graphs on every input and compares them layer by layer. `f32` and `int8` must share node names.
 * `perLayer: false` measures only the output, logits and features (much faster on large evaluation sets).
 */
export function quantizationReport(
  f32: Graph,
  int8: Graph,
  inputs: readonly Float32Array[],
  onProgress?: (done: number) => void,
  perLayer = true,
): QuantizationReport {
  const signal = new Map<string, number>();
  const noise = new Map<string, number>();
  const outside = new Map<string, number>();
  const count = new Map<string, number>();
  const { logits, features } = fidelityTensors(f32);
  const followed = [f32.outputs[0], logits, features].filter((t): t is string => t !== null);
  const perInputDb = new Map<string, number>(followed.map((t) => [t, 0]));
  let agree = 0;
  inputs.forEach((x, k) => {
    const reference = new Map<string, Float32Array>();
    const wanted = (name: string) => perLayer || perInputDb.has(name);
    runF32(
      f32,
      { [f32.inputs[0]!]: x },
      { onNode: (n, y) => wanted(n.outputs[0]!) && reference.set(n.outputs[0]!, y) },
    );
    reference.set(f32.inputs[0]!, x);
    const quantized = new Map<string, Float32Array>();
    runInteger(
      int8,
      { [int8.inputs[0]!]: quantizeForTensor(x, tensorOf(int8, int8.inputs[0]!)) },
      {
        onNode: (n, y) => {
          const name = n.outputs[0]!;
          if (!wanted(name)) return;
          const q = tensorOf(int8, name).quant as Quantization;
          const f = reference.get(name);
          // A requantize between precisions (mixed plans) has no f32 counterpart: its reader's line covers it.
          if (!f) return;
          const dq = dequantizeArray(y, q);
          const [lo, hi] = representable(q, tensorOf(int8, name).dtype);
          let s = 0;
          let e = 0;
          let out = 0;
          for (let i = 0; i < f.length; i++) {
            s += f[i]! * f[i]!;
            e += (f[i]! - dq[i]!) ** 2;
            if (f[i]! < lo || f[i]! > hi) out++;
          }
          signal.set(name, (signal.get(name) ?? 0) + s);
          noise.set(name, (noise.get(name) ?? 0) + e);
          outside.set(name, (outside.get(name) ?? 0) + out);
          count.set(name, (count.get(name) ?? 0) + f.length);
          if (perInputDb.has(name)) {
            perInputDb.set(name, (perInputDb.get(name) as number) + sqnrDb(s, e));
            quantized.set(name, dq);
          }
        },
      },
    );
    const top = logits ?? f32.outputs[0]!;
    if (argmax(reference.get(top) as Float32Array) === argmax(quantized.get(top) as Float32Array)) agree++;
    onProgress?.(k + 1);
  });
  const layers: LayerReport[] = int8.nodes
    .filter((n) => signal.has(n.outputs[0]!))
    .map((n) => {
      const name = n.outputs[0]!;
      const q = tensorOf(int8, name).quant as Quantization;
      const f32Node = f32.nodes.find((m) => m.name === n.name) as Node;
      return {
        node: n.name,
        op: n.op,
        precision: precisionOfNode(int8, n),
        sqnrDb: sqnrDb(signal.get(name) ?? 0, noise.get(name) ?? 0),
        weightRange: weightRange(f32, f32Node),
        activationRange: representable(q, tensorOf(int8, name).dtype),
        clipped: (outside.get(name) ?? 0) / (count.get(name) ?? 1),
      };
    });
  layers.sort((a, b) => a.sqnrDb - b.sqnrDb);
  const fidelity = (t: string | null): TensorFidelity | null =>
    t === null ? null : { tensor: t, sqnrDb: (perInputDb.get(t) as number) / inputs.length };
  return {
    images: inputs.length,
    layers,
    output: fidelity(f32.outputs[0]!) as TensorFidelity,
    logits: fidelity(logits),
    features: fidelity(features),
    top1Agreement: agree / inputs.length,
  };
}
