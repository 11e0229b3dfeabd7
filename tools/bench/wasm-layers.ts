/**
 * @fileoverview `node bin/run-ts.mjs tools/bench/wasm-layers.ts [MODEL] [--runs N] [--top N]`: where tinyedge's int8
 * WebAssembly spends its time, layer by layer, in Node. The model is quantized as `tinyedge bench` does it, emitted
 * with every layer function exported, run once for its activations, then each layer is timed alone `runs` times
 * in turn (medians, so a loaded machine's outliers drop out). Prints the module's code bytes, the time per kernel
 * family and the slowest layers with their MACs per second. Wall times: compare layers of one run, not runs.
 */

import { emitWasm } from '../../compiler/backends/wasm/emit-wasm.ts';
import { wasmKernelOf, wasmScratchBytes } from '../../compiler/backends/wasm/kernel-table.ts';
import { prepareModel, quantizeWithSamples } from '../../compiler/index.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { modelStats } from '../../compiler/ir/stats.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import { table } from '../../compiler/terminal/format.ts';
import { median } from './stats.ts';

/** One layer's figures. */
interface LayerTime {
  index: number;
  kernel: string;
  shape: string;
  ms: number;
  macs: number;
}

/** The value after `flag` on the command line, or `fallback`. */
function option(args: string[], flag: string, fallback: number): number {
  const at = args.indexOf(flag);
  return at >= 0 ? Number(args[at + 1]) : fallback;
}

/** input → output shapes without the batch, and the filter's shape when the layer has one. */
function shapeOf(g: Graph, index: number): string {
  const node = g.nodes[index]!;
  const dims = (name: string) => tensorOf(g, name).shape.slice(1).join('×');
  const filter =
    node.op === 'conv2d' || node.op === 'depthwise_conv2d' ? ` w${tensorOf(g, node.inputs[1]!).shape.join('×')}` : '';
  return `${dims(node.inputs[0]!)}${filter} → ${dims(node.outputs[0]!)}`;
}

/** Times each layer of `g` `runs` times, layers in turn within a round. */
async function timeLayers(g: Graph, runs: number): Promise<{ layers: LayerTime[]; codeBytes: number }> {
  const wasm = emitWasm(g, planMemory(g, wasmScratchBytes), { exportLayers: true });
  const instance = await WebAssembly.instantiate(new WebAssembly.Module(wasm.bytes as Uint8Array<ArrayBuffer>));
  const exports = instance.exports as Record<string, () => void>;
  exports.run!(); // activations of a real run (zero input), and every function compiled
  const samples = g.nodes.map((): number[] => []);
  for (let r = 0; r < runs; r++)
    g.nodes.forEach((_, i) => {
      const t0 = performance.now();
      exports[`layer${i}`]!();
      samples[i]!.push(performance.now() - t0);
    });
  const macs = modelStats(g).nodes.map((n) => n.macs);
  const layers = g.nodes.map((node, i) => ({
    index: i,
    kernel: wasmKernelOf(g, node).name,
    shape: shapeOf(g, i),
    ms: median(samples[i]!),
    macs: macs[i]!,
  }));
  return { layers, codeBytes: wasm.bytes.length - wasm.dataBytes };
}

const args = process.argv.slice(2);
const spec = args[0]?.startsWith('--') ? undefined : args[0];
const runs = option(args, '--runs', 40);
const top = option(args, '--top', 20);
const model = await quantizeWithSamples(prepareModel(spec));
const { layers, codeBytes } = await timeLayers(model.graph, runs);
const total = layers.reduce((s, l) => s + l.ms, 0);
const gmacs = (l: { ms: number; macs: number }) => (l.macs ? (l.macs / l.ms / 1e6).toFixed(1) : '');
const families = new Map<string, { ms: number; macs: number; count: number }>();
for (const l of layers) {
  const f = families.get(l.kernel) ?? { ms: 0, macs: 0, count: 0 };
  families.set(l.kernel, { ms: f.ms + l.ms, macs: f.macs + l.macs, count: f.count + 1 });
}
process.stdout.write(
  [
    `${spec ?? 'default model'}: module code ${codeBytes} B; sum of per-layer medians ${total.toFixed(2)} ms (${runs} runs)`,
    table(
      ['kernel', 'layers', 'ms', 'share', 'GMAC/s'],
      [...families]
        .sort((a, b) => b[1].ms - a[1].ms)
        .map(([k, f]) => [k, f.count, f.ms.toFixed(3), `${((100 * f.ms) / total).toFixed(1)}%`, gmacs(f)]),
      [1, 2, 3, 4],
    ),
    table(
      ['layer', 'kernel', 'shape', 'ms', 'GMAC/s'],
      [...layers]
        .sort((a, b) => b.ms - a.ms)
        .slice(0, top)
        .map((l) => [`layer${l.index}`, l.kernel, l.shape, l.ms.toFixed(3), gmacs(l)]),
      [3, 4],
    ),
    '',
  ].join('\n'),
);
