/**
 * @fileoverview `tinyedge offload run [model|artifact] --cut N --server HOST:PORT (--image F | --input F) [--frames K]
 * [--timeout 200ms] [--token T] [--tls-ca F] [--json]`: the device's side of split offload. The head runs here in
 * WebAssembly, the tail on the edge server, or here when the server does not answer in time; each frame prints who
 * answered, the top-5 and the capture-to-answer latency, as predict and run print theirs.
 */

import { OffloadDevice } from '../../runtime/offload/device-client.ts';
import { type RawValues, TinyedgeModel } from '../../runtime/wasm/tinyedge-loader.js';
import { type WasmPart, wasmSplitParts } from '../backends/wasm/package/split-parts.ts';
import { readUserFile } from '../frontends/tfjs-common/artifacts.ts';
import { integerInputOf, slotOf } from '../input/read-input.ts';
import { tensorOf } from '../ir/graph.ts';
import { modelStats, peakActivationBytes } from '../ir/stats.ts';
import type { Quantization } from '../ir/tensor.ts';
import { parseDuration } from '../plan/split/plan-split.ts';
import { dequantizeArray } from '../quantize/prepare/quant-params.ts';
import { type PredictionResult, topK } from '../run/prediction.ts';
import { bytes, table } from '../terminal/format.ts';
import { cutById, describeCut, hostAndPort, loadOffloadModel, wholeNumber } from './offload-model.ts';

/** Options of offload run. */
export interface OffloadRunOptions {
  cut: string;
  server: string;
  image?: string;
  input?: string;
  frames: string;
  timeout: string;
  token?: string;
  tlsCa?: string;
  json?: boolean;
}

/** One frame's result: predict's object, and who ran the tail (with why, when it was this device). */
export interface OffloadFrameResult extends PredictionResult {
  by: 'server' | 'device';
  reason?: string;
}

const load = (p: WasmPart | undefined) =>
  p ? TinyedgeModel.load<RawValues, RawValues>(p.bytes, p.info) : Promise.resolve(undefined);

/** Runs the frames through the server (or here) and prints each. */
export async function offloadRunCommand(spec: string | undefined, o: OffloadRunOptions): Promise<void> {
  const { host, port } = hostAndPort(o.server, '--server');
  const frames = wholeNumber(o.frames, '--frames', 1);
  const timeoutMs = parseDuration(o.timeout, '--timeout');
  const tls = o.tlsCa !== undefined ? { ca: readUserFile(o.tlsCa, 'the CA certificate') } : undefined;
  const m = await loadOffloadModel(spec, o.json);
  const cut = cutById(m.cuts, o.cut, m.model.spec);
  const g = m.g;
  const x = await integerInputOf(slotOf(g), tensorOf(g, g.inputs[0]!).quant as Quantization, m.model.preprocessing, o);
  const parts = wasmSplitParts(g, cut);
  const tail = (await load(parts.tail)) as TinyedgeModel<RawValues, RawValues>;
  const device = new OffloadDevice({
    host,
    port,
    modelHash: m.hash,
    cutId: cut.id,
    head: await load(parts.head),
    tail,
    timeoutMs,
    token: o.token,
    tls,
  });
  const out = tail.info.output;
  // The device carries the whole model, since any frame may finish here.
  const memory = { arenaBytes: peakActivationBytes(g), weightBytes: modelStats(g).totals.weightBytes, codeBytes: null };
  const results: OffloadFrameResult[] = [];
  const print = (line: string) => o.json || process.stdout.write(`${line}\n`);
  print(`model    ${m.title}, hash ${m.hash}; ${describeCut(cut)}; server ${o.server}${tls ? ' (TLS)' : ''}`);
  print(`input    ${o.image ?? o.input}`);
  try {
    for (let f = 1; f <= frames; f++) {
      const captured = performance.now();
      const a = await device.infer(x);
      const latencyMs = Number((performance.now() - captured).toFixed(3));
      const y = a.output;
      const r: OffloadFrameResult = {
        by: a.by,
        ...(a.reason ? { reason: a.reason } : {}),
        output: {
          name: out.name,
          shape: out.shape,
          dtype: out.dtype ?? 'int8',
          scale: out.scale,
          zeroPoint: out.zeroPoint,
          data: Array.from(y),
        },
        top: topK(dequantizeArray(y, { scale: [out.scale], zeroPoint: [out.zeroPoint] }), m.model.labels),
        latencyMs,
        memory,
      };
      results.push(r);
      print(
        `frame ${f}  answered by the ${r.by}${r.reason ? ` (${r.reason})` : ''}, ${latencyMs.toFixed(1)} ms capture to answer`,
      );
      print(
        table(
          ['rank', 'label', 'class', 'score'],
          r.top.map((t, i) => [i + 1, t.label, t.index, t.score.toFixed(6)]),
          [0, 2, 3],
        ),
      );
    }
  } finally {
    device.close();
  }
  print(
    `memory   activations ${bytes(memory.arenaBytes)} peak, weights ${bytes(memory.weightBytes)} (the whole model: any frame may finish here)`,
  );
  if (o.json)
    process.stdout.write(
      `${JSON.stringify({ model: m.model.spec, modelHash: m.hash, cut: { id: cut.id, tensor: cut.tensor, shape: cut.shape }, server: o.server, frames: results })}\n`,
    );
}
