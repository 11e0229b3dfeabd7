/**
 * @fileoverview The WebAssembly renderer: int8 graph + memory plan → one module. Linear memory holds the planned
 * arena (from address 1024) and then the constants (a data segment); one function per layer, `run` calls them in
 * order. Exports: `memory`, `run`, `input_ptr`, `output_ptr`. binaryen's curated passes (binaryen.ts) optimize it.
 * For several threads (a plan made for them) the memory is imported shared and `run` gives way to `run_thread`
 * (threads/run-thread.ts), with a split layer as one function per part (threads/band-layer.ts) and `max_threads`.
 */

import { withPlace } from '../../errors.ts';
import type { Graph, Node } from '../../ir/graph.ts';
import type { MemoryPlan } from '../../plan/plan-memory.ts';
import { WasmModule } from './emit/binaryen.ts';
import type { LayerContext } from './emit/layer-context.ts';
import { addRequantizeHelper } from './emit/requantize-int8.ts';
import { WasmData, type WidenedArray } from './emit/wasm-data.ts';
import { emitLayer } from './kernel-table.ts';
import { emitLayerPart, wasmSplits } from './threads/band-layer.ts';
import { addRunThread, type ThreadedLayer } from './threads/run-thread.ts';

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
  /** The address of every output, in the graph's order (output 0's is outputPtr). */
  outputPtrs: number[];
  /** 64 KiB pages of memory (initial and maximum): what a shared memory for the threaded module is created with. */
  pages: number;
}

/**
 * The start function, when some constants are stored as int8 (or int4) to be used as int16 (WasmData.addWidened):
 * each array widened in place from its end, eight int8 values or the two int4 values of a byte a step, so every
 * write lands on bytes already read.
 */
function addWidening(module: WasmModule, arrays: readonly WidenedArray[]): void {
  if (arrays.length === 0) return;
  if (arrays.some((a) => a.stored === 'int4'))
    module.fn('widen_int4', 2, (f) => {
      const e = f.i32();
      const b = f.i32();
      const v = f.i32();
      // e runs over 0 … length/2 − 1; byte b = length/2 − 1 − e holds values 2b (low nibble) and 2b + 1, at 4b.
      return [
        f.for(e, f.c(0), f.shrU(f.param(1), f.c(1)), [
          b.set(f.sub(f.sub(f.shrU(f.param(1), f.c(1)), f.c(1)), e.get())),
          v.set(f.load8(f.add(f.param(0), b.get()))),
          f.store16(f.add(f.param(0), f.shl(b.get(), f.c(2))), f.shrS(f.shl(v.get(), f.c(28)), f.c(28))),
          f.store16(f.add(f.param(0), f.shl(b.get(), f.c(2))), f.shrS(f.shl(v.get(), f.c(24)), f.c(28)), 2),
        ]),
      ];
    });
  if (arrays.some((a) => a.stored === 'int8'))
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
  module.fn('start', 0, (f) =>
    arrays.map(({ at, length, stored }) => f.call(`widen_${stored}`, [f.c(at), f.c(length)])),
  );
  module.start('start');
}

/** Emits layer `i` for `threads` threads: whole, or one function per part when it splits. */
function emitThreadedLayer(ctx: LayerContext, node: Node, i: number, threads: number): ThreadedLayer {
  if (!wasmSplits(ctx.g, node)) {
    emitLayer(ctx, node, `layer${i}`);
    return { whole: `layer${i}` };
  }
  const parts = Array.from({ length: threads }, (_, p) =>
    emitLayerPart(ctx, node, p, threads, `layer${i}_part${p}`) ? `layer${i}_part${p}` : undefined,
  );
  return { parts };
}

/**
 * Renders the int8 graph as a WebAssembly module; `threads` > 1 needs a plan made for as many (planMemory's
 * `threads`); `exportLayers` also exports each one-thread `layer{i}` (the per-layer profile).
 */
export function emitWasm(
  g: Graph,
  plan: MemoryPlan,
  options: { threads?: number; exportLayers?: boolean } = {},
): WasmModel {
  const threads = options.threads ?? 1;
  // Rings of output rows are rendered by the C backend only (pipeline.ts plans them for C targets alone).
  if (plan.rolling.size > 0) throw new Error('internal: a plan with in-place rings given to the WebAssembly backend');
  const module = new WasmModule(threads > 1);
  addRequantizeHelper(module);
  const address = new Map([...plan.offsets].map(([name, offset]) => [name, ARENA_BASE + offset]));
  const scratch = new Map([...plan.scratch].map(([name, offset]) => [name, ARENA_BASE + offset]));
  const data = new WasmData(module, Math.ceil((ARENA_BASE + plan.arenaBytes + TAIL_MARGIN) / 16) * 16);
  const ctx = { g, module, data, address, scratch };
  if (threads > 1) {
    const layers = g.nodes.map((node, i) =>
      withPlace({ file: g.source, node: node.name, op: node.op }, () => emitThreadedLayer(ctx, node, i, threads)),
    );
    addRunThread(module, layers);
    module.exportConstant('max_threads', threads);
  } else {
    g.nodes.forEach((node, i) => {
      withPlace({ file: g.source, node: node.name, op: node.op }, () => emitLayer(ctx, node, `layer${i}`));
    });
    module.fn('run', 0, (f) => g.nodes.map((_, i) => f.call(`layer${i}`, [])));
    module.exportFn('run');
    if (options.exportLayers)
      g.nodes.forEach((_, i) => {
        module.exportFn(`layer${i}`);
      });
  }
  addWidening(module, data.widened());
  const inputPtr = address.get(g.inputs[0]!) as number;
  const outputPtr = address.get(g.outputs[0]!) as number;
  module.exportConstant('input_ptr', inputPtr);
  module.exportConstant('output_ptr', outputPtr);
  const pages = Math.ceil((data.end() + TAIL_MARGIN) / PAGE);
  const outputPtrs = g.outputs.map((o) => address.get(o) as number);
  return {
    bytes: module.emit(pages),
    dataBytes: data.bytes,
    arenaBytes: plan.arenaBytes,
    inputPtr,
    outputPtr,
    outputPtrs,
    pages,
  };
}
