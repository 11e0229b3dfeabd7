/**
 * @fileoverview Head and tail of a split model as two WebAssembly modules from one graph: the device's part (input →
 * cut tensor) and the server's (cut tensor → output), each with its own planned arena. An empty part (the head of
 * full offload, the tail of local only) is undefined.
 */
import type { Graph } from '../../../ir/graph.ts';
import { planMemory } from '../../../plan/plan-memory.ts';
import { type Cut, splitAt } from '../../../plan/split/cut-candidates.ts';
import { wasmScratchBytes } from '../kernel-table.ts';
import type { WasmModelInfo } from './model-info.ts';
import { wasmProject } from './project.ts';

/** A compiled part: module bytes and its model.json. */
export interface WasmPart {
  bytes: Uint8Array;
  info: WasmModelInfo;
}

function part(g: Graph, name: string): WasmPart | undefined {
  if (g.nodes.length === 0) return undefined;
  const { files, info } = wasmProject(g, planMemory(g, wasmScratchBytes), name, undefined, { scale: 1, offset: 0 });
  return { bytes: files['model.wasm'] as Uint8Array, info };
}

/** The head and tail of `g` at `cut`, compiled for WebAssembly; `only` compiles just one of them (a server needs no heads). */
export function wasmSplitParts(g: Graph, cut: Cut, only?: 'head' | 'tail'): { head?: WasmPart; tail?: WasmPart } {
  const { head, tail } = splitAt(g, cut);
  return {
    head: only === 'tail' ? undefined : part(head, `head of cut ${cut.id}`),
    tail: only === 'head' ? undefined : part(tail, `tail of cut ${cut.id}`),
  };
}
