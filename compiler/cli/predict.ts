/**
 * @fileoverview `tinyedge predict [model|artifact] (--image F | --input F.f32|F.i8|F.u8|F.i16) [--precision f32|int8|int16]
 * [--json]`: one inference with a reference interpreter: f32 for float models, the integer one for artifacts (or a
 * float model quantized on the spot with the bundled photos, int8 or 16×8, when `--precision` asks for it).
 */

import type { LoadedModel } from '../../models/registry.ts';
import { predict } from '../api/predict.ts';
import { TinyedgeError } from '../errors.ts';
import { readModelInput } from '../input/read-input.ts';
import { tensorOf } from '../ir/graph.ts';
import { type ActivationType, activationType } from '../quantize/prepare/quant-params.ts';
import { bytes } from '../terminal/format.ts';
import { startProgress } from '../terminal/progress.ts';
import { outputsLines, rankingLines } from './outputs-line.ts';
import { predictDetectorCommand } from './predict-detector.ts';
import { prepareModel } from './prepare-model.ts';
import { quantizeWithSamplesShown } from './quantize.ts';

/** Options of predict. */
export interface PredictCommandOptions {
  /** --outputs: cut a TF.js graph model after these nodes (comma-separated). */
  outputs?: string;
  image?: string;
  input?: string;
  /** A WAV clip, for an audio model. */
  audio?: string;
  precision?: 'f32' | ActivationType;
  json?: boolean;
  /** A detector: write the photo with the boxes drawn to this PNG (replacing a file only with `force`). */
  draw?: string;
  /** A detector: show only detections scoring at least this (a number in [0, 1], as text). */
  minScore?: string;
  force?: boolean;
}

/** Which interpreter a model runs on: an artifact runs as quantized; a float model is f32 unless int8 or int16 is asked for. */
function precisionOf(model: LoadedModel, asked: PredictCommandOptions['precision']): 'f32' | ActivationType {
  if (!model.quantized) return asked ?? 'f32';
  const type = activationType(tensorOf(model.graph, model.graph.inputs[0]!).dtype);
  if (asked !== undefined && asked !== type)
    throw new TinyedgeError(
      'TE606',
      `is quantized to ${type === 'int16' ? '16×8' : 'int8'}; it runs with --precision ${type} only`,
      { file: model.spec },
    );
  return type;
}

/** Runs one inference and prints top-5, latency and memory. */
export async function predictCommand(spec: string | undefined, options: PredictCommandOptions): Promise<void> {
  const loaded = prepareModel(spec, { quiet: options.json, outputs: options.outputs });
  const precision = precisionOf(loaded, options.precision);
  const model = precision !== 'f32' ? await quantizeWithSamplesShown(loaded, options.json, precision) : loaded;
  const g = model.graph;
  if (g.detection) return predictDetectorCommand(model, precision, options);
  if (options.draw)
    throw new TinyedgeError('TE606', '--draw draws the boxes of a detector; this model is not one', {
      file: model.spec,
    });
  const x = await readModelInput(model, options);
  const progress = startProgress('running', g.nodes.length, !options.json);
  let done = 0;
  const result = predict(model, x, { onNode: () => progress.update(++done) });
  progress.stop();
  const latencyMs = result.latencyMs as number;
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  process.stdout.write(
    `${[
      `model    ${model.spec} (${precision} reference interpreter)`,
      `input    ${options.image ?? options.input}`,
      ...rankingLines(result),
      ...outputsLines(result),
      `latency  ${latencyMs.toFixed(1)} ms`,
      `memory   activations ${bytes(result.memory.arenaBytes)} peak, weights ${bytes(result.memory.weightBytes)}`,
    ].join('\n')}\n`,
  );
}
