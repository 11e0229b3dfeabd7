/**
 * @fileoverview `tinyedge offload demo`: the edge server and a device on loopback, through the link shaper, at
 * several bandwidths. For each: the planner's predicted capture-to-answer time of local only, full offload and its
 * chosen cut, and the measured median over frames. The device is this machine made `deviceSlowdown` times slower
 * (it waits that many times its head's measured time, less the time it really took), so a weak device and a
 * strong server meet as in the field; the planner is given the same slowed head times. The slowed device takes
 * exactly its profiled head time (waiting out the rest), so the machine's load shows in the server's time only.
 */

import { type WasmPart, wasmSplitParts } from '../../compiler/backends/wasm/package/split-parts.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { DTYPE_BYTES, sizeOf } from '../../compiler/ir/tensor.ts';
import { type Cut, cutCandidates } from '../../compiler/plan/split/cut-candidates.ts';
import { modelHash } from '../../compiler/plan/split/model-hash.ts';
import { planSplit, type SplitRow } from '../../compiler/plan/split/plan-split.ts';
import type { Activations } from '../../compiler/reference/integer/conv.ts';
import { OffloadDevice } from '../../runtime/offload/device-client.ts';
import { EdgeServer } from '../../runtime/offload/edge-server.ts';
import type { CompiledPart } from '../../runtime/offload/tail-pool.ts';
import { type RawValues, TinyedgeModel } from '../../runtime/wasm/tinyedge-loader.js';
import { median } from '../bench/stats.ts';
import { LinkShaper } from './link-shaper.ts';
import { medianRunMs } from './split-costs.ts';

export interface DemoOptions {
  bandwidths: { label: string; bitsPerSecond: number }[];
  rttMs: number;
  jitterMs: number;
  loss: number;
  frames: number;
  deviceSlowdown: number;
}

/** One measured mode at one bandwidth. */
export interface DemoRow {
  bandwidth: string;
  mode: 'local only' | 'full offload' | 'planned';
  cut: number;
  predictedMs: number;
  measuredMs: number;
  /** Every timed frame's capture-to-answer time, in order (measuredMs is their median). */
  frameMs: number[];
  /** Frames the server answered (the rest finished on the device). */
  byServer: number;
}

type Model = TinyedgeModel<RawValues, RawValues>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Runs the demo; `log` sees progress. */
export async function runDemo(g: Graph, x: Activations, o: DemoOptions, log: (s: string) => void): Promise<DemoRow[]> {
  const cuts = cutCandidates(g);
  log(`compiling head and tail of ${cuts.length} cuts to WebAssembly and timing them…`);
  const heads = new Map<number, Model>();
  const tails = new Map<number, Model>();
  const served = new Map<number, CompiledPart>();
  const headMs: number[] = [];
  const tailMs: number[] = [];
  const load = (p: WasmPart) => TinyedgeModel.load<RawValues, RawValues>(p.bytes, p.info);
  for (const cut of cuts) {
    const { head, tail } = wasmSplitParts(g, cut);
    if (head) heads.set(cut.id, await load(head));
    if (tail) {
      tails.set(cut.id, await load(tail));
      served.set(cut.id, tail);
    }
    const h = heads.get(cut.id);
    const t = tails.get(cut.id);
    headMs.push(h ? medianRunMs(h, 7) * o.deviceSlowdown : 0);
    tailMs.push(t ? medianRunMs(t, 7) : 0);
  }
  const out = tensorOf(g, g.outputs[0]!);
  const hash = modelHash(g);
  const server = await EdgeServer.start({ modelHash: hash, tails: served, workers: 1 });
  const rows: DemoRow[] = [];
  try {
    // What a frame costs beyond link and tail (sockets, framing, the worker's hop): full offload, unshaped.
    const direct = await measure(cuts[0]!, undefined, tails.get(0), 0, x, server.port, hash, o);
    const frameOverheadMs = Math.max(0, direct.ms - tailMs[0]!);
    log(`per-frame overhead on loopback: ${frameOverheadMs.toFixed(2)} ms`);
    const costs = { headMs, tailMs, answerBytes: sizeOf(out.shape) * DTYPE_BYTES[out.dtype], frameOverheadMs };
    for (const bw of o.bandwidths) {
      const link = { bitsPerSecond: bw.bitsPerSecond, rttMs: o.rttMs };
      const plan = planSplit(cuts, costs, link);
      const shaper = await LinkShaper.start(server.port, { ...link, jitterMs: o.jitterMs, loss: o.loss });
      const modes: [DemoRow['mode'], SplitRow][] = [
        ['local only', plan.rows[plan.rows.length - 1]!],
        ['full offload', plan.rows[0]!],
        ['planned', plan.best],
      ];
      // The planned cut is often one of the ends: the same frames answer for both rows.
      const measured = new Map<number, Measured>();
      for (const [mode, row] of modes) {
        log(`${bw.label}: ${mode} (cut ${row.cut.id})…`);
        let m = measured.get(row.cut.id);
        if (!m) {
          m = await measure(
            row.cut,
            heads.get(row.cut.id),
            tails.get(row.cut.id),
            headMs[row.cut.id]!,
            x,
            shaper.port,
            hash,
            o,
          );
          measured.set(row.cut.id, m);
        }
        rows.push({
          bandwidth: bw.label,
          mode,
          cut: row.cut.id,
          predictedMs: row.totalMs,
          measuredMs: m.ms,
          frameMs: m.frameMs,
          byServer: m.byServer,
        });
      }
      await shaper.close();
    }
  } finally {
    await server.close();
  }
  return rows;
}

interface Measured {
  ms: number;
  frameMs: number[];
  byServer: number;
}

/** Capture-to-answer times of `frames` frames at one cut and their median (after warm-up frames, which also warm the server's worker). */
async function measure(
  cut: Cut,
  head: Model | undefined,
  tail: Model | undefined,
  headMs: number,
  x: Activations,
  port: number,
  hash: string,
  o: DemoOptions,
): Promise<Measured> {
  const device = tail
    ? new OffloadDevice({ host: '127.0.0.1', port, modelHash: hash, cutId: cut.id, tail, timeoutMs: 30_000 })
    : undefined;
  const times: number[] = [];
  let byServer = 0;
  const warmup = 3;
  for (let f = 0; f < warmup + o.frames; f++) {
    const t0 = performance.now();
    let sent: RawValues = x;
    if (head) {
      head.setInput(x);
      head.run();
      sent = head.output();
      await sleep(t0 + headMs - performance.now());
    }
    if (device) {
      const a = await device.infer(sent);
      if (f >= warmup && a.by === 'server') byServer++;
    }
    if (f >= warmup) times.push(performance.now() - t0);
  }
  device?.close();
  return { ms: median(times), frameMs: times, byServer };
}
