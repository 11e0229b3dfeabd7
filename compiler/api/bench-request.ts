/**
 * @fileoverview What a `tinyedge bench` run will measure, checked before anything is built: the model loads, the
 * flags fit the target and the model, and the input exists and fits the model's input. The CLI checks this before it
 * starts tools/bench (so a mistake costs seconds, not a build), and tools/bench takes its model and input from here.
 */
import { join } from 'node:path';
import { mulberry32 } from '../../models/builders/mulberry32.ts';
import { imageToInput } from '../../models/image-input.ts';
import { DEFAULT_MODEL, type LoadedModel, MCU_MODEL, PACKAGED_MODELS, SAMPLES_DIR } from '../../models/registry.ts';
import { loadTarget } from '../../targets/target.ts';
import { TinyedgeError } from '../errors.ts';
import { readF32Input, readRawInput } from '../input/read-input.ts';
import { tensorOf } from '../ir/graph.ts';
import { formatShape, sizeOf, type Tensor } from '../ir/tensor.ts';
import { MAX_THREADS } from '../plan/thread-split.ts';
import { activationType, dequantizeArray, quantizeForTensor, RANGE_OF } from '../quantize/prepare/quant-params.ts';
import { readWavClip } from '../reference/audio/read-wav.ts';
import type { Activations } from '../reference/integer/conv.ts';
import { prepareModel } from './prepare-model.ts';

/** The flags of a bench run, as given (paths absolute or relative to the working directory). */
export interface BenchFlags {
  /** A model name, or a path to a model file or artifact. */
  model: string;
  target?: string;
  runs: string;
  /** --threads: with --target host, also tinyedge and onnxruntime-node on this many threads. */
  threads?: string;
  image?: string;
  input?: string;
  audio?: string;
  /** --browser: with --target wasm32, in headless Chromium beside TFLite-web (tools/bench/wasm32-browser.ts). */
  browser?: boolean;
}

/** What the model is fed. `f32` and `raw` are read from files; `seeded` is made once the input's quantization is known. */
export type BenchInput =
  | { kind: 'f32'; label: string; values: Float32Array }
  | { kind: 'raw'; label: string; values: Activations }
  | { kind: 'audio'; label: string; pcm: Int16Array }
  | { kind: 'seeded'; label: string };

/** A checked bench run: the model loaded (not yet quantized), its input read, the runs counted. */
export interface BenchRequest {
  /** The model actually benched (an Arm target's default is the MCU-sized builder). */
  spec: string;
  model: LoadedModel;
  target?: string;
  runs: number;
  /** Threads beside one (--target host; 1: one thread only). */
  threads: number;
  input: BenchInput;
}

/** The photo bench feeds an image model when none is given. */
export const DEFAULT_BENCH_IMAGE = join(SAMPLES_DIR, 'coffee.png');
/** The clip bench feeds an audio model when none is given (a synthetic PCG with a murmur). */
export const DEFAULT_BENCH_AUDIO = join(SAMPLES_DIR, 'audio', 'pcg-murmur-1.wav');

/** The seed of the input fed to a model that takes no image (mulberry32), so every run feeds the same values. */
const INPUT_SEED = 1;

/** Targets whose bench compares wall time with peers in this process; the others count instructions under qemu. */
const PEER_TARGETS = new Set(['host', 'wasm32']);

/**
 * Loads the model and reads the input, refusing what bench cannot measure as asked. `optimized: false` skips the f32
 * passes (the CLI's early check needs the input's shape, not an optimized graph).
 */
export async function checkBenchRequest(
  flags: BenchFlags,
  options: { optimized?: boolean } = {},
): Promise<BenchRequest> {
  const runs = Number(flags.runs);
  if (!/^\s*\d+\s*$/.test(flags.runs) || runs < 1)
    throw new TinyedgeError('TE601', `--runs must be a whole number ≥ 1, got '${flags.runs}'`);
  const target = flags.target === undefined ? undefined : loadTarget(flags.target);
  const threads = flags.threads === undefined ? 1 : Number(flags.threads);
  if (flags.threads !== undefined && (!/^\s*\d+\s*$/.test(flags.threads) || threads < 1 || threads > MAX_THREADS))
    throw new TinyedgeError(
      'TE601',
      `--threads must be a whole number from 1 to ${MAX_THREADS}, got '${flags.threads}'`,
    );
  if (threads > 1 && target?.name !== 'host')
    throw new TinyedgeError(
      'TE602',
      '--threads needs --target host (tinyedge and onnxruntime-node on 1 and N threads)',
    );
  if (flags.browser && target?.name !== 'wasm32')
    throw new TinyedgeError('TE602', '--browser needs --target wasm32 (the WebAssembly build in headless Chromium)');
  // A microcontroller cannot hold the default model: its bench defaults to the MCU-sized builder.
  const spec = flags.model === DEFAULT_MODEL && target?.memory?.flashBytes ? MCU_MODEL : flags.model;
  if (!target && !PACKAGED_MODELS[spec]) {
    throw new TinyedgeError(
      'TE606',
      `without --target, bench runs the f32 reference interpreter beside TF.js on a packaged model (${Object.keys(PACKAGED_MODELS).join(', ')}); give --target host, wasm32 or an Arm target to bench this one as int8`,
      { file: spec },
    );
  }
  if (!target && (flags.input || flags.audio))
    throw new TinyedgeError(
      'TE602',
      `${flags.input ? '--input' : '--audio'} needs a --target (without one, bench feeds a photo to the f32 interpreter and TF.js)`,
    );
  const model = prepareModel(spec, { optimized: options.optimized ?? true });
  if (!target && model.graph.detection) {
    throw new TinyedgeError(
      'TE606',
      'is a detector: TF.js runs it with executeAsync, which the f32 bench does not; give --target wasm32 (tinyedge beside TF.js to the same outputs)',
      { file: spec },
    );
  }
  if (target && PEER_TARGETS.has(target.name)) {
    // The peers run the same int8 model as ONNX on a tensor input; an audio net (CWT in front, a transposed conv) has neither.
    if (model.audio)
      throw new TinyedgeError(
        'TE606',
        `is an audio model: bench counts its instructions (CWT and layers) on an Arm target, e.g. --target cortex-m4; the ${target.name} peers take images`,
        { file: spec },
      );
    if (model.quantized && inputTensor(model).dtype === 'int16')
      throw new TinyedgeError(
        'TE606',
        `is a 16×8 model: the ${target.name} bench feeds int8 inputs; bench it on an Arm target (e.g. --target cortex-m55)`,
        { file: spec },
      );
  }
  return {
    spec,
    model,
    ...(target ? { target: target.name } : {}),
    runs,
    threads,
    input: await readBenchInput(model, flags),
  };
}

/** The model's input tensor (bench feeds models with one). */
export function inputTensor(model: LoadedModel): Tensor {
  const g = model.graph;
  if (g.inputs.length !== 1)
    throw new TinyedgeError('TE606', `the model has ${g.inputs.length} inputs; bench feeds models with one`, {
      file: model.spec,
    });
  return tensorOf(g, g.inputs[0]!);
}

/**
 * Whether the input is a picture (1×H×W×1 or ×3, both sides at least 16): such a model gets the bundled photo by
 * default; any other (an autoencoder's 1×640 features, a keyword spotter's 49×10 MFCCs) a seeded tensor.
 */
export function takesImages(shape: readonly number[]): boolean {
  return (
    shape.length === 4 && shape[0] === 1 && (shape[3] === 1 || shape[3] === 3) && shape[1]! >= 16 && shape[2]! >= 16
  );
}

/** Reads and checks the input the flags name, or picks the default for the model: its clip, the photo, or a seeded tensor. */
async function readBenchInput(model: LoadedModel, flags: BenchFlags): Promise<BenchInput> {
  if (model.audio) {
    if (flags.image || flags.input)
      throw new TinyedgeError(
        'TE606',
        `is an audio model: give --audio CLIP.wav (16-bit PCM mono, ${model.audio.sampleRate} Hz), or nothing for a bundled clip`,
        { file: model.spec },
      );
    const file = flags.audio ?? DEFAULT_BENCH_AUDIO;
    return { kind: 'audio', label: file, pcm: readWavClip(file, model.audio) };
  }
  if (flags.audio)
    throw new TinyedgeError('TE606', 'takes an image or a tensor, not audio: give --image FILE or --input FILE', {
      file: model.spec,
    });
  if (flags.image && flags.input) throw new TinyedgeError('TE602', 'give at most one of --image FILE and --input FILE');
  const t = inputTensor(model);
  if (flags.input) {
    // A float model is quantized to int8 before it runs: raw integers must then be int8 (or uint8) bytes.
    const slot = { name: t.name, shape: t.shape, dtype: model.quantized ? activationType(t.dtype) : ('int8' as const) };
    if (/\.f32$/i.test(flags.input))
      return { kind: 'f32', label: flags.input, values: readF32Input(flags.input, slot) };
    if (!/\.([iu]8|i16)$/i.test(flags.input))
      throw new TinyedgeError(
        'TE603',
        '--input must be FILE.f32 (float32), FILE.i8 / FILE.u8 (bytes) or FILE.i16 (little-endian)',
        { file: flags.input },
      );
    return { kind: 'raw', label: flags.input, values: readRawInput(flags.input, slot) };
  }
  if (flags.image || takesImages(t.shape)) {
    const file = flags.image ?? DEFAULT_BENCH_IMAGE;
    return { kind: 'f32', label: file, values: await imageToInput(file, t.shape, model.preprocessing) };
  }
  return {
    kind: 'seeded',
    label: `seeded ${formatShape(t.shape)} tensor (mulberry32, seed ${INPUT_SEED}; no image input: give --input FILE for real data)`,
  };
}

/** The quantized model's input as integers: raw bytes as they are, floats quantized, a seeded tensor uniform over the type's range. */
export function integerInputOf(input: BenchInput, t: Tensor): Activations {
  switch (input.kind) {
    case 'raw':
      return input.values;
    case 'f32':
      return quantizeForTensor(input.values, t);
    case 'seeded': {
      const type = activationType(t.dtype);
      const [lo, hi] = RANGE_OF[type];
      const next = mulberry32(INPUT_SEED);
      const values = Array.from({ length: sizeOf(t.shape) }, () => lo + Math.floor(next() * (hi - lo + 1)));
      return type === 'int16' ? Int16Array.from(values) : Int8Array.from(values);
    }
    case 'audio':
      throw new Error('internal: an audio input is PCM for the CWT front end, not the model tensor');
  }
}

/** The input as floats for the peers that take them (a photo as decoded; integers dequantized with the input's parameters). */
export function floatInputOf(input: BenchInput, t: Tensor): Float32Array {
  if (input.kind === 'f32') return input.values;
  if (!t.quant) throw new Error(`internal: input '${t.name}' is not quantized`);
  return dequantizeArray(integerInputOf(input, t), t.quant);
}
