/** The model input an ImagePreprocessor fills: its width, height and pixel → int8 table (256 entries). */
export interface PreprocessedInput {
  width: number;
  height: number;
  table: ArrayLike<number>;
}

/** Photo pixels to a model's int8 input in WebAssembly, byte for byte tinyedge's TypeScript reference. */
export declare class ImagePreprocessor {
  static load(bytes: ArrayBuffer | Uint8Array, input: PreprocessedInput): Promise<ImagePreprocessor>;
  readonly input: PreprocessedInput;
  run(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number, channels?: 3 | 4): Int8Array;
}
