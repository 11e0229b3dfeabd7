/** @fileoverview The model.json of a wasm32 build: what the project writes and the demo pages read. */
import type { ActivationType } from '../../../quantize/prepare/quant-params.ts';
import type { RuntimePartsInfo } from './runtime-parts.ts';

/** A tensor's shape, quantization and element type in model.json. */
export interface WasmTensorInfo<D extends string = ActivationType> {
  name: string;
  shape: number[];
  scale: number;
  zeroPoint: number;
  dtype: D;
}

/** An output's element type: an activation's, or int32 indices (ArgMax, scale 1 and zero point 0). */
export type WasmOutputType = ActivationType | 'int32';

/** What model.json holds (the loader's ModelInfo). */
export interface WasmModelInfo extends RuntimePartsInfo {
  model: string;
  input: WasmTensorInfo;
  output: WasmTensorInfo<WasmOutputType>;
  /** Every output in the graph's order (output 0 first, as `output`), with its address in the module's memory. */
  outputs: (WasmTensorInfo<WasmOutputType> & { ptr: number })[];
  labels?: string[];
  preprocessing: { scale: number; offset: number };
  /** Compiled with --threads N: the threaded module beside model.wasm and the pages of the memory it shares. */
  threads?: { max: number; pages: number; module: string };
}
