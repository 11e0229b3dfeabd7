import { Detection, SsdTables } from './ssd-postprocess.js';

export { Detection, SsdTables };

/** Shape and quantization of a model input or output: real = scale × (q − zeroPoint), NHWC. */
export interface TensorInfo {
  name: string;
  shape: number[];
  scale: number;
  zeroPoint: number;
  /** Element type of the raw values: int16 in 16×8 models; absent (older model.json) means int8. */
  dtype?: 'int8' | 'int16';
}

/** An output's: its raw values may also be int32 indices (an ArgMax output; scale 1, zero point 0). */
export interface OutputInfo extends Omit<TensorInfo, 'dtype'> {
  dtype?: 'int8' | 'int16' | 'int32';
}

/** What model.json (written beside model.wasm) says about the model. */
export interface ModelInfo {
  model: string;
  input: TensorInfo;
  /** Output 0. */
  output: OutputInfo;
  /** Every output in the model's order (output 0 first), with its byte address in the module's memory; absent in model.json from before several outputs. */
  outputs?: (OutputInfo & { ptr: number })[];
  labels?: string[];
  preprocessing: { scale: number; offset: number };
  /** int8 RGB inputs: the input value of each 8-bit pixel value (image-preprocess.wasm's table). */
  pixelTable?: number[];
  /** A detector's on-device post-processing: where its two raw int8 outputs lie in the module's memory, and the tables. */
  detection?: {
    boxes: { name: string; ptr: number; length: number };
    scores: { name: string; ptr: number; length: number };
    labels?: string[];
    tables: SsdTables;
  };
  /** A model compiled with --threads N: its threaded module (beside model.wasm) and the memory it shares. */
  threads?: { max: number; pages: number; module: string };
}

/** A worker running tinyedge-thread.js: a Web Worker (addEventListener) or a Node worker_threads Worker (on). */
export interface ThreadWorkerLike {
  postMessage(message: unknown): void;
  addEventListener?(type: 'message', listener: (event: { data: unknown }) => void): void;
  on?(event: 'message', listener: (data: unknown) => void): void;
  terminate(): unknown;
}

/** How to run a model compiled with --threads N on workers sharing its memory. */
export interface ThreadOptions {
  /** Bytes of model-threads.wasm. */
  module: ArrayBuffer | Uint8Array;
  /** Threads to run on, this one included (count − 1 workers start), 1 … info.threads.max (default: the max). */
  count?: number;
  /** Starts one worker running tinyedge-thread.js, e.g. `() => new Worker('tinyedge-thread.js', { type: 'module' })`. */
  createWorker: () => ThreadWorkerLike;
}

/** Options of TinyedgeModel.load. */
export interface LoadOptions {
  /** Bytes of ssd-postprocess.wasm: needed by detectors. */
  ssdPostprocess?: ArrayBuffer | Uint8Array;
  /** Bytes of image-preprocess.wasm: enables setImage. */
  imagePreprocess?: ArrayBuffer | Uint8Array;
  /**
   * Run on workers sharing the module's memory; where memory cannot be shared (a page not cross-origin isolated,
   * no SharedArrayBuffer) or the model has no threaded module, the one-thread bytes run and threadsWarning says why.
   */
  threads?: ThreadOptions;
}

/** Raw values of a model's input or output: Int8Array, Int16Array when its TensorInfo says int16 (16×8), Int32Array for indices (an ArgMax output). */
export type RawValues = Int8Array | Int16Array | Int32Array;

/**
 * A compiled tinyedge model: set an input, run, read the output with its quantization. `In` and `Out` are the raw
 * input and output arrays its TensorInfo dtypes name: Int16Array for 16×8 models.
 */
export declare class TinyedgeModel<In extends RawValues = Int8Array, Out extends RawValues = In> {
  static load<In extends RawValues = Int8Array, Out extends RawValues = In>(
    bytes: ArrayBuffer | Uint8Array,
    info: ModelInfo,
    options?: LoadOptions,
  ): Promise<TinyedgeModel<In, Out>>;
  readonly info: ModelInfo;
  /** Threads a run uses, the calling one included (1: the calling thread alone). */
  readonly threads: number;
  /** Why threads were asked for and not used (e.g. the page is not cross-origin isolated), else undefined. */
  readonly threadsWarning: string | undefined;
  /** Threads the next run uses, clamped to 1 … those started. */
  setThreads(n: number): void;
  /** Ends the workers (a process with live workers does not exit); run and runAsync then use the calling thread. */
  dispose(): void;
  /** run(), as a promise. */
  runAsync(): Promise<void>;
  setInput(values: In): void;
  setInputFloat(values: ArrayLike<number>): void;
  /** Writes the input from RGBA (channels 4, the default) or RGB pixels of a width × height photo, resized and quantized in WebAssembly. */
  setImage(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number, channels?: 3 | 4): void;
  /**
   * Runs one inference on the calling thread and, for a threaded model, its workers; returns when the output is
   * complete. The calling thread polls at barriers and never waits, so a browser's main thread may call it.
   */
  run(): void;
  /** Output 0's raw values, copied. */
  output(): Out;
  /** Every output's raw values by name, in the model's order, copied. */
  outputs(): Record<string, RawValues>;
  outputFloat(): Float32Array;
  /** A detector's detections of the last run, best first. */
  detect(): Detection[];
  /** A detector's raw box encodings and score codes of the last run. */
  detectorOutputs(): { boxes: Int8Array; scores: Int8Array };
}
