/**
 * @fileoverview TFLite's own WebAssembly runtime (@tensorflow/tfjs-tflite, one thread, no network) as an oracle:
 * runs .tflite files on f32 inputs in Debian's headless Chromium and returns their first output.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { openPageInChromium } from './chromium-page.ts';

const require = createRequire(import.meta.url);

/** The one-thread builds TFLite-web's loader picks in a page that is not cross-origin isolated. */
const WASM_FILES = [
  'tflite_web_api_cc.js',
  'tflite_web_api_cc.wasm',
  'tflite_web_api_cc_simd.js',
  'tflite_web_api_cc_simd.wasm',
];

/** Each model's output for each input, by model name (`models`: name → .tflite bytes). */
export async function runTfliteWeb(
  models: Record<string, Uint8Array>,
  inputs: readonly Float32Array[],
): Promise<Record<string, Float32Array[]>> {
  const wasm = join(dirname(require.resolve('@tensorflow/tfjs-tflite/package.json')), 'wasm');
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./tflite-web-page.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const files: Record<string, string | Uint8Array> = {
    'index.html':
      '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="page.js"></script>',
    'page.js': bundle.outputFiles[0]!.contents,
  };
  for (const f of WASM_FILES) files[`tflite/${f}`] = readFileSync(join(wasm, f));
  for (const [name, bytes] of Object.entries(models)) files[`${name}.tflite`] = bytes;
  const opened = await openPageInChromium(files, 'tinyedge-tflite-web-');
  try {
    const out: Record<string, Float32Array[]> = {};
    for (const name of Object.keys(models)) {
      const ys = await opened.page.evaluate(
        ([file, xs]) =>
          (window as unknown as { runTflite(f: string, x: number[][]): Promise<number[][]> }).runTflite(file, xs),
        [`${name}.tflite`, inputs.map((x) => Array.from(x))] as const,
      );
      out[name] = ys.map((y) => Float32Array.from(y));
    }
    return out;
  } finally {
    await opened.close();
  }
}
