/**
 * @fileoverview `tinyedge predict` on a detector: the reference interpreter (f32 or int8) and the reference
 * post-processing (TF OD API's semantics in f32, or the int8 tables and NMS every target reproduces bit for bit),
 * printed as `run` prints a compiled detector's detections (`--draw` too).
 */

import type { LoadedModel } from '../../models/registry.ts';
import { ssdOutputsOf } from '../detection/ssd-outputs.ts';
import { ssdInt8Tables } from '../detection/ssd-tables.ts';
import { integerInputOf, modelInput, slotOf } from '../input/read-input.ts';
import { tensorOf } from '../ir/graph.ts';
import { modelStats, peakActivationBytes } from '../ir/stats.ts';
import type { Quantization } from '../ir/tensor.ts';
import type { ActivationType } from '../quantize/prepare/quant-params.ts';
import { type Detection, ssdPostprocessF32, ssdPostprocessInt8 } from '../reference/detection/ssd-postprocess.ts';
import { runF32 } from '../reference/f32/interpreter.ts';
import { runInteger } from '../reference/integer/interpreter.ts';
import { boxSpace, type DetectionResult, labeledDetections } from '../run/run-detector.ts';
import { checkDrawOptions, reportDetections } from './detections-report.ts';

/** The flags of predict a detector uses. */
interface PredictDetectorOptions {
  image?: string;
  input?: string;
  draw?: string;
  minScore?: string;
  force?: boolean;
  json?: boolean;
}

/** Runs the detector in the reference interpreter at `precision` and prints (or returns as JSON) its detections. */
export async function predictDetectorCommand(
  model: LoadedModel,
  precision: 'f32' | ActivationType,
  options: PredictDetectorOptions,
): Promise<void> {
  checkDrawOptions(options);
  const g = model.graph;
  const { boxes, scores, detection } = ssdOutputsOf(g);
  let found: Detection[];
  let raw: { boxes: ArrayLike<number>; scores: ArrayLike<number> };
  const started = performance.now();
  if (precision === 'f32') {
    const out = runF32(g, { [g.inputs[0]!]: await modelInput(model, options) });
    raw = { boxes: out.get(boxes.name) as Float32Array, scores: out.get(scores.name) as Float32Array };
    found = ssdPostprocessF32(detection, raw.boxes as Float32Array, raw.scores as Float32Array);
  } else {
    const x = await integerInputOf(
      slotOf(g),
      tensorOf(g, g.inputs[0]!).quant as Quantization,
      model.preprocessing,
      options,
    );
    const tables = ssdInt8Tables(g);
    const out = runInteger(g, { [g.inputs[0]!]: x });
    raw = { boxes: out.get(boxes.name) as Int8Array, scores: out.get(scores.name) as Int8Array };
    found = ssdPostprocessInt8(tables, raw.boxes as Int8Array, raw.scores as Int8Array);
  }
  const latencyMs = Number((performance.now() - started).toFixed(3));
  const result: DetectionResult = {
    detections: labeledDetections(
      found,
      detection.labels ?? model.labels,
      await boxSpace(options.image, tensorOf(g, g.inputs[0]!).shape),
    ),
    outputs: {
      boxes: { name: boxes.name, data: Array.from(raw.boxes) },
      scores: { name: scores.name, data: Array.from(raw.scores) },
    },
    latencyMs,
    memory: { arenaBytes: peakActivationBytes(g), weightBytes: modelStats(g).totals.weightBytes, codeBytes: null },
  };
  const how =
    precision === 'f32'
      ? "f32 reference interpreter, TF OD API's post-processing"
      : `${precision} reference interpreter and post-processing, what every target computes`;
  await reportDetections(
    result,
    options,
    [`model    ${model.spec} (${how})`, `input    ${options.image ?? options.input}`],
    [`latency  ${latencyMs.toFixed(1)} ms (reference interpreter, not a target)`],
  );
}
