/** Shape and quantization of a model input or output: real = scale × (q − zeroPoint), NHWC. */
export interface TensorInfo {
  name: string;
  shape: number[];
  scale: number;
  zeroPoint: number;
}

/** What model.json (written beside model.wasm) says about the model. */
export interface ModelInfo {
  model: string;
  input: TensorInfo;
  output: TensorInfo;
  labels?: string[];
  preprocessing: { scale: number; offset: number };
}

/** A compiled tinyedge model: set an input, run, read the output with its quantization. */
export declare class TinyedgeModel {
  static load(bytes: ArrayBuffer | Uint8Array, info: ModelInfo): Promise<TinyedgeModel>;
  readonly info: ModelInfo;
  setInput(values: Int8Array): void;
  setInputFloat(values: ArrayLike<number>): void;
  run(): void;
  output(): Int8Array;
  outputFloat(): Float32Array;
}
