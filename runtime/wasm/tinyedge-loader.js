/**
 * @fileoverview The tinyedge WebAssembly loader: plain ES module, no Node or DOM APIs, so it runs unchanged in Node,
 * browsers and Android WebViews. Types are in tinyedge-loader.d.ts.
 */

/** Round half away from zero, as the compiler quantizes. */
function roundHalfAway(x) {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** A compiled tinyedge model: set an input, run, read the output with its quantization. */
export class TinyedgeModel {
  /**
   * Instantiates the module bytes described by `info` (the model.json written beside model.wasm).
   * @param {ArrayBuffer | Uint8Array} bytes
   * @param {import('./tinyedge-loader').ModelInfo} info
   */
  static async load(bytes, info) {
    const { instance } = await WebAssembly.instantiate(bytes, {});
    return new TinyedgeModel(instance.exports, info);
  }

  constructor(exports, info) {
    this.exports = exports;
    this.info = info;
    this.inputBytes = info.input.shape.reduce((a, b) => a * b, 1);
    this.outputBytes = info.output.shape.reduce((a, b) => a * b, 1);
  }

  /** The module's memory as int8, fetched each time (memory objects may be replaced by growth). */
  memory() {
    return new Int8Array(this.exports.memory.buffer);
  }

  /** Writes raw int8 input values. */
  setInput(values) {
    if (values.length !== this.inputBytes) throw new Error(`input needs ${this.inputBytes} int8 values, got ${values.length}`);
    this.memory().set(values, this.exports.input_ptr());
  }

  /** Quantizes float input values with the input's scale and zero point, then writes them. */
  setInputFloat(values) {
    const { scale, zeroPoint } = this.info.input;
    const q = new Int8Array(values.length);
    for (let i = 0; i < values.length; i++) q[i] = Math.max(-128, Math.min(127, roundHalfAway(values[i] / scale) + zeroPoint));
    this.setInput(q);
  }

  /** Runs one inference on the input written last. The arena reuses the input's bytes: write it again before the next run. */
  run() {
    this.exports.run();
  }

  /** The raw int8 output. */
  output() {
    const at = this.exports.output_ptr();
    return this.memory().slice(at, at + this.outputBytes);
  }

  /** The output dequantized: scale × (q − zero point). */
  outputFloat() {
    const { scale, zeroPoint } = this.info.output;
    return Float32Array.from(this.output(), (q) => scale * (q - zeroPoint));
  }
}
