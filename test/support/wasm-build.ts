/**
 * @fileoverview Emits an int8 or 16×8 graph with the WASM backend and instantiates it in this process through the
 * shipped loader, or measures its module's code.
 */

import { wasmScratchBytes } from '../../compiler/backends/wasm/kernel-table.ts';
import { wasmProject } from '../../compiler/backends/wasm/package/project.ts';
import type { Graph } from '../../compiler/ir/graph.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import { type RawValues, TinyedgeModel } from '../../runtime/wasm/tinyedge-loader.js';

/** The model as the loader sees it (module bytes and model.json), ready to run; `slide: 'every'` as in buildC. */
export async function instantiateWasm<In extends RawValues = Int8Array, Out extends RawValues = In>(
  g: Graph,
  slide?: 'every',
): Promise<TinyedgeModel<In, Out>> {
  const { files, info } = wasmProject(
    g,
    planMemory(g, wasmScratchBytes, { ...(slide ? { slide } : {}) }),
    'test',
    undefined,
    { scale: 1, offset: 0 },
  );
  return TinyedgeModel.load<In, Out>(
    files['model.wasm'] as Uint8Array,
    info,
    info.detection ? { ssdPostprocess: files['ssd-postprocess.wasm'] as Uint8Array } : {},
  );
}

/** The graph's wasm32 project, planned for one thread. */
function projectOf(g: Graph): ReturnType<typeof wasmProject> {
  return wasmProject(g, planMemory(g, wasmScratchBytes), 'test', undefined, { scale: 1, offset: 0 });
}

/** Bytes of the graph's module that are not constants (its functions, types and exports), as `bench` reports them. */
export function wasmCodeBytes(g: Graph): number {
  return projectOf(g).codeBytes;
}

/** The graph's model.wasm bytes. */
export function moduleBytes(g: Graph): Uint8Array {
  return projectOf(g).files['model.wasm'] as Uint8Array;
}
