/**
 * @fileoverview The offload tools behind the CLI, each run as its own process (like the bench: they build and run
 * under qemu, or start servers):
 * - `tinyedge offload plan [model] --target T --bandwidth 5mbit --rtt 40ms [--codec entropy] [--json]`: every cut
 *   of the model with its head time on the device (instructions counted under qemu), bytes on the wire (raw, or
 *   entropy-coded as measured on the input photo), network time, tail time on this machine as the edge server, and
 *   the total; local only and full offload are the ends, the best is marked.
 * - `tinyedge offload demo [model] [--bandwidths 0.5mbit,5mbit,50mbit] [--rtt 20ms] …`: server and device on
 *   loopback through the link shaper, predicted against measured capture-to-answer times (demo.ts).
 */

import type { DemoFlags, PlanFlags } from '../../compiler/api/offload-flags.ts';
import { TinyedgeError } from '../../compiler/errors.ts';
import { prepareModel, quantizeWithSamples, refuseAudioOffload } from '../../compiler/index.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { DTYPE_BYTES, formatShape, sizeOf } from '../../compiler/ir/tensor.ts';
import { cutCandidates } from '../../compiler/plan/split/cut-candidates.ts';
import { parseBandwidth, parseDuration, planSplit } from '../../compiler/plan/split/plan-split.ts';
import { quantizeForTensor } from '../../compiler/quantize/prepare/quant-params.ts';
import { exitWithFailure } from '../../compiler/terminal/failure.ts';
import { bytes, shortName, table } from '../../compiler/terminal/format.ts';
import { imageToInput } from '../../models/image-input.ts';
import { DEFAULT_MODEL, MCU_MODEL } from '../../models/registry.ts';
import { loadTarget } from '../../targets/target.ts';
import { type DemoRow, runDemo } from './demo.ts';
import { checkPlotFile, writePlanPlot } from './plan-plot.ts';
import { codedBytesByCut, headMsByCut, tailMsByCut } from './split-costs.ts';

/** The quantized model and a photo as its input. */
async function modelAndInput(spec: string, image: string) {
  const float = prepareModel(spec);
  refuseAudioOffload(float);
  const loaded = await quantizeWithSamples(float);
  const g = loaded.graph;
  const input = tensorOf(g, g.inputs[0]!);
  return { g, x: quantizeForTensor(await imageToInput(image, input.shape, loaded.preprocessing), input) };
}

async function demoCommand(options: DemoFlags): Promise<void> {
  const spec = options.artifact ?? options.model;
  const { g, x } = await modelAndInput(spec, options.image);
  const log = (s: string) => options.json || process.stderr.write(`${s}\n`);
  const o = {
    bandwidths: options.bandwidths.split(',').map((label) => ({ label, bitsPerSecond: parseBandwidth(label) })),
    rttMs: parseDuration(options.rtt, '--rtt'),
    jitterMs: parseDuration(options.jitter, '--jitter'),
    loss: Number(options.loss),
    frames: Number(options.frames),
    deviceSlowdown: Number(options.deviceSlowdown),
  };
  if (!(o.loss >= 0 && o.loss < 1))
    throw new TinyedgeError('TE601', `--loss must be a probability in [0, 1), got '${options.loss}'`);
  if (!(o.frames >= 1) || !(o.deviceSlowdown >= 1))
    throw new TinyedgeError('TE601', '--frames and --device-slowdown must be at least 1');
  const rows = await runDemo(g, x, o, log);
  const checks = demoChecks(rows);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ model: spec, ...o, rows, checks })}\n`);
    return;
  }
  const body = rows.map((r) => [
    r.bandwidth,
    r.mode,
    r.cut,
    r.predictedMs.toFixed(1),
    r.measuredMs.toFixed(1),
    `${((100 * (r.measuredMs - r.predictedMs)) / r.measuredMs).toFixed(0)}%`,
    `${r.byServer}/${o.frames}`,
  ]);
  process.stdout.write(
    `${[
      `model ${spec}; device: this machine slowed ${o.deviceSlowdown}×; server: this machine (WebAssembly, 1 worker); link: RTT ${options.rtt}, jitter ${options.jitter}, loss ${options.loss}`,
      table(
        ['bandwidth', 'mode', 'cut', 'predicted ms', 'measured ms (median)', 'error', 'by server'],
        body,
        [2, 3, 4, 5, 6],
      ),
      'capture-to-answer time of every frame (ms):',
      ...rows.map(
        (r) =>
          `  ${r.bandwidth.padEnd(9)} ${r.mode.padEnd(12)} cut ${String(r.cut).padStart(3)}: ${r.frameMs.map((t) => t.toFixed(1)).join(' ')}`,
      ),
      ...checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.what}`),
    ].join('\n')}\n`,
  );
}

/** What the issue asks of the demo: never worse than the right extreme, predictions within 20%. */
export function demoChecks(rows: DemoRow[]): { what: string; ok: boolean }[] {
  const bandwidths = [...new Set(rows.map((r) => r.bandwidth))];
  const at = (bw: string, mode: DemoRow['mode']) => rows.find((r) => r.bandwidth === bw && r.mode === mode) as DemoRow;
  const lowest = bandwidths[0]!;
  const highest = bandwidths[bandwidths.length - 1]!;
  const worst = Math.max(...rows.map((r) => Math.abs(r.measuredMs - r.predictedMs) / r.measuredMs));
  return [
    {
      what: `at ${lowest} the planned cut is no slower than local only (${at(lowest, 'planned').measuredMs.toFixed(1)} vs ${at(lowest, 'local only').measuredMs.toFixed(1)} ms, 5% noise allowed)`,
      ok: at(lowest, 'planned').measuredMs <= 1.05 * at(lowest, 'local only').measuredMs,
    },
    {
      what: `at ${highest} the planned cut is no slower than full offload (${at(highest, 'planned').measuredMs.toFixed(1)} vs ${at(highest, 'full offload').measuredMs.toFixed(1)} ms, 5% noise allowed)`,
      ok: at(highest, 'planned').measuredMs <= 1.05 * at(highest, 'full offload').measuredMs,
    },
    {
      what: `every predicted total within 20% of the measured median (worst ${(100 * worst).toFixed(0)}%)`,
      ok: worst <= 0.2,
    },
  ];
}

async function planCommand(options: PlanFlags): Promise<void> {
  if (options.plot) checkPlotFile(options.plot, options.force);
  if (options.codec !== 'raw' && options.codec !== 'entropy')
    throw new TinyedgeError('TE601', `--codec '${options.codec}' is not raw or entropy`);
  const link = { bitsPerSecond: parseBandwidth(options.bandwidth), rttMs: parseDuration(options.rtt, '--rtt') };
  const target = loadTarget(options.target);
  const spec =
    options.artifact ?? (options.model === DEFAULT_MODEL && target.memory?.flashBytes ? MCU_MODEL : options.model);
  const { g, x } = await modelAndInput(spec, options.image);
  const cuts = cutCandidates(g);
  const log = (s: string) => options.json || process.stderr.write(`${s}\n`);
  log(`counting ${target.name}'s instructions per layer under qemu…`);
  const headMs = headMsByCut(g, cuts, x, target);
  log(`timing the tails of ${cuts.length} cuts in WebAssembly here (the edge server)…`);
  const tailMs = await tailMsByCut(g, cuts, Number(options.runs));
  const out = tensorOf(g, g.outputs[0]!);
  const wireBytes = options.codec === 'entropy' ? codedBytesByCut(g, cuts, x) : undefined;
  const { rows, best } = planSplit(
    cuts,
    { headMs, tailMs, answerBytes: sizeOf(out.shape) * DTYPE_BYTES[out.dtype], ...(wireBytes ? { wireBytes } : {}) },
    link,
  );
  if (options.plot)
    await writePlanPlot(
      options.plot,
      rows,
      best,
      `${spec} on ${target.name}, ${options.bandwidth}, RTT ${options.rtt}${options.codec === 'entropy' ? ', entropy-coded' : ''}`,
    );
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ model: spec, target: target.name, link, codec: options.codec, rows: rows.map(({ cut, ...r }) => ({ cut: cut.id, after: cut.after, tensor: cut.tensor, shape: cut.shape, ...r })), best: best.cut.id })}\n`,
    );
    return;
  }
  const ms = (v: number) => v.toFixed(2);
  const where = (r: (typeof rows)[number]) =>
    r.kind === 'split' ? `after ${shortName(g.nodes[r.cut.after - 1]!.name, 44)}` : r.kind;
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
    `${[
      `model ${spec} (${g.nodes.length} layers), device ${target.name} at ${(target.clockHz as number) / 1e6} MHz (1 instruction/cycle), server: this machine (WebAssembly)`,
      `link ${options.bandwidth}, RTT ${options.rtt}; network = RTT + (request + answer frames) at the bandwidth; cut tensors ${options.codec === 'entropy' ? 'entropy-coded (sizes on the input photo)' : 'raw'}`,
      table(
        ['cut', 'where', 'tensor', 'wire', 'head ms', 'network ms', 'tail ms', 'total ms'],
        body,
        [0, 3, 4, 5, 6, 7],
      ),
      `best: cut ${best.cut.id} (${where(best)}), ${ms(best.totalMs)} ms per frame`,
      ...(options.plot ? [`plot: ${options.plot}`] : []),
    ].join('\n')}\n`,
  );
}

// `tinyedge offload plan|demo` runs this file as its own process with the parsed options as JSON.
const [command, json] = process.argv.slice(2);
const run =
  command === 'plan' ? planCommand(JSON.parse(json!) as PlanFlags) : demoCommand(JSON.parse(json!) as DemoFlags);
run.catch((e: unknown) => exitWithFailure(e));
