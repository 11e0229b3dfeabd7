/** @fileoverview The model.json of a wasm32 build: what the project writes and the demo pages read. */
import type { ActivationType } from '../../../quantize/prepare/quant-params.ts';
import type { RuntimePartsInfo } from './runtime-parts.ts';

/** What model.json holds (the loader's ModelInfo). */
export interface WasmModelInfo extends RuntimePartsInfo {
  model: string;
  input: { name: string; shape: number[]; scale: number; zeroPoint: number; dtype: ActivationType };
  output: { name: string; shape: number[]; scale: number; zeroPoint: number; dtype: ActivationType };
  /** Every output in the graph's order (output 0 first, as `output`), with its address in the module's memory. */
  outputs: { name: string; shape: number[]; scale: number; zeroPoint: number; dtype: ActivationType; ptr: number }[];
  labels?: string[];
  preprocessing: { scale: number; offset: number };
  /** Compiled with --threads N: the threaded module beside model.wasm and the pages of the memory it shares. */
  threads?: { max: number; pages: number; module: string };
}
