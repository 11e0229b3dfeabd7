/**
 * @fileoverview The CWT front end of tinyedge's audio models in WebAssembly: wraps cwt.wasm (AssemblyScript,
 * runtime/wasm/assembly/cwt.ts) with the tables the compiler wrote (audio.json). Plain ES module, no Node or DOM
 * APIs, like tinyedge-loader.js beside it; types in tinyedge-cwt.d.ts.
 */

const PAGE = 65536;

/** The fixed-point CWT: an int16 PCM clip in, the model's int8 input out (bit-exact with the C runtime and the compiler's reference). */
export class TinyedgeCwt {
  /**
   * Instantiates cwt.wasm with the front end `info` describes (audio.json).
   * @param {ArrayBuffer | Uint8Array} bytes
   * @param {import('./tinyedge-cwt').CwtInfo} info
   */
  static async load(bytes, info) {
    const { instance } = await WebAssembly.instantiate(bytes, {});
    return new TinyedgeCwt(instance.exports, info);
  }

  constructor(exports, info) {
    this.exports = exports;
    this.info = info;
    const { config, offsets, halves, taps } = info;
    // Our buffers start past whatever the module holds: tables, then the clip, then the output (16-byte aligned).
    const align = (n) => Math.ceil(n / 16) * 16;
    const base = align(exports.memory.buffer.byteLength);
    this.offsets = base;
    this.halves = align(this.offsets + 4 * offsets.length);
    this.taps = align(this.halves + 4 * halves.length);
    this.pcm = align(this.taps + 2 * taps.length);
    this.out = align(this.pcm + 2 * config.samples);
    const end = this.out + config.rows * config.columns;
    exports.memory.grow(Math.max(0, Math.ceil((end - exports.memory.buffer.byteLength) / PAGE)));
    new Int32Array(exports.memory.buffer, this.offsets, offsets.length).set(offsets);
    new Int32Array(exports.memory.buffer, this.halves, halves.length).set(halves);
    new Int16Array(exports.memory.buffer, this.taps, taps.length).set(taps);
  }

  /** The model's int8 input [rows × columns] for one clip of exactly `config.samples` int16 samples. */
  run(pcm) {
    const { config: c, hop, step, requantize: q } = this.info;
    if (pcm.length !== c.samples) throw new Error(`the CWT takes ${c.samples} samples, got ${pcm.length}`);
    new Int16Array(this.exports.memory.buffer, this.pcm, c.samples).set(pcm);
    this.exports.cwt(
      this.pcm,
      c.samples,
      c.rows,
      c.columns,
      c.subsamples,
      hop,
      step,
      this.offsets,
      this.halves,
      this.taps,
      q.multiplier,
      q.shift,
      q.zeroPoint,
      this.out,
    );
    return new Int8Array(this.exports.memory.buffer, this.out, c.rows * c.columns).slice();
  }
}
