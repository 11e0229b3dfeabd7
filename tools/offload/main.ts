/**
 * @fileoverview `tinyedge offload plan [model] --target T --bandwidth 5mbit --rtt 40ms [--json]`: every cut of the
 * model with its head time on the device (instructions counted under qemu), bytes on the wire, network time, tail
 * time on this machine as the edge server, and the total; local only and full offload are the first and last rows,
 * and the best is marked. Runs as its own process (like the bench) because it builds and runs under qemu.
 */
import { Command } from 'commander';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODEL, MCU_MODEL } from '../../models/registry.ts';
import { loadTarget } from '../../targets/target.ts';
import { prepareModel } from '../../compiler/cli/prepare-model.ts';
import { quantizeWithSamples } from '../../compiler/cli/quantize.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { DTYPE_BYTES, formatShape, sizeOf } from '../../compiler/ir/tensor.ts';
import { quantizeForTensor } from '../../compiler/quantize/quant-params.ts';
import { imageToInput } from '../../models/image-input.ts';
import { cutCandidates } from '../../compiler/plan/split/cut-candidates.ts';
import { parseBandwidth, parseDuration, planSplit } from '../../compiler/plan/split/plan-split.ts';
import { bytes, shortName, table } from '../../compiler/cli/format.ts';
import { TinyedgeError } from '../../compiler/errors.ts';
import { headMsByCut, tailMsByCut } from './split-costs.ts';

const options = new Command('offload plan')
  .option('--model <name>', 'model name or path', DEFAULT_MODEL)
  .option('--artifact <file>', 'a quantized artifact instead of quantizing the model with the samples')
  .requiredOption('--target <name>', 'the device: a target that runs under qemu')
  .requiredOption('--bandwidth <rate>', 'link bandwidth, e.g. 5mbit')
  .requiredOption('--rtt <time>', 'link round-trip time, e.g. 40ms')
  .option('--runs <n>', 'timed runs of each tail', (v) => Number.parseInt(v, 10), 7)
  .option('--image <file>', 'the input photo', join(fileURLToPath(new URL('../../models/samples/coffee.png', import.meta.url))))
  .option('--json', 'print one JSON object')
  .parse(process.argv)
  .opts<{ model: string; artifact?: string; target: string; bandwidth: string; rtt: string; runs: number; image: string; json?: boolean }>();

async function main(): Promise<void> {
  const link = { bitsPerSecond: parseBandwidth(options.bandwidth), rttMs: parseDuration(options.rtt, '--rtt') };
  const target = loadTarget(options.target);
  const spec = options.artifact ?? (options.model === DEFAULT_MODEL && target.memory?.flashBytes ? MCU_MODEL : options.model);
  const loaded = prepareModel(spec, { quiet: true });
  await quantizeWithSamples(loaded, true);
  const g = loaded.graph;
  const input = tensorOf(g, g.inputs[0]);
  const x = quantizeForTensor(await imageToInput(options.image, input.shape, loaded.preprocessing), input);
  const cuts = cutCandidates(g);
  const log = (s: string) => options.json || process.stderr.write(`${s}\n`);
  log(`counting ${target.name}'s instructions per layer under qemu…`);
  const headMs = headMsByCut(g, cuts, x, target);
  log(`timing the tails of ${cuts.length} cuts in WebAssembly here (the edge server)…`);
  const tailMs = await tailMsByCut(g, cuts, options.runs);
  const out = tensorOf(g, g.outputs[0]);
  const { rows, best } = planSplit(cuts, { headMs, tailMs, answerBytes: sizeOf(out.shape) * DTYPE_BYTES[out.dtype] }, link);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ model: spec, target: target.name, link, rows: rows.map(({ cut, ...r }) => ({ cut: cut.id, after: cut.after, tensor: cut.tensor, shape: cut.shape, ...r })), best: best.cut.id })}\n`);
    return;
  }
  const ms = (v: number) => v.toFixed(2);
  const where = (r: (typeof rows)[number]) => (r.kind === 'split' ? `after ${shortName(g.nodes[r.cut.after - 1].name, 44)}` : r.kind);
  const body = rows.map((r) => [
    `${r === best ? '▶ ' : ''}${r.cut.id}`,
    where(r),
    formatShape(r.cut.shape),
    r.wireBytes ? bytes(r.wireBytes) : '—',
    ms(r.headMs),
    ms(r.networkMs),
    ms(r.tailMs),
    ms(r.totalMs),
  ]);
  process.stdout.write(
    [
      `model ${spec} (${g.nodes.length} layers), device ${target.name} at ${(target.clockHz as number) / 1e6} MHz (1 instruction/cycle), server: this machine (WebAssembly)`,
      `link ${options.bandwidth}, RTT ${options.rtt}; network = RTT + (request + answer frames) at the bandwidth`,
      table(['cut', 'where', 'tensor', 'wire', 'head ms', 'network ms', 'tail ms', 'total ms'], body, [0, 3, 4, 5, 6, 7]),
      `best: cut ${best.cut.id} (${where(best)}), ${ms(best.totalMs)} ms per frame`,
    ].join('\n') + '\n',
  );
}

main().catch((e: unknown) => {
  if (!(e instanceof TinyedgeError)) throw e;
  process.stderr.write(`tinyedge: error: ${e.describe()}\n`);
  process.exit(2);
});
