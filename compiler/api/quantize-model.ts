/**
 * @fileoverview A loaded float model quantized on real inputs: photos (each also seen through seeded augmentations)
 * or, for an audio model, WAV clips; by default the samples that ship with tinyedge. Returns a new model: the one
 * given is left as it was (its f32 graph is what the quantization report compares against).
 */

import { AUDIO_SAMPLES_DIR, audioFiles, audioInput } from '../../models/audio-input.ts';
import { imageFiles, imageSet } from '../../models/calibration-set.ts';
import { type LoadedModel, SAMPLES_DIR } from '../../models/registry.ts';
import { loadTarget } from '../../targets/target.ts';
import { TinyedgeError } from '../errors.ts';
import { tensorOf } from '../ir/graph.ts';
import { quantize } from '../pipeline.ts';
import type { AutoPrecisionOptions, AutoPrecisionResult } from '../quantize/auto-precision.ts';
import type { CalibrationMethod } from '../quantize/calibrate.ts';
import type { PrecisionPlan } from '../quantize/precision-plan.ts';
import type { ActivationType } from '../quantize/prepare/quant-params.ts';
import { assertQuantizable } from '../quantize/quantize-graph.ts';

/** The seed of the calibration augmentations (the quantize command evaluates on another seed's). */
export const CALIBRATION_SEED = 1;

/** Where quantization is: reading the calibration inputs, then its data passes; each 0..1. */
export type QuantizeStage = 'read' | 'calibrate' | 'precision' | 'correct';

/** `--precision auto`: budgets (a target's flash and RAM by default) and what to measure on. */
export interface AutoPrecisionRequest extends Omit<AutoPrecisionOptions, 'budgetFlash' | 'budgetRam'> {
  /** A target name: its part's flash and RAM are the budgets unless given. */
  target?: string;
  budgetFlash?: number;
  budgetRam?: number;
}

/** The choice's options: the request's budgets, else its target's part. */
export function autoPrecisionOptions(request: AutoPrecisionRequest): AutoPrecisionOptions {
  const { target, ...rest } = request;
  const memory = target === undefined ? null : loadTarget(target).memory;
  const budgetFlash = rest.budgetFlash ?? memory?.flashBytes ?? undefined;
  const budgetRam = rest.budgetRam ?? memory?.ramBytes ?? undefined;
  return {
    ...rest,
    ...(budgetFlash !== undefined && { budgetFlash }),
    ...(budgetRam !== undefined && { budgetRam }),
  };
}

/** How to quantize a model. */
export interface QuantizeModelOptions {
  /** Photos, folders of photos or (audio models) WAV clips; default: the bundled samples. */
  calibration?: readonly string[];
  /** Input tensors (f32, real units) to calibrate on instead of files: for a model whose input is not a picture or audio. */
  calibrationInputs?: readonly Float32Array[];
  /** How activation ranges are chosen (default minmax). */
  method?: CalibrationMethod;
  /** Seeded augmentations (crop, flip, brightness) per photo (default 2). */
  augment?: number;
  /** Move each channel's systematic error into its bias (default true). */
  biasCorrection?: boolean;
  /** int8 (default) or int16 activations (TFLite's 16×8). */
  activations?: ActivationType;
  /** A precision per layer by node name (int8, 16x8, int4w; see precision-plan.ts); layers not named stay int8. */
  precision?: PrecisionPlan;
  /** Choose the precision per layer by measured sensitivity under budgets (auto-precision.ts) instead. */
  autoPrecision?: AutoPrecisionRequest;
  onProgress?: (stage: QuantizeStage, fraction: number) => void;
}

/** An int8 (or 16×8) model and how it was calibrated. */
export interface QuantizedModel extends LoadedModel {
  quantized: true;
  calibration: { method: CalibrationMethod; images: number; biasCorrection: boolean };
  /** With autoPrecision: the choice, its measurements and the Pareto front it was chosen from. */
  autoPrecision?: AutoPrecisionResult;
}

/** The user's calibration files (images, or WAV clips for an audio model), or the bundled samples. */
export function calibrationFiles(model: LoadedModel, paths?: readonly string[]): string[] {
  if (model.audio) return audioFiles(paths?.length ? [...paths] : [AUDIO_SAMPLES_DIR]);
  return imageFiles(paths?.length ? [...paths] : [SAMPLES_DIR]);
}

/** Quantizes an optimized float model on calibration files into a new model (TFLite's int8 spec, or 16×8). */
export async function quantizeModel(model: LoadedModel, options: QuantizeModelOptions = {}): Promise<QuantizedModel> {
  if (model.quantized) throw new TinyedgeError('TE205', 'is already an int8 artifact', { file: model.spec });
  const { method = 'minmax', augment = 2, biasCorrection = true, activations, precision, onProgress } = options;
  const g = model.graph;
  assertQuantizable(g);
  const files = calibrationFiles(model, options.calibration);
  const shape = tensorOf(g, g.inputs[0]!).shape;
  const total = files.length * (augment + 1);
  let decoded = 0;
  const audio = model.audio;
  // An audio model calibrates on its clips' float scalograms (no augmentation).
  const set = options.calibrationInputs
    ? options.calibrationInputs.map((input) => ({ input }))
    : audio
      ? files.map((file) => ({ file, input: audioInput(file, audio) }))
      : await imageSet(files, shape, model.preprocessing, augment, CALIBRATION_SEED, () =>
          onProgress?.('read', ++decoded / total),
        );
  let auto: AutoPrecisionResult | undefined;
  const graph = quantize(
    g,
    set.map((s) => s.input),
    {
      method,
      biasCorrection,
      activations,
      precision,
      ...(options.autoPrecision && { autoPrecision: autoPrecisionOptions(options.autoPrecision) }),
      onAutoPrecision: (r) => {
        auto = r;
      },
      onProgress,
    },
  );
  return {
    ...model,
    graph,
    quantized: true,
    calibration: { method, images: set.length, biasCorrection },
    ...(auto && { autoPrecision: auto }),
  };
}

/** A float model quantized with the bundled samples (minmax, two crops each, bias correction), as predict and compile do when handed one; an int8 model as it is. */
export async function quantizeWithSamples(
  model: LoadedModel,
  options: Pick<QuantizeModelOptions, 'activations' | 'precision' | 'autoPrecision' | 'onProgress'> = {},
): Promise<LoadedModel & { autoPrecision?: AutoPrecisionResult }> {
  if (model.quantized) return model;
  return quantizeModel(model, {
    method: 'minmax',
    augment: 2,
    biasCorrection: true,
    activations: options.activations ?? 'int8',
    ...(options.precision && { precision: options.precision }),
    ...(options.autoPrecision && { autoPrecision: options.autoPrecision }),
    onProgress: options.onProgress,
  });
}

/** Seed of the evaluation augmentations: not the calibration's, so the quantization report is measured on unseen crops. */
export const EVALUATION_SEED = 2;

/**
 * The inputs the quantization report is measured on: `perPhoto` held-out augmentations of each calibration photo
 * (the photos themselves when `perPhoto` is 0), or an audio model's clips.
 */
export async function evaluationInputs(
  model: LoadedModel,
  files: readonly string[],
  perPhoto: number,
): Promise<Float32Array[]> {
  const g = model.graph;
  const audio = model.audio;
  if (audio) return files.map((file) => audioInput(file, audio));
  const set = await imageSet(files, tensorOf(g, g.inputs[0]!).shape, model.preprocessing, perPhoto, EVALUATION_SEED);
  const held = set.filter((s) => s.augmentation !== undefined);
  return (held.length ? held : set).map((s) => s.input);
}
