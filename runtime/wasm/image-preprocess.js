/**
 * @fileoverview Photo pixels (canvas RGBA, or RGB) to a model's int8 input in WebAssembly (assembly/image-preprocess.ts
 * compiled to image-preprocess.wasm): bilinear resize and the compiler's pixel → int8 table, byte for byte what
 * tinyedge's TypeScript reference computes. Plain ES module, no Node or DOM APIs. Types in image-preprocess.d.ts.
 */

const PAGE = 65536;
const align16 = (n) => Math.ceil(n / 16) * 16;

/** Image preprocessing for one model input size and pixel table. */
export class ImagePreprocessor {
  /**
   * @param {ArrayBuffer | Uint8Array} bytes image-preprocess.wasm
   * @param {{ width: number, height: number, table: ArrayLike<number> }} input the model's input size and pixel table (256 int8)
   */
  static async load(bytes, input) {
    const { instance } = await WebAssembly.instantiate(bytes, {});
    return new ImagePreprocessor(instance.exports, input);
  }

  constructor(exports, input) {
    this.exports = exports;
    this.input = input;
    this.table = exports.heap_base();
    this.out = align16(this.table + 256);
    this.scratch = align16(this.out + 3 * input.width * input.height);
    this.pixels = align16(this.scratch + 8 * (input.width + input.height));
    this.grow(this.pixels);
    new Int8Array(exports.memory.buffer, this.table, 256).set(input.table);
  }

  /** Grows the module's memory to hold `end` bytes. */
  grow(end) {
    const need = Math.ceil(end / PAGE) - this.exports.memory.buffer.byteLength / PAGE;
    if (need > 0) this.exports.memory.grow(need);
  }

  /**
   * The model's int8 input from `channels` (4: RGBA as canvases give, 3: RGB) pixels of a width × height image.
   * @returns {Int8Array}
   */
  run(pixels, width, height, channels = 4) {
    if (channels !== 3 && channels !== 4)
      throw new Error(`image preprocessing takes RGB or RGBA pixels, got ${channels} channels`);
    if (pixels.length !== width * height * channels)
      throw new Error(
        `image of ${width}×${height}×${channels} needs ${width * height * channels} bytes, got ${pixels.length}`,
      );
    this.grow(this.pixels + pixels.length);
    new Uint8Array(this.exports.memory.buffer, this.pixels, pixels.length).set(pixels);
    const { width: w, height: h } = this.input;
    this.exports.preprocess(this.pixels, width, height, channels, this.out, w, h, this.table, this.scratch);
    return new Int8Array(this.exports.memory.buffer, this.out, 3 * w * h).slice();
  }
}
