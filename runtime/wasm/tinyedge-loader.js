/**
 * @fileoverview The tinyedge WebAssembly loader: plain ES module, no Node or DOM APIs, so it runs unchanged in Node,
 * browsers and Android WebViews. Types are in tinyedge-loader.d.ts.
 */

import { ImagePreprocessor } from './image-preprocess.js';
import { SsdPostprocessor } from './ssd-postprocess.js';
import { ThreadTeam, threadsUnavailable } from './tinyedge-threads.js';

/** Round half away from zero, as the compiler quantizes. */
function roundHalfAway(x) {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** The typed array and range of each element type model.json may name; files without one are int8. */
const ELEMENTS = {
  int8: { Array: Int8Array, min: -128, max: 127 },
  int16: { Array: Int16Array, min: -32768, max: 32767 },
  // Indices (an ArgMax output; scale 1, zero point 0): never an input.
  int32: { Array: Int32Array, min: -2147483648, max: 2147483647 },
};

/** A compiled tinyedge model: set an input, run, read the output with its quantization. */
export class TinyedgeModel {
  /**
   * Instantiates the module bytes described by `info` (the model.json written beside model.wasm).
   * @param {ArrayBuffer | Uint8Array} bytes
   * @param {import('./tinyedge-loader').ModelInfo} info
   * @param {import('./tinyedge-loader').LoadOptions} [options] a detector's (info.detection) needs ssdPostprocess;
   *   imagePreprocess enables setImage (int8 RGB inputs, info.pixelTable); threads runs it on workers sharing its
   *   memory where the page may (else on one thread, saying why in threadsWarning)
   */
  static async load(bytes, info, options = {}) {
    const asked = options.threads;
    const unavailable = asked
      ? info.threads
        ? threadsUnavailable()
        : `${info.model} was compiled for one thread (compile with --threads N)`
      : undefined;
    let model;
    if (asked && !unavailable) {
      const count = Math.max(1, Math.min(asked.count ?? info.threads.max, info.threads.max));
      const team = await ThreadTeam.start(asked.module, info.threads.pages, count, asked.createWorker);
      model = new TinyedgeModel(team.exports, info);
      model.team = team;
      model.threads = count;
    } else {
      const { instance } = await WebAssembly.instantiate(bytes, {});
      model = new TinyedgeModel(instance.exports, info);
      if (unavailable) model.threadsWarning = `running on one thread: ${unavailable}`;
    }
    if (info.detection) {
      if (!options.ssdPostprocess)
        throw new Error(
          `${info.model} is a detector: pass the bytes of ssd-postprocess.wasm (beside model.wasm) as options.ssdPostprocess`,
        );
      model.postprocessor = await SsdPostprocessor.load(options.ssdPostprocess, info.detection.tables);
    }
    if (options.imagePreprocess && info.pixelTable) {
      const [, height, width] = info.input.shape;
      model.preprocessor = await ImagePreprocessor.load(options.imagePreprocess, {
        width,
        height,
        table: info.pixelTable,
      });
    }
    return model;
  }

  constructor(exports, info) {
    this.exports = exports;
    this.info = info;
    this.inputElements = ELEMENTS[info.input.dtype ?? 'int8'];
    this.outputElements = ELEMENTS[info.output.dtype ?? 'int8'];
    this.inputLength = info.input.shape.reduce((a, b) => a * b, 1);
    this.outputLength = info.output.shape.reduce((a, b) => a * b, 1);
    /** Threads runAsync uses, this one included (1: this thread alone). */
    this.threads = 1;
    /** Why threads were asked for and not used, else undefined. */
    this.threadsWarning = undefined;
  }

  /** Threads the next run uses, clamped to 1 … the threads started (like the C API's model_set_threads). */
  setThreads(n) {
    this.threads = Math.max(1, Math.min(Math.floor(n), this.team ? this.team.size : 1));
  }

  /** Ends the workers of a threaded model (a process with live workers does not exit); run still works after. */
  dispose() {
    this.team?.terminate();
    this.threads = 1;
  }

  /** `length` elements of type `ElementArray` at byte address `at` of the module's memory, fetched each time (memory objects may be replaced by growth). */
  view(ElementArray, at, length) {
    return new ElementArray(this.exports.memory.buffer, at, length);
  }

  /** Writes raw input values (int8, or int16 for 16×8 models). */
  setInput(values) {
    const { Array: ElementArray } = this.inputElements;
    if (values.length !== this.inputLength)
      throw new Error(
        `input needs ${this.inputLength} ${ElementArray.name.replace('Array', '').toLowerCase()} values, got ${values.length}`,
      );
    this.view(ElementArray, this.exports.input_ptr(), this.inputLength).set(values);
  }

  /** Writes the input from a photo's pixels (RGBA as canvases give them, or RGB): resized and quantized in WebAssembly (image-preprocess.wasm). */
  setImage(pixels, width, height, channels = 4) {
    if (!this.preprocessor)
      throw new Error(
        `${this.info.model}: load with options.imagePreprocess (the bytes of image-preprocess.wasm) to set images; its model.json needs a pixelTable (int8 RGB inputs)`,
      );
    this.setInput(this.preprocessor.run(pixels, width, height, channels));
  }

  /** Quantizes float input values with the input's scale and zero point, then writes them. */
  setInputFloat(values) {
    const { scale, zeroPoint } = this.info.input;
    const { Array: ElementArray, min, max } = this.inputElements;
    const q = new ElementArray(values.length);
    for (let i = 0; i < values.length; i++)
      q[i] = Math.max(min, Math.min(max, roundHalfAway(values[i] / scale) + zeroPoint));
    this.setInput(q);
  }

  /** Runs one inference on the input written last. The arena reuses the input's bytes: write it again before the next run. */
  run() {
    // A threaded model runs on this thread and its workers; this thread only polls at barriers, never waits, so a
    // browser's main thread may run it.
    if (this.team) this.team.run(this.threads);
    else this.exports.run();
  }

  /** run(), as a promise (kept for callers written when a threaded run resolved on the workers' messages). */
  async runAsync() {
    this.run();
  }

  /** The raw output (int8, int16 for 16×8 models, int32 indices for an ArgMax), copied. */
  output() {
    return this.view(this.outputElements.Array, this.exports.output_ptr(), this.outputLength).slice();
  }

  /** Every raw output by name, in the model's order, copied (model.json from before several outputs: output 0). */
  outputs() {
    const all = {};
    for (const o of this.info.outputs ?? [{ ...this.info.output, ptr: this.exports.output_ptr() }]) {
      const length = o.shape.reduce((a, b) => a * b, 1);
      all[o.name] = this.view(ELEMENTS[o.dtype ?? 'int8'].Array, o.ptr, length).slice();
    }
    return all;
  }

  /** A detector's detections of the last run (on-device SSD post-processing of its two raw outputs), best first. */
  detect() {
    if (!this.postprocessor) throw new Error(`${this.info.model} is not a detector (its model.json has no detection)`);
    const { boxes, scores } = this.info.detection;
    return this.postprocessor.detect(
      this.view(Int8Array, boxes.ptr, boxes.length),
      this.view(Int8Array, scores.ptr, scores.length),
    );
  }

  /** A detector's raw int8 box encodings and score codes of the last run, copied. */
  detectorOutputs() {
    const { boxes, scores } = this.info.detection;
    return {
      boxes: this.view(Int8Array, boxes.ptr, boxes.length).slice(),
      scores: this.view(Int8Array, scores.ptr, scores.length).slice(),
    };
  }

  /** The output dequantized: scale × (q − zero point). */
  outputFloat() {
    const { scale, zeroPoint } = this.info.output;
    return Float32Array.from(this.output(), (q) => scale * (q - zeroPoint));
  }
}
