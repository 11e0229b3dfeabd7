/**
 * @fileoverview A compiled detector run on its target: the model and its SSD post-processing run there (the C runner
 * writes the detections record; in WebAssembly the loader's detect()), returned with their boxes in pixels.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ModelInfo, TinyedgeModel } from '../../runtime/wasm/tinyedge-loader.js';
import { loadTarget } from '../../targets/target.ts';
import { C_DETECTION_FILE, type CDetectionInfo, DETECTION_RECORD_BYTES } from '../backends/c/ssd-detection.ts';
import type { CompiledModel } from '../compile/compiled-model.ts';
import { TinyedgeError } from '../errors.ts';
import { photoSize, pixelBox } from '../output/draw-detections.ts';
import type { Detection } from '../reference/detection/ssd-postprocess.ts';
import { median } from './prediction.ts';
import { type RunOptions, runC, runsOf } from './run-compiled.ts';

/** A detector run's detections and raw int8 outputs. */
export interface DetectorOutputs {
  detections: Detection[];
  boxes: Int8Array;
  scores: Int8Array;
}

/** `run --json` on a detector. */
export interface DetectionResult {
  detections: { classIndex: number; label: string; score: number; box: number[]; pixels: number[] }[];
  outputs: { boxes: { name: string; data: number[] }; scores: { name: string; data: number[] } };
  latencyMs: number | null;
  memory: { arenaBytes: number; weightBytes: number; codeBytes: number | null };
}

/** Detections with labels and boxes in pixels of an image of width × height. */
export function labeledDetections(
  detections: readonly Detection[],
  labels: string[] | undefined,
  size: { width: number; height: number },
): DetectionResult['detections'] {
  return detections.map((d) => ({
    classIndex: d.classIndex,
    label: labels?.[d.classIndex] ?? String(d.classIndex),
    score: d.score,
    box: d.box,
    pixels: pixelBox(d.box, size.width, size.height),
  }));
}

/** Width and height the boxes are given in: the photo's, or the model input's for a raw tensor. */
export async function boxSpace(
  image: string | undefined,
  inputShape: readonly number[],
): Promise<{ width: number; height: number }> {
  return image ? photoSize(image) : { width: inputShape[2]!, height: inputShape[1]! };
}

/** Parses the C detector runner's record (ssd-detection.ts: count, te_detection records, raw outputs; little-endian). */
export function parseDetectionRecord(info: CDetectionInfo, bytes: Uint8Array): DetectorOutputs {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getInt32(0, true);
  const detections = Array.from({ length: count }, (_, i): Detection => {
    const at = 4 + i * DETECTION_RECORD_BYTES;
    const f = (k: number) => view.getFloat32(at + 4 * k, true);
    return {
      classIndex: view.getInt32(at + 20, true),
      score: f(4),
      box: [f(0), f(1), f(2), f(3)],
      anchor: view.getInt32(at + 24, true),
    };
  });
  const rawAt = 4 + DETECTION_RECORD_BYTES * info.maxDetections;
  const raw = (at: number, length: number) => new Int8Array(bytes.buffer, bytes.byteOffset + at, length).slice();
  return {
    detections,
    boxes: raw(rawAt, info.boxes.length),
    scores: raw(rawAt + info.boxes.length, info.scores.length),
  };
}

function readJson<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new TinyedgeError('TE504', `malformed: ${(e as Error).message}`, { file });
  }
}

/** Labels and output names of a compiled detector (C: detection.json; wasm32: model.json), labels falling back to the model's. */
function detectorDescription(
  dir: string,
  compiled: CompiledModel,
): { labels?: string[]; boxes: string; scores: string } {
  const d =
    compiled.target === 'wasm32'
      ? (readJson<ModelInfo>(join(dir, 'model.json')).detection as NonNullable<ModelInfo['detection']>)
      : readJson<CDetectionInfo>(join(dir, C_DETECTION_FILE));
  const labels = d.labels ?? compiled.labels;
  return { ...(labels ? { labels } : {}), boxes: d.boxes.name, scores: d.scores.name };
}

/** Whether a compiled folder holds a detector (its post-processing compiled beside the model). */
export function isDetectorFolder(dir: string, compiled: CompiledModel): boolean {
  if (compiled.target === 'wasm32')
    return existsSync(join(dir, 'model.json')) && readJson<ModelInfo>(join(dir, 'model.json')).detection !== undefined;
  return existsSync(join(dir, C_DETECTION_FILE));
}

/** Runs model.wasm and ssd-postprocess.wasm through the loader; each timed run includes the post-processing. */
async function runDetectorWasm(
  dir: string,
  x: Int8Array,
  runs: number,
): Promise<{ latencies: number[]; out: DetectorOutputs }> {
  const info = readJson<ModelInfo>(join(dir, 'model.json'));
  const model = await TinyedgeModel.load(readFileSync(join(dir, 'model.wasm')), info, {
    ssdPostprocess: readFileSync(join(dir, 'ssd-postprocess.wasm')),
  });
  const latencies: number[] = [];
  let detections: Detection[] = [];
  for (let i = 0; i < runs; i++) {
    model.setInput(x);
    const t0 = performance.now();
    model.run();
    detections = model.detect();
    latencies.push(performance.now() - t0);
  }
  return { latencies, out: { detections, ...model.detectorOutputs() } };
}

/** Runs a compiled detector on its quantized input `x`; boxes are given in pixels of `image` (else of the model's input). */
export async function runDetector(
  dir: string,
  x: Int8Array,
  options: RunOptions & { image?: string },
  compiled: CompiledModel,
): Promise<DetectionResult> {
  const runs = runsOf(options);
  const { input } = compiled;
  const target = loadTarget(compiled.target);
  let latencies: number[];
  let out: DetectorOutputs;
  if (target.backend === 'wasm') ({ latencies, out } = await runDetectorWasm(dir, x, runs));
  else {
    const c = runC(dir, target, x, 'int8', runs);
    latencies = c.latencies;
    out = parseDetectionRecord(
      readJson<CDetectionInfo>(join(dir, C_DETECTION_FILE)),
      new Uint8Array(c.y.buffer, c.y.byteOffset, c.y.byteLength),
    );
  }
  const { labels, boxes, scores } = detectorDescription(dir, compiled);
  return {
    detections: labeledDetections(out.detections, labels, await boxSpace(options.image, input.shape)),
    outputs: {
      boxes: { name: boxes, data: Array.from(out.boxes) },
      scores: { name: scores, data: Array.from(out.scores) },
    },
    latencyMs: latencies.length ? Number(median(latencies).toFixed(3)) : null,
    memory: {
      arenaBytes: compiled.memory.arenaBytes,
      weightBytes: compiled.memory.weightBytes,
      codeBytes: compiled.memory.codeBytes,
    },
  };
}
