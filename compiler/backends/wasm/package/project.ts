/**
 * @fileoverview The folder a wasm32 build ships: model.wasm, model.json (shapes, quantization, labels, image
 * preprocessing), the loader (plain ES module + types) and index.html, a demo that classifies a picked image; for
 * several threads also model-threads.wasm (shared memory, run_thread) and the worker script tinyedge-thread.js.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Graph, tensorOf } from '../../../ir/graph.ts';
import type { Quantization } from '../../../ir/tensor.ts';
import type { MemoryPlan } from '../../../plan/plan-memory.ts';
import { activationType } from '../../../quantize/prepare/quant-params.ts';
import { emitWasm } from '../emit-wasm.ts';
import { detectorPage } from './detector-page.ts';
import type { WasmModelInfo, WasmOutputType, WasmTensorInfo } from './model-info.ts';
import { wasmRuntimeParts } from './runtime-parts.ts';

const LOADER_DIR = new URL('../../../../runtime/wasm/', import.meta.url);

function tensorInfo(g: Graph, name: string): WasmTensorInfo<WasmOutputType> {
  const t = tensorOf(g, name);
  const q = t.quant as Quantization;
  // int32 indices (ArgMax) are an output's only; every other tensor is an activation.
  const dtype = t.dtype === 'int32' ? 'int32' : activationType(t.dtype);
  return { name, shape: t.shape, scale: q.scale[0]!, zeroPoint: q.zeroPoint[0]!, dtype };
}

/**
 * How the demo loads the model: on its workers when compiled for several threads, which needs the page cross-origin
 * isolated (the site sends COOP and COEP); elsewhere the loader runs model.wasm on one thread and says why.
 */
function loadScript(info: WasmModelInfo): string {
  if (!info.threads)
    return "const model = await TinyedgeModel.load(await (await fetch('model.wasm')).arrayBuffer(), info);";
  return `// Threads need the page served with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp.
const bytes = async (path) => (await fetch(path)).arrayBuffer();
const model = await TinyedgeModel.load(await bytes('model.wasm'), info, {
  threads: { module: await bytes(info.threads.module), createWorker: () => new Worker('tinyedge-thread.js', { type: 'module' }) },
});
document.getElementById('threads').textContent = model.threads + ' thread(s)' + (model.threadsWarning ? ': ' + model.threadsWarning : '');`;
}

/** The demo page: pick an image, it is stretched to the input size on a canvas, classified, top-5 shown. */
function demoPage(info: WasmModelInfo): string {
  const [h, w] = [info.input.shape[1]!, info.input.shape[2]!];
  return `<!doctype html>
<meta charset="utf-8">
<title>tinyedge: ${info.model}</title>
<h1>tinyedge in the browser</h1>
<p>${info.model}, ${info.input.dtype === 'int16' ? '16×8' : 'int8'} WebAssembly (SIMD128). Pick an image:</p>
<input type="file" id="file" accept="image/*">
<canvas id="canvas" width="${w}" height="${h}"></canvas>
<pre id="result"></pre>${info.threads ? '\n<p id="threads"></p>' : ''}
<script type="module">
import { TinyedgeModel } from './tinyedge-loader.js';
const info = await (await fetch('model.json')).json();
${loadScript(info)}
const canvas = document.getElementById('canvas');
const result = document.getElementById('result');
/** Classifies what is drawn on the canvas; also used by the browser test. */
window.classify = async () => {
  const rgba = canvas.getContext('2d').getImageData(0, 0, ${w}, ${h}).data;
  const x = new Float32Array(${w * h * 3});
  for (let i = 0; i < ${w * h}; i++) for (let c = 0; c < 3; c++) x[i * 3 + c] = rgba[i * 4 + c] * info.preprocessing.scale + info.preprocessing.offset;
  model.setInputFloat(x);
  const t0 = performance.now();
  await model.runAsync();
  const ms = performance.now() - t0;
  const scores = model.outputFloat();
  const top = [...scores].map((s, i) => [s, info.labels?.[i] ?? String(i)]).sort((a, b) => b[0] - a[0]).slice(0, 5);
  result.textContent = top.map(([s, l]) => l.padEnd(12) + s.toFixed(4)).join('\\n') + '\\n' + ms.toFixed(1) + ' ms';
  return { output: Array.from(model.output()), ms };
};
/** Runs raw int8 input bytes (the browser test compares the output with Node's). */
window.runInt8 = async (bytes) => {
  model.setInput(Int8Array.from(bytes));
  await model.runAsync();
  return Array.from(model.output());
};
document.getElementById('file').onchange = async (e) => {
  const bitmap = await createImageBitmap(e.target.files[0]);
  canvas.getContext('2d').drawImage(bitmap, 0, 0, ${w}, ${h});
  await window.classify();
};
window.ready = true;
</script>
`;
}

/** The runtime file `name` (runtime/wasm/), as text. */
function runtimeFile(name: string): string {
  return readFileSync(fileURLToPath(new URL(name, LOADER_DIR)), 'utf8');
}

/** The threaded module and worker script for `threads` > 1 (a plan made for them), their model.json entry. */
function threadedParts(
  g: Graph,
  plan: MemoryPlan,
  threads: number,
): Pick<WasmModelInfo, 'threads'> & { files: Record<string, string | Uint8Array> } {
  if (threads <= 1) return { files: {} };
  const wasm = emitWasm(g, plan, { threads });
  return {
    threads: { max: threads, pages: wasm.pages, module: 'model-threads.wasm' },
    files: { 'model-threads.wasm': wasm.bytes, 'tinyedge-thread.js': runtimeFile('tinyedge-thread.js') },
  };
}

/**
 * Every file of the wasm32 folder, and the module's code and data bytes; `threads` > 1 (with a plan made for as
 * many) adds the threaded module.
 */
export function wasmProject(
  g: Graph,
  plan: MemoryPlan,
  model: string,
  labels: string[] | undefined,
  preprocessing: { scale: number; offset: number },
  threads = 1,
): { files: Record<string, string | Uint8Array>; codeBytes: number; dataBytes: number; info: WasmModelInfo } {
  const wasm = emitWasm(g, plan);
  const parts = wasmRuntimeParts(g, plan, wasm.inputPtr, preprocessing);
  const threaded = threadedParts(g, plan, threads);
  const info: WasmModelInfo = {
    model,
    input: { ...tensorInfo(g, g.inputs[0]!), dtype: activationType(tensorOf(g, g.inputs[0]!).dtype) },
    output: tensorInfo(g, g.outputs[0]!),
    outputs: g.outputs.map((o, i) => ({ ...tensorInfo(g, o), ptr: wasm.outputPtrs[i]! })),
    ...(labels ? { labels } : {}),
    preprocessing,
    ...parts.info,
    ...(threaded.threads ? { threads: threaded.threads } : {}),
  };
  const files: Record<string, string | Uint8Array> = {
    'model.wasm': wasm.bytes,
    'model.json': `${JSON.stringify(info, null, 1)}\n`,
    'tinyedge-loader.js': runtimeFile('tinyedge-loader.js'),
    'tinyedge-loader.d.ts': runtimeFile('tinyedge-loader.d.ts'),
    'index.html': info.detection ? detectorPage(info) : demoPage(info),
    ...parts.files,
    ...threaded.files,
  };
  return { files, codeBytes: wasm.bytes.length - wasm.dataBytes, dataBytes: wasm.dataBytes, info };
}
