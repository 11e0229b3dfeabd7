/**
 * @fileoverview `tinyedge inspect [model] [--json] [--target T [--budget-ram B]]`: the per-node table (op, output
 * shape, MACs, parameters, bytes) and totals; with a C target, the activation memory there (inspect-memory.ts).
 */

import { describeClamp } from '../ir/attrs.ts';
import { tensorOf } from '../ir/graph.ts';
import { modelStats } from '../ir/stats.ts';
import { formatShape } from '../ir/tensor.ts';
import { bytes, shortName, si, table } from '../terminal/format.ts';
import { inspectMemory, memoryLines } from './inspect-memory.ts';
import { prepareModel } from './prepare-model.ts';

/** Options of inspect. */
export interface InspectOptions {
  /** --outputs: cut a TF.js graph model after these nodes (comma-separated). */
  outputs?: string;
  json?: boolean;
  raw?: boolean;
  /** --target: also plan the arena on this C target (layer-wise, or the patches its RAM needs). */
  target?: string;
  /** --budget-ram with --target: the RAM to fit instead of the target's. */
  budgetRam?: string;
}

/** Prints the model's structure after the f32 passes (or as imported with --raw). */
export async function inspectCommand(spec: string | undefined, options: InspectOptions): Promise<void> {
  const memory = options.target ? await inspectMemory(spec, options.target, options) : undefined;
  const model = prepareModel(spec, { optimized: !options.raw, quiet: options.json, outputs: options.outputs });
  const g = model.graph;
  const stats = modelStats(g);
  const io = (names: string[]) =>
    names.map((n) => ({ name: n, shape: tensorOf(g, n).shape, dtype: tensorOf(g, n).dtype }));
  if (options.json) {
    const nodes = stats.nodes.map((s, i) => ({
      ...s,
      activation:
        'clamp' in g.nodes[i]!.attrs ? describeClamp((g.nodes[i]!.attrs as { clamp: never }).clamp) : undefined,
    }));
    process.stdout.write(
      `${JSON.stringify({ model: model.spec, source: g.source, stage: options.raw ? 'imported' : 'optimized', inputs: io(g.inputs), outputs: io(g.outputs), nodes, totals: stats.totals, ...(memory ? { memory } : {}) })}\n`,
    );
    return;
  }
  const rows = stats.nodes.map((s, i) => {
    const attrs = g.nodes[i]!.attrs as { clamp?: Parameters<typeof describeClamp>[0] };
    const op = attrs.clamp && describeClamp(attrs.clamp) !== 'none' ? `${s.op}+${describeClamp(attrs.clamp)}` : s.op;
    return [
      i,
      shortName(s.name),
      op,
      formatShape(s.outputShape),
      s.macs ? si(s.macs) : '',
      s.params ? si(s.params) : '',
      bytes(s.activationBytes),
    ];
  });
  const t = stats.totals;
  const lines = [
    `model    ${model.spec}${model.spec !== g.source ? `  (${g.source})` : ''}`,
    `inputs   ${io(g.inputs)
      .map((x) => `${x.name} ${formatShape(x.shape)} ${x.dtype}`)
      .join(', ')}`,
    `outputs  ${io(g.outputs)
      .map((x) => `${x.name} ${formatShape(x.shape)} ${x.dtype}`)
      .join(', ')}`,
    table(['#', 'node', 'op', 'output', 'MACs', 'params', 'activation'], rows, [0, 4, 5, 6]),
    `nodes ${t.nodes}   MACs ${si(t.macs)} (${t.macs})   parameters ${si(t.params)}   weights ${bytes(t.weightBytes)}   largest activation ${bytes(t.largestActivationBytes)} (${shortName(t.largestActivation)})`,
    ...(memory ? memoryLines(memory) : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
