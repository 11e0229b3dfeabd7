/**
 * @fileoverview The lowering, top to bottom: frontend → optimized f32 IR → int8 IR. Each pass is one line with why it is there;
 * the graph is verified after every pass, so a broken pass is caught where it breaks.
 */
import { Graph } from './ir/graph.ts';
import { verifyGraph } from './ir/verify.ts';
import { pruneTensors } from './passes/graph-edit.ts';
import { dropIdentity } from './passes/drop-identity.ts';
import { foldConstants } from './passes/fold-constants.ts';
import { foldBatchNorm } from './passes/fold-batch-norm.ts';
import { foldPadIntoConv } from './passes/fold-pad.ts';
import { foldInputAffine } from './passes/fold-input-affine.ts';
import { fuseActivation } from './passes/fuse-activation.ts';
import { CalibrationMethod, calibrate } from './quantize/calibrate.ts';
import { assertQuantizable, quantizeGraph } from './quantize/quantize-graph.ts';
import { correctBiases } from './quantize/bias-correction.ts';
import { ActivationType } from './quantize/prepare/quant-params.ts';

/** A named graph rewrite. */
export interface PassStep {
  name: string;
  why: string;
  run: (g: Graph) => Graph;
}

/** The f32 passes, in order. */
export const F32_PASSES: readonly PassStep[] = [
  { name: 'dropIdentity', why: 'Identity and Dropout do nothing at inference', run: dropIdentity },
  { name: 'foldConstants', why: 'compute constant-only subgraphs once, at compile time', run: foldConstants },
  { name: 'foldBatchNorm', why: 'batch norm after a conv is a per-channel scale and shift of its weights', run: foldBatchNorm },
  { name: 'foldPadIntoConv', why: "a zero pad before a conv is the conv's own padding", run: foldPadIntoConv },
  { name: 'foldInputAffine', why: 'input scaling (x·2−1) folds into the first conv; the model reads raw [0,1] input', run: foldInputAffine },
  { name: 'fuseActivation', why: 'fuse relu/relu6 into the producer as a clamp', run: fuseActivation },
];

/** Runs the passes in order, pruning dead tensors and verifying after each; `onPass` sees every stage. */
export function optimize(graph: Graph, onPass?: (step: PassStep, after: Graph) => void): Graph {
  verifyGraph(graph);
  let g = graph;
  for (const step of F32_PASSES) {
    g = step.run(g);
    pruneTensors(g);
    verifyGraph(g);
    onPass?.(step, g);
  }
  return g;
}

/** How to quantize: the calibration method and whether to correct biases. */
export interface QuantizeOptions {
  method: CalibrationMethod;
  biasCorrection: boolean;
  /** int8 (TFLite's int8 spec, the default) or int16 activations (its 16x8 mode: int8 weights, int64 biases). */
  activations?: ActivationType;
  /** Progress of the two data passes (calibration, then bias correction), each 0..1. */
  onProgress?: (stage: 'calibrate' | 'correct', fraction: number) => void;
}

/** Optimized f32 IR → int8 IR (TFLite's spec), calibrated on `inputs`. */
export function quantize(g: Graph, inputs: readonly Float32Array[], options: QuantizeOptions): Graph {
  assertQuantizable(g);
  // Choose each activation's range from the f32 activations of real inputs.
  const ranges = calibrate(g, inputs, options.method, (done, total) => options.onProgress?.('calibrate', done / total));
  // int8 (or int16) activations per tensor, int8 weights per channel, int32 (or int64) biases.
  const q = quantizeGraph(g, ranges, options.activations);
  // Move each channel's systematic error into its bias, layer by layer.
  if (options.biasCorrection) correctBiases(g, q, inputs, (done, total) => options.onProgress?.('correct', done / total));
  verifyGraph(q);
  return q;
}
