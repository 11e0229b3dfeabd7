/** What audio.json (written beside model.wasm for an audio model) says about its CWT front end. */
export interface CwtInfo {
  config: {
    sampleRate: number;
    samples: number;
    rows: number;
    minHz: number;
    maxHz: number;
    omega0: number;
    columns: number;
    subsamples: number;
  };
  hop: number;
  step: number;
  /** Per scale: where its Q14 taps start in `taps` (real then imaginary), and its half-width. */
  offsets: number[];
  halves: number[];
  taps: number[];
  /** Column sums to the model's int8 input (TFLite's MultiplyByQuantizedMultiplier, then the zero point). */
  requantize: { multiplier: number; shift: number; zeroPoint: number };
}

/** The fixed-point CWT in WebAssembly: an int16 PCM clip in, the model's int8 input out. */
export declare class TinyedgeCwt {
  static load(bytes: ArrayBuffer | Uint8Array, info: CwtInfo): Promise<TinyedgeCwt>;
  readonly info: CwtInfo;
  run(pcm: Int16Array): Int8Array;
}
