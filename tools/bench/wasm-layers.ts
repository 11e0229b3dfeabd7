/**
 * @fileoverview `node bin/run-ts.mjs tools/bench/wasm-layers.ts [MODEL] [--runs N] [--top N]`: where tinyedge's int8
 * WebAssembly spends its time, layer by layer, in Node. The model is quantized as `tinyedge bench` does it and each
 * layer timed alone (wasm-layer-times.ts). Prints the module's code bytes, the time per kernel
 * family and the slowest layers with their MACs per second. Wall times: compare layers of one run, not runs.
 */

import { prepareModel, quantizeWithSamples } from '../../compiler/index.ts';
import { table } from '../../compiler/terminal/format.ts';
import { timeWasmLayers } from './wasm-layer-times.ts';

/** The value after `flag` on the command line, or `fallback`. */
function option(args: string[], flag: string, fallback: number): number {
  const at = args.indexOf(flag);
  return at >= 0 ? Number(args[at + 1]) : fallback;
}

const args = process.argv.slice(2);
const spec = args[0]?.startsWith('--') ? undefined : args[0];
const runs = option(args, '--runs', 40);
const top = option(args, '--top', 20);
const model = await quantizeWithSamples(prepareModel(spec));
const { layers, codeBytes } = await timeWasmLayers(model.graph, runs);
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
