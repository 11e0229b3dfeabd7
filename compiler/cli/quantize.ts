/**
 * @fileoverview `tinyedge quantize [model] --calibrate DIR|FILE… [--method …] --out FILE [--json]`: calibrates on
 * real photos (each also seen through seeded augmentations), quantizes to int8, corrects biases, writes the
 * artifact and prints the quantization report, measured on held-out augmentations of the same photos.
 */

import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { LoadedModel } from '../../models/registry.ts';
import { precisionOptions } from '../api/precision-flags.ts';
import {
  calibrationFiles,
  evaluationInputs,
  type QuantizedModel,
  type QuantizeModelOptions,
  quantizeModel,
  quantizeWithSamples,
} from '../api/quantize-model.ts';
import { encodeArtifact, isArtifactFile } from '../artifact/int8-artifact.ts';
import { TinyedgeError } from '../errors.ts';
import { checkWritableDirPath } from '../output/output-path.ts';
import type { CalibrationMethod } from '../quantize/calibrate.ts';
import type { ActivationType } from '../quantize/prepare/quant-params.ts';
import { type QuantizationReport, quantizationReport } from '../quantize/report.ts';
import { shortName, table } from '../terminal/format.ts';
import { type Progress, startProgress } from '../terminal/progress.ts';
import { autoPrecisionLines, autoPrecisionSummary } from './precision-report.ts';
import { prepareModel } from './prepare-model.ts';

/** Options of quantize. */
export interface QuantizeCommandOptions {
  /** --outputs: cut a TF.js graph model after these nodes (comma-separated). */
  outputs?: string;
  calibrate?: string[];
  method: CalibrationMethod;
  augment: string;
  evalAugment: string;
  biasCorrection: boolean;
  activations: ActivationType;
  /** --precision: layer=int8|16x8|int4w,… or auto (with --target, --budget-flash, --budget-ram, --max-cost, --min-sqnr). */
  precision?: string;
  target?: string;
  budgetFlash?: string;
  budgetRam?: string;
  maxCost?: string;
  minSqnr?: string;
  out: string;
  json?: boolean;
}

function count(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new TinyedgeError('TE601', `${flag} must be a whole number ≥ 0, got '${value}'`);
  return n;
}

/** Progress bars for quantizeModel's stages: reading the inputs, then calibration and bias correction as one bar. */
function quantizeProgress(
  files: number,
  options: QuantizeModelOptions,
  show: boolean,
): { onProgress: NonNullable<QuantizeModelOptions['onProgress']>; stop(): void } {
  const reading = files * ((options.augment ?? 2) + 1);
  const decoding = startProgress('reading photos', reading, show);
  const steps = 1000;
  const mode = options.autoPrecision
    ? 'precision auto, '
    : options.precision
      ? 'per-layer precision, '
      : options.activations === 'int16'
        ? '16×8, '
        : '';
  // One bar over the data passes: calibration, the automatic choice when asked, bias correction.
  const stages = ['calibrate', ...(options.autoPrecision ? ['precision'] : []), 'correct'];
  let quantizing: Progress | undefined;
  return {
    onProgress(stage, f) {
      if (stage === 'read') return decoding.update(Math.round(f * reading));
      if (!quantizing) {
        decoding.stop();
        quantizing = startProgress(
          `quantizing (${mode}${options.method ?? 'minmax'}${options.biasCorrection !== false ? ', bias correction' : ''})`,
          stages.length * steps,
          show,
        );
      }
      quantizing.update(Math.round((stages.indexOf(stage) + f) * steps));
    },
    stop() {
      decoding.stop();
      quantizing?.stop();
    },
  };
}

/** Quantizes a float model on the given files with progress bars on stderr (unless `quiet`). */
async function quantizeShowingProgress(
  model: LoadedModel,
  files: string[],
  options: QuantizeModelOptions,
  quiet?: boolean,
): Promise<QuantizedModel> {
  const progress = quantizeProgress(files.length, options, !quiet);
  try {
    return await quantizeModel(model, { ...options, calibration: files, onProgress: progress.onProgress });
  } finally {
    progress.stop();
  }
}

/** Refuses an --out that names a file of the user's (anything but an earlier tinyedge artifact). */
function checkOut(out: string): void {
  checkWritableDirPath(dirname(resolve(out)), out);
  if (existsSync(out) && statSync(out).isDirectory())
    throw new TinyedgeError('TE702', 'is a folder, not a file', { file: out });
  if (existsSync(out) && !isArtifactFile(out)) {
    throw new TinyedgeError(
      'TE702',
      'exists and is not a tinyedge artifact; refusing to overwrite it (choose another --out)',
      { file: out },
    );
  }
}

/** A float model quantized with the bundled samples, saying so on stderr (unless `quiet`): what predict and compile do when handed a float model. */
export async function quantizeWithSamplesShown(
  model: LoadedModel,
  quiet?: boolean,
  activations: ActivationType = 'int8',
  precision: Pick<QuantizeModelOptions, 'precision' | 'autoPrecision'> = {},
): Promise<LoadedModel> {
  if (model.quantized) return model;
  if (!quiet)
    process.stderr.write(
      `quantizing with the bundled sample ${model.audio ? 'clips' : 'photos'} (use \`tinyedge quantize\` to choose the calibration set)\n`,
    );
  const options = { augment: 2, activations, ...precision };
  const progress = quantizeProgress(calibrationFiles(model).length, options, !quiet);
  try {
    const quantized = await quantizeWithSamples(model, { ...options, onProgress: progress.onProgress });
    progress.stop();
    if (!quiet && quantized.autoPrecision) process.stderr.write(`${autoPrecisionSummary(quantized.autoPrecision)}\n`);
    return quantized;
  } finally {
    progress.stop();
  }
}

/** Writes bytes to `out` through a temporary file, so a failed run leaves no half-written artifact. */
function writeArtifactFile(out: string, bytes: Uint8Array): void {
  checkOut(out);
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, out);
  } catch (e) {
    throw new TinyedgeError('TE703', `cannot write the artifact: ${(e as Error).message}`, { file: out });
  }
}

function db(x: number): string {
  return Number.isFinite(x) ? x.toFixed(1) : '∞';
}

function printReport(report: QuantizationReport, out: string, worst = 12): void {
  // A column for the precision only when layers differ in it.
  const mixed = report.layers.some((l) => l.precision !== report.layers[0]?.precision);
  const rows = report.layers
    .slice(0, worst)
    .map((l) => [
      shortName(l.node, 56),
      l.op,
      ...(mixed ? [l.precision] : []),
      db(l.sqnrDb),
      l.weightRange ? `${l.weightRange[0].toFixed(3)}…${l.weightRange[1].toFixed(3)}` : '',
      `${l.activationRange[0].toFixed(3)}…${l.activationRange[1].toFixed(3)}`,
      `${(100 * l.clipped).toFixed(3)}%`,
    ]);
  const lines = [
    `worst ${Math.min(worst, report.layers.length)} of ${report.layers.length} layers (SQNR of the dequantized int8 output vs f32, error accumulated from the input):`,
    mixed
      ? table(['node', 'op', 'precision', 'SQNR dB', 'weights', 'activation range', 'clipped'], rows, [3, 6])
      : table(['node', 'op', 'SQNR dB', 'weights', 'activation range', 'clipped'], rows, [2, 5]),
    `evaluated on ${report.images} held-out inputs:`,
    `  output   ${db(report.output.sqnrDb)} dB  (${shortName(report.output.tensor, 60)})`,
    ...(report.logits ? [`  logits   ${db(report.logits.sqnrDb)} dB  (${shortName(report.logits.tensor, 60)})`] : []),
    ...(report.features
      ? [`  features ${db(report.features.sqnrDb)} dB  (${shortName(report.features.tensor, 60)})`]
      : []),
    `  top-1 agreement with f32: ${(100 * report.top1Agreement).toFixed(1)}%`,
    `wrote ${out}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Calibrates, quantizes, writes the artifact and prints the report. */
export async function quantizeCommand(spec: string | undefined, options: QuantizeCommandOptions): Promise<void> {
  const augment = count(options.augment, '--augment');
  const evalAugment = count(options.evalAugment, '--eval-augment');
  checkOut(options.out);
  const model = prepareModel(spec, { quiet: options.json, outputs: options.outputs });
  const precision = precisionOptions(model, options);
  const files = calibrationFiles(model, options.calibrate);
  const { graph, calibration, autoPrecision } = await quantizeShowingProgress(
    model,
    files,
    {
      method: options.method,
      augment,
      biasCorrection: options.biasCorrection,
      activations: options.activations,
      ...precision,
    },
    options.json,
  );
  const f32 = model.graph;
  const evalInputs = await evaluationInputs(model, files, evalAugment);
  const progress = startProgress('measuring', evalInputs.length, !options.json);
  const report = quantizationReport(f32, graph, evalInputs, (done) => progress.update(done));
  progress.stop();
  const artifact = {
    model: model.spec,
    graph: { ...graph, source: basename(options.out) },
    ...(model.labels ? { labels: model.labels } : {}),
    preprocessing: model.preprocessing,
    calibration: { method: options.method, images: calibration.images, biasCorrection: options.biasCorrection },
    ...(model.audio ? { audio: model.audio } : {}),
  };
  const bytes = encodeArtifact(artifact);
  writeArtifactFile(options.out, bytes);
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ artifact: options.out, bytes: bytes.length, model: model.spec, calibration: { ...artifact.calibration, photos: files.length }, report, ...(autoPrecision && { autoPrecision }) })}\n`,
    );
    return;
  }
  if (autoPrecision) process.stdout.write(`${autoPrecisionLines(autoPrecision).join('\n')}\n`);
  printReport(report, options.out);
}
