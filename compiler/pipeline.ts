/**
 * @fileoverview The lowering, top to bottom, one commented line per stage:
 *   load      a model file's format picks its frontend → IR as imported; Prepare checks int8 files (loadModelFile, load/)
 *             (model names such as builder:… and nsfwjs:… resolve in models/registry.ts, loadModel in the library)
 *   optimize  the f32 passes below, each with why it is there; the graph is verified after every pass
 *   quantize  calibrated on real inputs → int8 (or 16×8) IR, TFLite's spec                       (quantize, quantize/)
 *   plan      every activation's offset in one arena, from tensor lifetimes                      (plan, plan/)
 *   backend   the target's renderer: a C99 project or a WebAssembly module with its loader       (render, backends/c, backends/wasm)
 *   target    the target's recipe: build with its toolchain, measure code, run natively or under qemu (build, targets/toolchain.ts; run/)
 * compile/compile-model.ts strings plan → backend → target into a folder; api/ and index.ts are the library on top.
 */

import type { Target } from '../targets/target.ts';
import { buildProject, LINK_MAP, textBytes } from '../targets/toolchain.ts';
import type { CwtFrontEnd } from './audio/cwt-front-end.ts';
import { AUDIO_OBJECTS, cAudioProject, cwtMemory } from './backends/c/audio-project.ts';
import { chooseKernels, familiesOf, kernelLayoutsOf } from './backends/c/kernel-table.ts';
import { cBuildOf, cProject, kernelSources } from './backends/c/project.ts';
import { cScratchQuery } from './backends/c/render-nodes.ts';
import { THREAD_POOL_OBJECT } from './backends/c/render-threads.ts';
import { SSD_POSTPROCESS_OBJECT } from './backends/c/ssd-detection.ts';
import { wasmScratchBytes } from './backends/wasm/kernel-table.ts';
import { cwtWasmBytes, wasmAudioFiles } from './backends/wasm/package/audio-files.ts';
import { wasmProject } from './backends/wasm/package/project.ts';
import type { Graph } from './ir/graph.ts';
import { verifyGraph } from './ir/verify.ts';
import { dropIdentity } from './passes/drop-identity.ts';
import { foldBatchNorm } from './passes/fold-batch-norm.ts';
import { foldConstants } from './passes/fold-constants.ts';
import { foldInputAffine } from './passes/fold-input-affine.ts';
import { foldPadIntoConv } from './passes/fold-pad.ts';
import { fuseActivation } from './passes/fuse-activation.ts';
import { pruneTensors } from './passes/graph-edit.ts';
import { type MemoryPlan, planMemory, type ScratchQuery } from './plan/plan-memory.ts';
import { type AutoPrecisionOptions, type AutoPrecisionResult, choosePrecision } from './quantize/auto-precision.ts';
import { correctBiases } from './quantize/bias-correction.ts';
import { type CalibrationMethod, calibrate } from './quantize/calibrate.ts';
import type { PrecisionPlan } from './quantize/precision-plan.ts';
import type { ActivationType } from './quantize/prepare/quant-params.ts';
import { assertQuantizable, quantizeGraph } from './quantize/quantize-graph.ts';

/**
 * Load: a model file (.tflite int8 or float, .onnx, tinyedge artifact, TF.js model.json, Keras .h5 once
 * readyKerasH5Reader has resolved; loadKerasH5 does both) → LoadedModel, by its format.
 */
export { readyKerasH5Reader } from './frontends/keras-h5/import.ts';
export { loadKerasH5, loadModelFile } from './load/load-model-file.ts';

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
  {
    name: 'foldBatchNorm',
    why: 'batch norm after a conv is a per-channel scale and shift of its weights',
    run: foldBatchNorm,
  },
  { name: 'foldPadIntoConv', why: "a zero pad before a conv is the conv's own padding", run: foldPadIntoConv },
  {
    name: 'foldInputAffine',
    why: 'input scaling (x·2−1) folds into the first conv; the model reads raw [0,1] input',
    run: foldInputAffine,
  },
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
  /** A precision per layer (int8, 16×8, int4w) by node name; replaces `activations` when given. */
  precision?: PrecisionPlan;
  /** Choose the precision per layer by measured sensitivity under these budgets (instead of `precision`). */
  autoPrecision?: AutoPrecisionOptions;
  /** Sees the automatic choice, its measurements and the front it was chosen from. */
  onAutoPrecision?: (result: AutoPrecisionResult) => void;
  /** Progress of the data passes (calibration, the automatic choice when asked, bias correction), each 0..1. */
  onProgress?: (stage: 'calibrate' | 'precision' | 'correct', fraction: number) => void;
}

/** Optimized f32 IR → int8 IR (TFLite's spec), calibrated on `inputs`. */
export function quantize(g: Graph, inputs: readonly Float32Array[], options: QuantizeOptions): Graph {
  assertQuantizable(g);
  // Choose each activation's range from the f32 activations of real inputs.
  const ranges = calibrate(g, inputs, options.method, (done, total) => options.onProgress?.('calibrate', done / total));
  // int8 (or int16) activations per tensor, int8 (or int4) weights per channel, int32 (or int64) biases.
  // With --precision auto: each layer's sensitivity measured, then the best plan within the budgets.
  const auto =
    options.autoPrecision &&
    choosePrecision(g, ranges, inputs, options.autoPrecision, (done, total) =>
      options.onProgress?.('precision', done / total),
    );
  if (auto) options.onAutoPrecision?.(auto);
  const q = quantizeGraph(g, ranges, auto?.plan ?? options.precision ?? options.activations);
  // Move each channel's systematic error into its bias, layer by layer.
  if (options.biasCorrection)
    correctBiases(g, q, inputs, (done, total) => options.onProgress?.('correct', done / total));
  verifyGraph(q);
  return q;
}

/**
 * The activation arena of an int8 graph for a target: offsets planned from tensor lifetimes, with its backend's
 * kernel scratch (per thread for the layers `threads` > 1 splits); `inPlace`: convolutions may run in place through
 * a ring of output rows where that lowers the peak (the C backend renders it; elsewhere it is ignored).
 */
export function plan(g: Graph, target: Target, threads = 1, inPlace = false): MemoryPlan {
  const c = target.backend === 'c';
  return planMemory(g, scratchQueryOf(target), { threads, inPlace: inPlace && c });
}

/** The target's backend's kernel scratch query (what the memory search plans with: compile/arena-configurations.ts). */
export function scratchQueryOf(target: Target): ScratchQuery {
  return target.backend === 'c'
    ? cScratchQuery(kernelLayoutsOf(chooseKernels(target.kernels, target.name)))
    : wasmScratchBytes;
}

/** What a model is called and how its images are prepared: written into the project for its runner or loader. */
export interface ModelDescription {
  spec: string;
  labels?: string[];
  preprocessing: { scale: number; offset: number };
}

/** A backend's project for a target: its files, the weight bytes, and what code measures. */
export interface BackendProject {
  files: Record<string, string | Uint8Array>;
  weightBytes: number;
  /** WebAssembly: the module without its data segment, known once rendered; C: measured by `build`. */
  codeBytes?: number;
  /** C: the objects whose text is the code; and the build products, which the folder's manifest lists as tinyedge's. */
  objects?: string[];
  products?: string[];
}

/** Renders the int8 graph with the target's backend (with an audio model's CWT front end beside it; for `threads` above 1, with a plan made for them, C on a pool, WebAssembly also as a module for workers sharing its memory). */
export function render(
  g: Graph,
  memory: MemoryPlan,
  target: Target,
  model: ModelDescription,
  front?: CwtFrontEnd,
  prefix = 'model',
  threads = 1,
): BackendProject {
  if (target.backend === 'wasm') {
    // The CWT's tables are data in its own module: counted in weights, its code in code.
    const project = wasmProject(g, memory, model.spec, model.labels, model.preprocessing, threads);
    return {
      files: { ...project.files, ...(front ? wasmAudioFiles(front, model.spec) : {}) },
      weightBytes: project.dataBytes + (front ? cwtMemory(front).tableBytes : 0),
      codeBytes: project.codeBytes + (front ? cwtWasmBytes().length : 0),
    };
  }
  const build = cBuildOf(target, undefined, threads);
  const project = front ? cAudioProject(g, memory, build, front, prefix) : cProject(g, memory, build, prefix);
  const objects = [
    `${prefix}.o`,
    ...kernelSources(project.kernels, familiesOf(g)).map((s) => s.replace(/\.c$/, '.o')),
    ...(front ? AUDIO_OBJECTS : []),
    ...(g.detection ? [SSD_POSTPROCESS_OBJECT] : []),
    ...(threads > 1 ? [THREAD_POOL_OBJECT] : []),
  ];
  // The build products, and the runtime folder as a whole (it is entirely ours), so --force clears them too.
  const products = [
    'runner',
    LINK_MAP,
    'main.o',
    `${prefix}.o`,
    `${prefix}_weights.o`,
    'tinyedge',
    ...(front ? ['audio.o'] : []),
  ];
  return { files: project.files, weightBytes: project.weightBytes, objects, products };
}

/** The target's recipe on a written project: C is built with the target's toolchain (the code is the text of its objects); a WebAssembly module needs no build. Returns the code bytes. */
export function build(dir: string, target: Target, project: BackendProject): number {
  if (target.backend === 'wasm') return project.codeBytes ?? 0;
  buildProject(dir, target);
  return textBytes(dir, project.objects ?? [], target);
}
