/** @fileoverview `tinyedge predict [model] (--image F | --input F.f32) [--json]`: one inference with the f32 reference interpreter. */
import { readUserFile } from '../frontends/tfjs-common/artifacts.ts';
import { runF32 } from '../reference/f32/interpreter.ts';
import { peakActivationBytes, modelStats } from '../ir/stats.ts';
import { Graph, tensorOf } from '../ir/graph.ts';
import { formatShape, sizeOf } from '../ir/tensor.ts';
import { TinyedgeError } from '../errors.ts';
import { imageToInput } from '../../models/image-input.ts';
import { LoadedModel } from '../../models/registry.ts';
import { prepareModel } from './prepare-model.ts';
import { startProgress } from './progress.ts';
import { bytes, table } from './format.ts';

/** Options of predict. */
export interface PredictOptions {
  image?: string;
  input?: string;
  precision: 'f32';
  json?: boolean;
}

/** The design's result object for predict and run. */
export interface PredictionResult {
  output: { name: string; shape: number[]; dtype: string; scale: number | null; zeroPoint: number | null; data: number[] };
  top: { index: number; label: string; score: number }[];
  latencyMs: number;
  memory: { arenaBytes: number; weightBytes: number; codeBytes: number | null };
}

/** Reads a raw little-endian float32 tensor file and checks it fills the input exactly. */
export function readF32Input(file: string, g: Graph): Float32Array {
  const input = tensorOf(g, g.inputs[0]);
  const need = sizeOf(input.shape);
  const raw = readUserFile(file, 'input tensor');
  if (raw.length !== need * 4) {
    throw new TinyedgeError(
      `expects ${need} float32 values (${need * 4} bytes, shape ${formatShape(input.shape)}, NHWC, little-endian) but the file has ${raw.length} bytes`,
      { file, node: input.name, op: 'input' },
    );
  }
  const values = new Float32Array(need);
  for (let i = 0; i < need; i++) values[i] = raw.readFloatLE(i * 4);
  return values;
}

/** Builds the model input from --image or --input. */
export async function modelInput(model: LoadedModel, options: { image?: string; input?: string }): Promise<Float32Array> {
  if (!!options.image === !!options.input) throw new TinyedgeError('give exactly one of --image FILE or --input FILE.f32');
  const g = model.graph;
  if (g.inputs.length !== 1) throw new TinyedgeError(`the model has ${g.inputs.length} inputs; predict feeds models with one`, { file: g.source });
  if (options.input) return readF32Input(options.input, g);
  return imageToInput(options.image as string, tensorOf(g, g.inputs[0]).shape, model.preprocessing);
}

/** The k best classes of a score vector. */
export function topK(scores: ArrayLike<number>, labels: string[] | undefined, k = 5): PredictionResult['top'] {
  return Array.from(scores, (score, index) => ({ index, label: labels?.[index] ?? String(index), score }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

/** Runs one inference and prints top-5, latency and memory. */
export async function predictCommand(spec: string | undefined, options: PredictOptions): Promise<void> {
  const model = prepareModel(spec, { quiet: options.json });
  const g = model.graph;
  const x = await modelInput(model, options);
  const progress = startProgress('running', g.nodes.length, !options.json);
  let done = 0;
  const started = performance.now();
  const outputs = runF32(g, { [g.inputs[0]]: x }, { onNode: () => progress.update(++done) });
  const latencyMs = performance.now() - started;
  progress.stop();
  const outName = g.outputs[0];
  const y = outputs.get(outName) as Float32Array;
  const result: PredictionResult = {
    output: { name: outName, shape: tensorOf(g, outName).shape, dtype: 'f32', scale: null, zeroPoint: null, data: Array.from(y) },
    top: topK(y, model.labels),
    latencyMs: Number(latencyMs.toFixed(3)),
    memory: { arenaBytes: peakActivationBytes(g), weightBytes: modelStats(g).totals.weightBytes, codeBytes: null },
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const rows = result.top.map((t, i) => [i + 1, t.label, t.index, t.score.toFixed(6)]);
  process.stdout.write(
    [
      `model    ${model.spec} (f32 reference interpreter)`,
      `input    ${options.image ?? options.input}`,
      table(['rank', 'label', 'class', 'score'], rows, [0, 2, 3]),
      `latency  ${latencyMs.toFixed(1)} ms`,
      `memory   activations ${bytes(result.memory.arenaBytes)} peak, weights ${bytes(result.memory.weightBytes)}`,
    ].join('\n') + '\n',
  );
}
