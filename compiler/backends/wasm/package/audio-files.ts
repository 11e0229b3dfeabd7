/**
 * @fileoverview The WebAssembly side of an audio model's CWT front end: cwt.wasm (AssemblyScript, compiled by
 * `npm run prepare` from runtime/wasm/assembly/cwt.ts), its wrapper tinyedge-cwt.js and audio.json (the tables and
 * requantization the wrapper hands it), written beside model.wasm.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CwtInfo } from '../../../../runtime/wasm/tinyedge-cwt.js';
import type { CwtFrontEnd } from '../../../audio/cwt-front-end.ts';
import { cwtSteps } from '../../../audio/cwt-kernels.ts';
import { TinyedgeError } from '../../../errors.ts';

const RUNTIME_WASM = new URL('../../../../runtime/wasm/', import.meta.url);

/** The compiled AssemblyScript module, or a clear error when `npm run prepare` has not built it. */
export function cwtWasmBytes(): Uint8Array {
  const file = fileURLToPath(new URL('assembly/build/cwt.wasm', RUNTIME_WASM));
  if (!existsSync(file))
    throw new TinyedgeError('TE901', 'is missing: run `npm run prepare` to compile the AssemblyScript runtime', {
      file,
    });
  return readFileSync(file);
}

/** audio.json's content: what the wrapper needs to run the front end. */
export function cwtInfo(f: CwtFrontEnd): CwtInfo {
  const { hop, step } = cwtSteps(f.tables.config);
  return {
    config: f.tables.config,
    hop,
    step,
    offsets: Array.from(f.tables.offsets),
    halves: Array.from(f.tables.halves),
    taps: Array.from(f.tables.taps),
    requantize: f.requantize,
  };
}

/**
 * The demo page of an audio model (in place of the image one): pick a WAV, its header checked as `run --audio` does
 * (16-bit PCM, mono, the front end's rate, long enough), the CWT and the model run, the classes shown.
 */
function audioPage(model: string, f: CwtFrontEnd): string {
  const c = f.tables.config;
  return `<!doctype html>
<meta charset="utf-8">
<title>tinyedge: ${model}</title>
<h1>tinyedge in the browser</h1>
<p>${model}, int8 WebAssembly (SIMD128) behind a fixed-point CWT (cwt.wasm). Pick a WAV clip (16-bit PCM, mono, ${c.sampleRate} Hz, at least ${c.samples} samples):</p>
<input type="file" id="file" accept=".wav,audio/wav">
<pre id="result"></pre>
<script type="module">
import { TinyedgeModel } from './tinyedge-loader.js';
import { TinyedgeCwt } from './tinyedge-cwt.js';
const info = await (await fetch('model.json')).json();
const model = await TinyedgeModel.load(await (await fetch('model.wasm')).arrayBuffer(), info);
const cwt = await TinyedgeCwt.load(await (await fetch('cwt.wasm')).arrayBuffer(), await (await fetch('audio.json')).json());
const result = document.getElementById('result');
/** The first ${c.samples} samples of a WAV file's bytes, or an error saying what the file holds. */
function readWav(bytes) {
  const v = new DataView(bytes);
  const tag = (at) => String.fromCharCode(...new Uint8Array(bytes, at, 4));
  if (bytes.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a WAV file');
  let fmt, data;
  for (let at = 12; at + 8 <= bytes.byteLength; at += 8 + v.getUint32(at + 4, true) + (v.getUint32(at + 4, true) & 1)) {
    if (tag(at) === 'fmt ') fmt = { format: v.getUint16(at + 8, true), channels: v.getUint16(at + 10, true), rate: v.getUint32(at + 12, true), bits: v.getUint16(at + 22, true) };
    if (tag(at) === 'data') data = { at: at + 8, bytes: Math.min(v.getUint32(at + 4, true), bytes.byteLength - at - 8) };
  }
  if (!fmt || !data) throw new Error('a WAV file without fmt or data chunk');
  if (fmt.format !== 1 || fmt.bits !== 16 || fmt.channels !== 1 || fmt.rate !== ${c.sampleRate}) throw new Error(\`\${fmt.bits}-bit \${fmt.format === 1 ? 'PCM' : 'format ' + fmt.format}, \${fmt.channels} channel(s), \${fmt.rate} Hz; expected 16-bit PCM mono at ${c.sampleRate} Hz\`);
  if (data.bytes < ${2 * c.samples}) throw new Error(\`\${data.bytes / 2} samples; the model takes ${c.samples}\`);
  return Int16Array.from({ length: ${c.samples} }, (_, i) => v.getInt16(data.at + 2 * i, true));
}
/** Runs the CWT and the model on a clip's samples; also used by tests. */
window.classifyPcm = (pcm) => {
  const t0 = performance.now();
  model.setInput(cwt.run(Int16Array.from(pcm)));
  model.run();
  const ms = performance.now() - t0;
  const scores = model.outputFloat();
  const top = [...scores].map((s, i) => [s, info.labels?.[i] ?? String(i)]).sort((a, b) => b[0] - a[0]);
  result.textContent = top.map(([s, l]) => l.padEnd(12) + s.toFixed(4)).join('\\n') + '\\n' + ms.toFixed(1) + ' ms (CWT and model)';
  return { output: Array.from(model.output()), ms };
};
document.getElementById('file').onchange = async (e) => {
  try {
    window.classifyPcm(readWav(await e.target.files[0].arrayBuffer()));
  } catch (err) {
    result.textContent = e.target.files[0].name + ': ' + err.message;
  }
};
window.ready = true;
</script>
`;
}

/** The files an audio model's WebAssembly folder adds beside model.wasm (its demo page replaces the image one). */
export function wasmAudioFiles(f: CwtFrontEnd, model: string): Record<string, string | Uint8Array> {
  const wrapper = (name: string) => readFileSync(fileURLToPath(new URL(name, RUNTIME_WASM)), 'utf8');
  return {
    'cwt.wasm': cwtWasmBytes(),
    'audio.json': `${JSON.stringify(cwtInfo(f))}\n`,
    'tinyedge-cwt.js': wrapper('tinyedge-cwt.js'),
    'tinyedge-cwt.d.ts': wrapper('tinyedge-cwt.d.ts'),
    'index.html': audioPage(model, f),
  };
}
