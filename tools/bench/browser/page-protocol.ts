/** @fileoverview What the browser bench's Node side and its page script (page.ts) pass each other, and the URL folders both name. */

/** The URL folders the bench serves the peers' own WebAssembly files under (from node_modules). */
export const BROWSER_PATHS = {
  /** The page's own folder: TFLite-web's bundle starts loading its build from there when imported. */
  tfliteThreaded: '',
  /** TFLite-web's one-thread SIMD build, answering for the threaded file names (see page.ts's loadTflite). */
  tfliteSimd: '/tflite-simd/',
  tfjsWasm: '/tfjs-wasm/',
  ortWeb: '/ort/',
} as const;

/** What the page is asked to run. */
export interface PageConfig {
  runs: number;
  /** Timed runs per block of one contender. */
  block: number;
  /** The model input's NHWC shape. */
  shape: number[];
  /** A detector: tinyedge also loads ssd-postprocess.wasm and its outputs are the boxes and scores. */
  detector: boolean;
  /** TF.js's outputs to executeAsync to, when tinyedge's graph is cut before the model's own. */
  tfjsOutputs?: string[];
  tfliteThreads: number;
  /** tinyedge's threaded row runs threads/model-threads.wasm on this many workers. */
  tinyedgeThreads: number;
  /** Which peer files the Node side could write (a peer without its file is left out there). */
  files: { tflite: boolean; onnx: boolean; tfjs: boolean };
}

/** One contender's timed runs and each block's untimed first run, in ms. */
export interface PageTimes {
  runtime: string;
  times: number[];
  cold: number[];
}

/** What the page returns. */
export interface PageResult {
  times: PageTimes[];
  skipped: { runtime: string; reason: string }[];
  /** The int8 outputs of the contenders that expose them, by tensor name (values as plain numbers). */
  outputs: { runtime: string; tensors: { tensor: string; values: number[] }[] }[];
  crossOriginIsolated: boolean;
  cores: number;
}
