/**
 * @fileoverview The lowering, top to bottom: frontend → optimized f32 IR. Each pass is one line with why it is there;
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
