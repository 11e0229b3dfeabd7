/**
 * The edge server's connection limits, in process, MobileNetV2 0.35/96 int8 split after its global pooling: a device
 * configured with a token is served by a server without one (its hello is ignored); a quiet connection is closed
 * after the idle timeout, a busy one is not; past maxConnections a device's frame is refused as 'connections' (it
 * answers the frame itself, the same), a silent connection hears a refusal of sequence 0 and is closed, and a freed
 * slot serves again; a connection that does not read is no longer read once its answers back up; frames waiting for
 * a worker are dropped when their device leaves.
 */

import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WasmPart, wasmSplitParts } from '../../compiler/backends/wasm/package/split-parts.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { type Cut, cutCandidates } from '../../compiler/plan/split/cut-candidates.ts';
import { modelHash } from '../../compiler/plan/split/model-hash.ts';
import { quantizeForTensor } from '../../compiler/quantize/prepare/quant-params.ts';
import type { Activations } from '../../compiler/reference/integer/conv.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { MCU_MODEL } from '../../models/registry.ts';
import { OffloadDevice } from '../../runtime/offload/device-client.ts';
import { EdgeServer, type EdgeServerOptions } from '../../runtime/offload/edge-server.ts';
import { type CompiledPart, TailPool } from '../../runtime/offload/tail-pool.ts';
import { encodeFrame, type Frame, FrameReader } from '../../runtime/offload/wire-protocol.ts';
import { type RawValues, TinyedgeModel } from '../../runtime/wasm/tinyedge-loader.js';
import { firstDifference } from '../support/c-build.ts';
import { quantizedDefaultModel } from '../support/quantized-model.ts';
import { photoInput, SAMPLE_PHOTOS } from '../support/samples.ts';

let g: Graph;
let hash: string;
let cut: Cut;
let head: WasmPart;
let tail: WasmPart;
let input: Activations;
let expected: Activations;
let frame: Uint8Array;
const servers: EdgeServer[] = [];
const devices: OffloadDevice[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  const { model, int8 } = await quantizedDefaultModel(0, MCU_MODEL);
  g = int8;
  hash = modelHash(g);
  const cuts = cutCandidates(g);
  cut = cuts[cuts.length - 2]!;
  ({ head, tail } = wasmSplitParts(g, cut) as { head: WasmPart; tail: WasmPart });
  input = quantizeForTensor(await photoInput(model, SAMPLE_PHOTOS[0]!), tensorOf(g, g.inputs[0]!));
  expected = runInteger(g, { [g.inputs[0]!]: input }).get(g.outputs[0]!) as Activations;
  const t = tail.info.input;
  frame = encodeFrame({
    kind: 'cut',
    codec: 'raw',
    elementType: 'int8',
    modelHash: hash,
    cutId: cut.id,
    sequence: 1,
    shape: t.shape,
    scale: t.scale,
    zeroPoint: t.zeroPoint,
    payload: new Uint8Array(cut.bytes),
  });
}, 180_000);

afterAll(async () => {
  for (const d of devices) d.close();
  await Promise.all(servers.map((s) => s.close().catch(() => {})));
});

async function server(options: Partial<EdgeServerOptions> = {}): Promise<EdgeServer> {
  const s = await EdgeServer.start({
    modelHash: hash,
    tails: new Map([[cut.id, tail as CompiledPart]]),
    workers: 1,
    ...options,
  });
  servers.push(s);
  return s;
}

async function device(port: number, token?: string): Promise<OffloadDevice> {
  const load = (part: WasmPart) => TinyedgeModel.load<RawValues, RawValues>(part.bytes, part.info);
  const d = new OffloadDevice({
    host: '127.0.0.1',
    port,
    modelHash: hash,
    cutId: cut.id,
    head: await load(head),
    tail: await load(tail),
    timeoutMs: 10_000,
    backoffMs: { min: 20, max: 100 },
    ...(token !== undefined ? { token } : {}),
  });
  devices.push(d);
  return d;
}

async function open(port: number): Promise<Socket> {
  const s = connect(port, '127.0.0.1');
  await new Promise<void>((r) => s.once('connect', () => r()));
  return s;
}

const closed = (s: Socket) => new Promise<void>((r) => (s.closed ? r() : s.once('close', () => r())));

async function until(check: () => boolean, ms = 5000): Promise<void> {
  for (let waited = 0; !check() && waited < ms; waited += 10) await sleep(10);
}

describe('edge server connection limits', () => {
  it('a server without a token ignores a hello: a device configured with a token is served', async () => {
    const s = await server();
    const d = await device(s.port, 'anything');
    for (let i = 0; i < 2; i++) {
      const a = await d.infer(input);
      expect(a.by, a.reason).toBe('server');
      expect(firstDifference(a.output, expected)).toBeNull();
    }
    expect(s.metrics().refused).toEqual({});
  });

  it('a connection quiet for the idle timeout is closed; one sending a frame every 100 ms is not', async () => {
    const s = await server({ idleTimeoutMs: 300 });
    const quiet = await open(s.port);
    const t0 = performance.now();
    const d = await device(s.port);
    for (let i = 0; i < 8; i++) {
      expect((await d.infer(input)).by).toBe('server');
      await sleep(100);
    }
    await closed(quiet);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    expect(s.metrics()).toMatchObject({ idleClosed: 1, open: 1 });
  });

  it('past maxConnections: refused as connections and closed, the device answers the same; a freed slot serves again', async () => {
    const s = await server({ maxConnections: 2 });
    const [a, b, c] = [await device(s.port), await device(s.port), await device(s.port)];
    expect((await a.infer(input)).by).toBe('server');
    expect((await b.infer(input)).by).toBe('server');
    const refused = await c.infer(input);
    expect(refused).toMatchObject({ by: 'device', reason: 'refused: connections' });
    expect(firstDifference(refused.output, expected)).toBeNull();
    // A connection that sends nothing still hears why: a refusal answering no frame (sequence 0), then the close.
    const silent = await open(s.port);
    const reader = new FrameReader(1024);
    const heard = new Promise<Frame>((r) => silent.on('data', (d: Buffer) => reader.push(d).forEach(r)));
    const f = await heard;
    expect({ kind: f.kind, sequence: f.sequence, reason: Buffer.from(f.payload).toString() }).toEqual({
      kind: 'refusal',
      sequence: 0,
      reason: 'connections',
    });
    await closed(silent);
    expect(s.metrics()).toMatchObject({ open: 2, turnedAway: 2 });
    a.close();
    await until(() => s.metrics().open === 1);
    let again = await c.infer(input);
    for (let tries = 0; again.by !== 'server' && tries < 50; tries++) {
      await sleep(20);
      again = await c.infer(input);
    }
    expect(again.by, again.reason).toBe('server');
    expect(firstDifference(again.output, expected)).toBeNull();
  });

  it('a connection that never reads is no longer read once its answers back up; it is freed when it leaves', async () => {
    const s = await server({ readBounds: { pendingFrames: 4, unsentBytes: 1 << 16 } });
    const c = await open(s.port);
    c.pause();
    // 30 MB of frames: their answers are far more than the kernel's socket buffers hold.
    const batch = Buffer.concat(Array.from({ length: 1000 }, () => frame));
    for (let i = 0; i < Math.ceil((30 << 20) / batch.length); i++) c.write(batch);
    c.on('error', () => {});
    // Taken frames stop growing once the server stops reading: the same count twice, 300 ms apart.
    let taken = -1;
    for (let waited = 0; waited < 20_000; waited += 300) {
      const before = s.metrics().frames;
      await sleep(300);
      taken = s.metrics().frames;
      if (taken === before && taken > 0) break;
    }
    await sleep(500);
    expect(s.metrics().frames).toBe(taken);
    expect(taken * frame.length).toBeLessThan(30 << 20);
    c.destroy();
    await until(() => s.metrics().open === 0);
    expect(s.metrics().open).toBe(0);
  });

  it('frames waiting for a worker are dropped from the queue when their device leaves', async () => {
    const pool = await TailPool.start(new Map([[cut.id, tail as CompiledPart]]), 1, 100);
    try {
      const left = new AbortController();
      const payload = new Uint8Array(cut.bytes);
      const jobs = Array.from({ length: 50 }, () => pool.run(cut.id, payload, Date.now() + 60_000, left.signal));
      expect(pool.queued).toBe(49);
      left.abort();
      expect(pool.queued).toBe(0);
      const results = await Promise.all(jobs);
      expect(results.filter((r) => 'refusal' in r && r.refusal === 'closed').length).toBe(49);
      expect('output' in (results[0] as object)).toBe(true);
    } finally {
      await pool.close();
    }
  });
});
