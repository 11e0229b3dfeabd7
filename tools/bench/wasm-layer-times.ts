/**
 * @fileoverview Each layer of tinyedge's int8 WebAssembly timed alone in this process: the module is emitted with
 * every layer function exported, run once for its activations (and so every function is compiled), then each layer
 * runs `runs` times in turn within rounds (medians, so a loaded machine's outliers drop out). wasm-layers.ts prints
 * these; `tinyedge report` draws them. Wall times: compare layers of one run, not runs.
 */
import { emitWasm } from '../../compiler/backends/wasm/emit-wasm.ts';
import { wasmKernelOf, wasmScratchBytes } from '../../compiler/backends/wasm/kernel-table.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { modelStats } from '../../compiler/ir/stats.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import { median } from './stats.ts';

/** One layer's figures. */
export interface LayerTime {
  index: number;
  /** The WebAssembly kernel's name, or the op in C. */
  kernel: string;
  shape: string;
  ms: number;
  macs: number;
}

/** input → output shapes without the batch, and the filter's shape when the layer has one. */
export function shapeOf(g: Graph, index: number): string {
  const node = g.nodes[index]!;
  const dims = (name: string) => tensorOf(g, name).shape.slice(1).join('×');
  const filter =
    node.op === 'conv2d' || node.op === 'depthwise_conv2d' ? ` w${tensorOf(g, node.inputs[1]!).shape.join('×')}` : '';
  return `${dims(node.inputs[0]!)}${filter} → ${dims(node.outputs[0]!)}`;
}

/** Times each layer of `g` `runs` times, layers in turn within a round; also the module's code and data bytes. */
export async function timeWasmLayers(
  g: Graph,
  runs: number,
  onRound?: (done: number) => void,
): Promise<{ layers: LayerTime[]; codeBytes: number; dataBytes: number }> {
  const wasm = emitWasm(g, planMemory(g, wasmScratchBytes), { exportLayers: true });
  const instance = await WebAssembly.instantiate(new WebAssembly.Module(wasm.bytes as Uint8Array<ArrayBuffer>));
  const exports = instance.exports as Record<string, () => void>;
  exports.run!(); // activations of a real run (zero input), and every function compiled
  const samples = g.nodes.map((): number[] => []);
  for (let r = 0; r < runs; r++) {
    g.nodes.forEach((_, i) => {
      const t0 = performance.now();
      exports[`layer${i}`]!();
      samples[i]!.push(performance.now() - t0);
    });
    onRound?.(r + 1);
  }
  const macs = modelStats(g).nodes.map((n) => n.macs);
  const layers = g.nodes.map((node, i) => ({
    index: i,
    kernel: wasmKernelOf(g, node).name,
    shape: shapeOf(g, i),
    ms: median(samples[i]!),
    macs: macs[i]!,
  }));
  return { layers, codeBytes: wasm.bytes.length - wasm.dataBytes, dataBytes: wasm.dataBytes };
}
