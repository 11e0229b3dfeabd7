/**
 * @fileoverview A graph compiled by the WASM backend for several threads (the wasm32 folder's files) and loaded with
 * the shipped loader on Node worker_threads running the shipped tinyedge-thread.js.
 */
import { Worker } from 'node:worker_threads';
import { wasmScratchBytes } from '../../compiler/backends/wasm/kernel-table.ts';
import type { WasmModelInfo } from '../../compiler/backends/wasm/package/model-info.ts';
import { wasmProject } from '../../compiler/backends/wasm/package/project.ts';
import type { Graph } from '../../compiler/ir/graph.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import { type ModelInfo, TinyedgeModel } from '../../runtime/wasm/tinyedge-loader.js';

const THREAD_SCRIPT = new URL('../../runtime/wasm/tinyedge-thread.js', import.meta.url);

/** The wasm32 folder's files and model.json of `g` compiled for `threads` threads. */
export function threadedWasmProject(
  g: Graph,
  threads: number,
  model = 'test',
  labels?: string[],
): { files: Record<string, string | Uint8Array>; info: WasmModelInfo } {
  return wasmProject(g, planMemory(g, wasmScratchBytes, { threads }), model, labels, { scale: 1, offset: 0 }, threads);
}

/** The folder's model on `count` Node workers (the caller disposes of it). */
export function loadOnWorkers(
  files: Record<string, string | Uint8Array>,
  info: WasmModelInfo,
  count: number,
): Promise<TinyedgeModel> {
  return TinyedgeModel.load(files['model.wasm'] as Uint8Array, info as ModelInfo, {
    ...(info.detection ? { ssdPostprocess: files['ssd-postprocess.wasm'] as Uint8Array } : {}),
    threads: {
      module: files['model-threads.wasm'] as Uint8Array,
      count,
      createWorker: () => new Worker(THREAD_SCRIPT),
    },
  });
}
