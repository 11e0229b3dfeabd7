/**
 * @fileoverview tinyedge as a library: `import { loadModel, optimize, quantize, compile, run, predict } from 'tinyedge'`.
 * Each stage takes options and returns a value: nothing here prints, exits or changes its arguments; progress reaches
 * the caller through callbacks, failures are thrown as TinyedgeError. The stages in order: compiler/pipeline.ts.
 */

import { optimizeModel } from './api/prepare-model.ts';
import { type QuantizedModel, type QuantizeModelOptions, quantizeModel } from './api/quantize-model.ts';
import type { LoadedModel } from './load/loaded-model.ts';

export type { ImagePreprocessing, LoadedModel } from '../models/registry.ts';
/** A model by name (`nsfwjs:mobilenet_v2_mid`, `builder:mobilenet_v2_0.35_96`, …) or path (model.json, .tflite, .onnx, artifact), as imported. */
export { DEFAULT_MODEL, loadModel, MCU_MODEL, PACKAGED_MODELS, SAMPLES_DIR } from '../models/registry.ts';
export type { PrepareModelOptions } from './api/prepare-model.ts';
/** Loads a model and runs the f32 passes, with progress through a callback. */
export { prepareModel } from './api/prepare-model.ts';

/** The f32 passes (fold constants, batch norm, pads, input scaling; fuse activations) on a new model. */
export function optimize(model: LoadedModel): LoadedModel {
  return optimizeModel(model);
}

/** A new int8 (or 16×8) model calibrated on photos, folders or WAV clips (default: the bundled samples). */
export function quantize(model: LoadedModel, options: QuantizeModelOptions = {}): Promise<QuantizedModel> {
  return quantizeModel(model, options);
}
export { loadTarget, targetNames } from '../targets/target.ts';
export type { PredictOptions } from './api/predict.ts';
/** One inference with the reference interpreter (f32, or the integer one every target matches bit for bit). */
export { predict } from './api/predict.ts';
export type { QuantizedModel, QuantizeModelOptions, QuantizeStage } from './api/quantize-model.ts';
export { calibrationFiles, evaluationInputs, quantizeWithSamples } from './api/quantize-model.ts';
export type { Budget, Compiled, CompileOptions } from './compile/compile-model.ts';
/** An int8 model planned, rendered (C99 or WebAssembly) and built for a target into a folder. */
export { checkSplitTarget, compile, refuseAudioOffload } from './compile/compile-model.ts';
export type { CompiledModel } from './compile/compiled-model.ts';
export { COMPILED_MODEL_FILE, readCompiledModel } from './compile/compiled-model.ts';
export type { ErrorCode, ErrorStage } from './error-codes.ts';
export { ERROR_CODES } from './error-codes.ts';
export type { ErrorPlace } from './errors.ts';
/** The error every stage throws for a problem with the user's input; `code` (TE1xx load … TE9xx) is stable, see docs/errors.md. */
export { TinyedgeError } from './errors.ts';
export type { InputSlot } from './input/read-input.ts';
/** A model's input from `{ image }`, `{ input }` (a .f32, .i8, .u8 or .i16 tensor file) or `{ audio }`: f32 for a float model, quantized for an int8 one. */
export {
  compiledInputOf,
  readF32Input,
  readModelInput as readInput,
  readRawInput,
  slotOf,
} from './input/read-input.ts';
/** Output folders that never lose a user's files, and checks on paths before writing. */
export { checkOutputDir, prepareOutputDir, writeOutputFiles } from './output/output-dir.ts';
export { checkOutputFile } from './output/output-path.ts';
/** Every stage of the lowering on a graph (load → passes → quantize → plan → backend → target recipe). */
export {
  build,
  F32_PASSES,
  loadKerasH5,
  loadModelFile,
  optimize as optimizeGraph,
  plan,
  quantize as quantizeGraph,
  readyKerasH5Reader,
  render,
} from './pipeline.ts';
export type { PredictionResult } from './run/prediction.ts';
export { topK } from './run/prediction.ts';
export type { RunOptions } from './run/run-compiled.ts';
/** A compiled folder run on its target (natively, under qemu, or WebAssembly in Node) on one input. */
export { runC, runCompiled as run } from './run/run-compiled.ts';
export type { DetectionResult } from './run/run-detector.ts';
export { isDetectorFolder, runDetector } from './run/run-detector.ts';
