/**
 * @fileoverview The runtime's hand-written WebAssembly parts a wasm32 folder ships beside model.wasm (AssemblyScript
 * modules built by runtime/wasm/assembly/build.mjs, and the JS wrappers the loader imports), and what model.json
 * tells them: the pixel → int8 table of image preprocessing, a detector's post-processing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TinyedgeError } from '../../../errors.ts';
import { pixelTable } from '../../../image/pixel-table.ts';
import { type Graph, tensorOf } from '../../../ir/graph.ts';
import type { Quantization } from '../../../ir/tensor.ts';
import type { MemoryPlan } from '../../../plan/plan-memory.ts';
import { type WasmDetectionInfo, wasmDetectionInfo } from './ssd-detection.ts';

const RUNTIME_WASM = new URL('../../../../runtime/wasm/', import.meta.url);

/** The wrappers every loader imports, whether or not the model uses them. */
const WRAPPERS = [
  'ssd-postprocess.js',
  'ssd-postprocess.d.ts',
  'image-preprocess.js',
  'image-preprocess.d.ts',
  'tinyedge-threads.js',
];

/** What model.json says for the runtime parts. */
export interface RuntimePartsInfo {
  /** int8 RGB inputs: the int8 value of each 8-bit pixel value (runtime/wasm/image-preprocess.js). */
  pixelTable?: number[];
  /** A detector's on-device post-processing (runtime/wasm/ssd-postprocess.js). */
  detection?: WasmDetectionInfo;
}

function assemblyModule(name: string): Uint8Array {
  const file = fileURLToPath(new URL(`assembly/build/${name}.wasm`, RUNTIME_WASM));
  if (!existsSync(file))
    throw new TinyedgeError('TE901', "is missing: build the runtime's AssemblyScript parts with `npm run prepare`", {
      file,
    });
  return readFileSync(file);
}

/** The parts a model needs, their model.json entries and files; `inputPtr` is the input's address in model.wasm. */
export function wasmRuntimeParts(
  g: Graph,
  plan: MemoryPlan,
  inputPtr: number,
  preprocessing: { scale: number; offset: number },
): { info: RuntimePartsInfo; files: Record<string, string | Uint8Array> } {
  const input = tensorOf(g, g.inputs[0]!);
  const rgb = input.dtype === 'int8' && input.shape.length === 4 && input.shape[3] === 3;
  const q = input.quant as Quantization;
  const info: RuntimePartsInfo = {
    ...(rgb
      ? { pixelTable: Array.from(pixelTable(preprocessing, { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0]! })) }
      : {}),
    ...(g.detection ? { detection: wasmDetectionInfo(g, plan, inputPtr) } : {}),
  };
  const files: Record<string, string | Uint8Array> = Object.fromEntries(
    WRAPPERS.map((f) => [f, readFileSync(fileURLToPath(new URL(f, RUNTIME_WASM)), 'utf8')]),
  );
  if (rgb) files['image-preprocess.wasm'] = assemblyModule('image-preprocess');
  if (g.detection) files['ssd-postprocess.wasm'] = assemblyModule('ssd-postprocess');
  return { info, files };
}
