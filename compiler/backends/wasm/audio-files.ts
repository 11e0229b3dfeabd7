/**
 * @fileoverview The WebAssembly side of an audio model's CWT front end: cwt.wasm (AssemblyScript, compiled by
 * `npm run prepare` from runtime/wasm/assembly/cwt.ts), its wrapper tinyedge-cwt.js and audio.json (the tables and
 * requantization the wrapper hands it), written beside model.wasm.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TinyedgeError } from '../../errors.ts';
import { CwtFrontEnd } from '../../reference/audio/cwt-int.ts';
import { cwtSteps } from '../../reference/audio/cwt-kernels.ts';
import type { CwtInfo } from '../../../runtime/wasm/tinyedge-cwt.js';

const RUNTIME_WASM = new URL('../../../runtime/wasm/', import.meta.url);

/** The compiled AssemblyScript module, or a clear error when `npm run prepare` has not built it. */
export function cwtWasmBytes(): Uint8Array {
  const file = fileURLToPath(new URL('assembly/build/cwt.wasm', RUNTIME_WASM));
  if (!existsSync(file)) throw new TinyedgeError('is missing: run `npm run prepare` to compile the AssemblyScript runtime', { file });
  return readFileSync(file);
}

/** audio.json's content: what the wrapper needs to run the front end. */
export function cwtInfo(f: CwtFrontEnd): CwtInfo {
  const { hop, step } = cwtSteps(f.tables.config);
  return { config: f.tables.config, hop, step, offsets: Array.from(f.tables.offsets), halves: Array.from(f.tables.halves), taps: Array.from(f.tables.taps), requantize: f.requantize };
}

/** The files an audio model's WebAssembly folder adds beside model.wasm. */
export function wasmAudioFiles(f: CwtFrontEnd): Record<string, string | Uint8Array> {
  const wrapper = (name: string) => readFileSync(fileURLToPath(new URL(name, RUNTIME_WASM)), 'utf8');
  return {
    'cwt.wasm': cwtWasmBytes(),
    'audio.json': `${JSON.stringify(cwtInfo(f))}\n`,
    'tinyedge-cwt.js': wrapper('tinyedge-cwt.js'),
    'tinyedge-cwt.d.ts': wrapper('tinyedge-cwt.d.ts'),
  };
}
