/**
 * @fileoverview The WebAssembly renderer: int8 graph + memory plan → one module. Linear memory holds the planned
 * arena (from address 1024) and then the constants (a data segment); one function per layer, `run` calls them in
 * order. Exports: `memory`, `run`, `input_ptr`, `output_ptr`. binaryen's curated passes (binaryen.ts) optimize it.
 */

import { withPlace } from '../../errors.ts';
import type { Graph } from '../../ir/graph.ts';
import type { MemoryPlan } from '../../plan/plan-memory.ts';
import { WasmModule } from './emit/binaryen.ts';
import { addRequantizeHelper } from './emit/requantize-int8.ts';
import { WasmData } from './emit/wasm-data.ts';
import { emitLayer } from './kernel-table.ts';

/** Where the arena starts: low addresses stay free so a null pointer never reads model data. */
const ARENA_BASE = 1024;
/** SIMD loads of the last channels read up to this many bytes past a tensor: a margin follows the arena and the data. */
const TAIL_MARGIN = 64;
const PAGE = 65536;

/** The module and the figures the loader and reports need. */
export interface WasmModel {
  bytes: Uint8Array;
  /** Bytes of constants in the data segment (weights, biases, tables). */
  dataBytes: number;
  arenaBytes: number;
  inputPtr: number;
  outputPtr: number;
}

/**
 * The start function, when some constants are stored as int8 to be used as int16 (WasmData.addWidened): each array
 * widened in place from its end, eight values a step, so every write lands on bytes already read.
 */
function addWidening(module: WasmModule, arrays: readonly { at: number; length: number }[]): void {
  if (arrays.length === 0) return;
  module.fn('widen_int8', 2, (f) => {
    const e = f.i32();
    // e runs over byte offsets length − 8, …, 8, 0 of the int8 array at param 0; value e goes to 2e.
    return [
      f.for(
        e,
        f.c(0),
        f.param(1),
        [
          f.storeV128(
            f.add(f.param(0), f.shl(f.sub(f.sub(f.param(1), f.c(8)), e.get()), f.c(1))),
            f.load8x8(f.add(f.param(0), f.sub(f.sub(f.param(1), f.c(8)), e.get()))),
          ),
        ],
        8,
      ),
    ];
  });
  module.fn('start', 0, (f) => arrays.map(({ at, length }) => f.call('widen_int8', [f.c(at), f.c(length)])));
  module.start('start');
}

/** Renders the int8 graph as a WebAssembly module; `exportLayers` also exports each `layer{i}` (the per-layer profile). */
export function emitWasm(g: Graph, plan: MemoryPlan, options: { exportLayers?: boolean } = {}): WasmModel {
  const module = new WasmModule();
  addRequantizeHelper(module);
  const address = new Map([...plan.offsets].map(([name, offset]) => [name, ARENA_BASE + offset]));
  const scratch = new Map([...plan.scratch].map(([name, offset]) => [name, ARENA_BASE + offset]));
  const data = new WasmData(module, Math.ceil((ARENA_BASE + plan.arenaBytes + TAIL_MARGIN) / 16) * 16);
  const ctx = { g, module, data, address, scratch };
  g.nodes.forEach((node, i) => {
    withPlace({ file: g.source, node: node.name, op: node.op }, () => emitLayer(ctx, node, `layer${i}`));
  });
  module.fn('run', 0, (f) => g.nodes.map((_, i) => f.call(`layer${i}`, [])));
  addWidening(module, data.widened());
  module.exportFn('run');
  if (options.exportLayers)
    g.nodes.forEach((_, i) => {
      module.exportFn(`layer${i}`);
    });
  const inputPtr = address.get(g.inputs[0]!) as number;
  const outputPtr = address.get(g.outputs[0]!) as number;
  module.exportConstant('input_ptr', inputPtr);
  module.exportConstant('output_ptr', outputPtr);
  const pages = Math.ceil((data.end() + TAIL_MARGIN) / PAGE);
  return { bytes: module.emit(pages), dataBytes: data.bytes, arenaBytes: plan.arenaBytes, inputPtr, outputPtr };
}
