/**
 * Split offload end to end on loopback, MobileNetV2 0.35/96 int8 with WebAssembly heads and tails: answers through
 * the edge server equal local inference bit for bit for full offload, a middle cut and the last layer, and with
 * entropy-coded cut tensors (a payload that does not decode to the tensor is refused as 'codec'); 32 devices ×
 * 50 frames at once are all answered by the server; when the server is killed mid-stream, stalls past the deadline,
 * is not there at all, refuses the model or the token, every frame is still answered (by the device) and the answer
 * is the same; a device reconnects when a server comes back; a stream of garbage closes only its own connection;
 * thousands of bad frames and broken streams leave no connection open and the heap where it was; a worker thread
 * that dies is replaced and its frame answered by the device.
 */

import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WasmPart, wasmSplitParts } from '../../compiler/backends/wasm/package/split-parts.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { type Cut, cutCandidates } from '../../compiler/plan/split/cut-candidates.ts';
import { modelHash } from '../../compiler/plan/split/model-hash.ts';
import { quantizeForTensor } from '../../compiler/quantize/prepare/quant-params.ts';
import type { Activations } from '../../compiler/reference/integer/conv.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { MCU_MODEL } from '../../models/registry.ts';
import { type DeviceAnswer, OffloadDevice } from '../../runtime/offload/device-client.ts';
import { EdgeServer } from '../../runtime/offload/edge-server.ts';
import type { CompiledPart } from '../../runtime/offload/tail-pool.ts';
import { type Codec, encodeFrame, FrameReader } from '../../runtime/offload/wire-protocol.ts';
import { type RawValues, TinyedgeModel } from '../../runtime/wasm/tinyedge-loader.js';
import { firstDifference } from '../support/c-build.ts';
import { freePort } from '../support/edge-process.ts';
import { quantizedDefaultModel } from '../support/quantized-model.ts';
import { photoInput, SAMPLE_PHOTOS } from '../support/samples.ts';

let g: Graph;
let hash: string;
let inputs: Activations[];
let expected: Activations[];
let chosen: Cut[];
const parts = new Map<number, { head?: WasmPart; tail?: WasmPart }>();
const servers: EdgeServer[] = [];

beforeAll(async () => {
  const { model, int8 } = await quantizedDefaultModel(0, MCU_MODEL);
  g = int8;
  hash = modelHash(g);
  inputs = await Promise.all(
    SAMPLE_PHOTOS.map(async (f) => quantizeForTensor(await photoInput(model, f), tensorOf(g, g.inputs[0]!))),
  );
  expected = inputs.map((x) => runInteger(g, { [g.inputs[0]!]: x }).get(g.outputs[0]!) as Activations);
  const cuts = cutCandidates(g);
  chosen = [cuts[0]!, cuts[Math.floor(cuts.length / 2)]!, cuts[cuts.length - 2]!];
  for (const c of chosen) parts.set(c.id, wasmSplitParts(g, c));
}, 180_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close().catch(() => {})));
});

function tails(): Map<number, CompiledPart> {
  return new Map(chosen.map((c) => [c.id, parts.get(c.id)?.tail as CompiledPart]));
}

async function server(options: Partial<Parameters<typeof EdgeServer.start>[0]> = {}, port = 0): Promise<EdgeServer> {
  const s = await EdgeServer.start({ modelHash: hash, tails: tails(), workers: 2, ...options }, port);
  servers.push(s);
  return s;
}

async function device(
  port: number,
  cut: Cut,
  options: { timeoutMs?: number; modelHash?: string; token?: string; codec?: Codec } = {},
): Promise<OffloadDevice> {
  const p = parts.get(cut.id) as { head?: WasmPart; tail?: WasmPart };
  const load = async (part?: WasmPart) =>
    part ? TinyedgeModel.load<RawValues, RawValues>(part.bytes, part.info) : undefined;
  return new OffloadDevice({
    host: '127.0.0.1',
    port,
    modelHash: options.modelHash ?? hash,
    cutId: cut.id,
    head: await load(p.head),
    tail: (await load(p.tail)) as TinyedgeModel<RawValues, RawValues>,
    timeoutMs: options.timeoutMs ?? 10_000,
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.codec ? { codec: options.codec } : {}),
    backoffMs: { min: 20, max: 200 },
  });
}

const same = (a: DeviceAnswer, i: number) =>
  expect(firstDifference(a.output, expected[i % expected.length]!)).toBeNull();

describe('offload over loopback', () => {
  it('answers from the server equal local inference on every photo: full offload, a middle cut, the last layer', async () => {
    const s = await server();
    for (const cut of chosen) {
      const d = await device(s.port, cut);
      for (let i = 0; i < inputs.length; i++) {
        const a = await d.infer(inputs[i]!);
        expect(a.by, `cut ${cut.id}: ${a.reason}`).toBe('server');
        same(a, i);
      }
      d.close();
    }
  });

  it('entropy-coded cut tensors: answers equal local inference; a payload that does not decode is refused as codec', async () => {
    const s = await server();
    const cut = chosen[1]!;
    const d = await device(s.port, cut, { codec: 'entropy' });
    for (let i = 0; i < inputs.length; i++) {
      const a = await d.infer(inputs[i]!);
      expect(a.by, a.reason).toBe('server');
      same(a, i);
    }
    d.close();
    const t = tensorOf(g, cut.tensor);
    const socket = connect(s.port, '127.0.0.1');
    const reader = new FrameReader(1024);
    const reply = new Promise<string>((r) =>
      socket.on('data', (c: Buffer) =>
        reader.push(c).forEach((f) => {
          r(Buffer.from(f.payload).toString());
        }),
      ),
    );
    // Announces a length one short of the tensor's: the server must check what the payload decodes to.
    const payload = Uint8Array.of(0, ...new Uint8Array(4), ...new Uint8Array(cut.bytes - 1));
    new DataView(payload.buffer).setUint32(1, cut.bytes - 1, true);
    socket.write(
      encodeFrame({
        kind: 'cut',
        codec: 'entropy',
        elementType: 'int8',
        modelHash: hash,
        cutId: cut.id,
        sequence: 1,
        shape: t.shape,
        scale: 1,
        zeroPoint: 0,
        payload,
      }),
    );
    expect(await reply).toBe('codec');
    socket.destroy();
  });

  it('32 devices × 50 frames at once: every frame answered by the server, none lost', async () => {
    const s = await server({ maxQueue: 64 });
    const cut = chosen[1]!;
    const answers = await Promise.all(
      Array.from({ length: 32 }, async (_, k) => {
        const d = await device(s.port, cut);
        const mine: DeviceAnswer[] = [];
        for (let f = 0; f < 50; f++) mine.push(await d.infer(inputs[(k + f) % inputs.length]!));
        d.close();
        return mine.map((a, f) => ({ a, i: (k + f) % inputs.length }));
      }),
    );
    const flat = answers.flat();
    expect(flat.length).toBe(1600);
    expect(flat.filter(({ a }) => a.by !== 'server').map(({ a }) => a.reason)).toEqual([]);
    flat.forEach(({ a, i }) => {
      same(a, i);
    });
    expect(s.metrics().answered).toBeGreaterThanOrEqual(1600);
  }, 120_000);

  it('the server killed mid-stream: every frame still answered, the same, the rest by the device', async () => {
    const s = await server();
    const d = await device(s.port, chosen[1]!, { timeoutMs: 2000 });
    const got: DeviceAnswer[] = [];
    for (let f = 0; f < 30; f++) {
      if (f === 10) await s.close();
      got.push(await d.infer(inputs[f % inputs.length]!));
    }
    got.forEach(same);
    expect(got.slice(0, 10).every((a) => a.by === 'server')).toBe(true);
    expect(got.slice(10).every((a) => a.by === 'device')).toBe(true);
    d.close();
  });

  it('a stalled server (accepts, never answers): frames finish on the device after the timeout, the same', async () => {
    const stalled: Server = createServer(() => {});
    await new Promise<void>((r) => stalled.listen(0, '127.0.0.1', r));
    const d = await device((stalled.address() as AddressInfo).port, chosen[1]!, { timeoutMs: 100 });
    const t0 = performance.now();
    const a = await d.infer(inputs[0]!);
    expect(a).toMatchObject({ by: 'device', reason: 'timeout' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(95);
    same(a, 0);
    d.close();
    stalled.close();
  });

  it('no server: answered on the device at once; when a server starts on that port the device reconnects', async () => {
    const port = await freePort();
    const d = await device(port, chosen[1]!);
    const a = await d.infer(inputs[1]!);
    expect(a.by).toBe('device');
    same(a, 1);
    await server({}, port);
    let b = await d.infer(inputs[1]!);
    for (let tries = 0; b.by !== 'server' && tries < 50; tries++) {
      await new Promise((r) => setTimeout(r, 20));
      b = await d.infer(inputs[1]!);
    }
    expect(b.by).toBe('server');
    same(b, 1);
    d.close();
  });

  it('another model (hash) or a wrong token: refused by the server, answered on the device, the same', async () => {
    const s = await server({ token: 'secret' });
    const noToken = await device(s.port, chosen[1]!);
    expect(await noToken.infer(inputs[0]!)).toMatchObject({ by: 'device', reason: 'refused: token' });
    const withToken = await device(s.port, chosen[1]!, { token: 'secret' });
    same(await withToken.infer(inputs[0]!), 0);
    expect((await withToken.infer(inputs[0]!)).by).toBe('server');
    const otherModel = await device(s.port, chosen[1]!, { token: 'secret', modelHash: '00000000deadbeef' });
    const a = await otherModel.infer(inputs[2]!);
    expect(a).toMatchObject({ by: 'device', reason: 'refused: model' });
    same(a, 2);
    for (const d of [noToken, withToken, otherModel]) d.close();
  });

  it('a stream of garbage closes only its own connection; other devices keep being answered', async () => {
    const s = await server();
    const good = await device(s.port, chosen[1]!);
    expect((await good.infer(inputs[0]!)).by).toBe('server');
    const bad = connect(s.port, '127.0.0.1');
    await new Promise<void>((r) => bad.once('connect', () => r()));
    const closed = new Promise<void>((r) => bad.once('close', () => r()));
    bad.write(Buffer.alloc(200, 0x41));
    await closed;
    const after = await good.infer(inputs[1]!);
    expect(after.by).toBe('server');
    same(after, 1);
    expect(s.metrics().badStreams).toBe(1);
    good.close();
  });

  it('5,000 bad frames and 500 broken streams: each refused or closed, no connection left open, no heap growth', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const s = await server({ workers: 1 });
    const cut = chosen[1]!;
    const tail = parts.get(cut.id)?.tail as WasmPart;
    const frame = (modelHash: string, sequence: number) =>
      encodeFrame({
        kind: 'cut',
        codec: 'raw',
        elementType: 'int8',
        modelHash,
        cutId: cut.id,
        sequence,
        shape: tail.info.input.shape,
        scale: tail.info.input.scale,
        zeroPoint: tail.info.input.zeroPoint,
        payload: new Uint8Array(cut.bytes),
      });
    const open = async () => {
      const c = connect(s.port, '127.0.0.1');
      await new Promise<void>((r) => c.once('connect', () => r()));
      return c;
    };
    // Well-formed frames for another model: each is refused with an answer and the connection stays.
    const refusals = async (socket: Socket, n: number) => {
      const reader = new FrameReader(1 << 20);
      let got = 0;
      const done = new Promise<void>((r) =>
        socket.on('data', (d: Buffer) => {
          got += reader.push(d).length;
          if (got === n) r();
        }),
      );
      for (let i = 0; i < n; i++) socket.write(frame('0123456789abcdef', i));
      await done;
    };
    // Broken streams: a flipped CRC bit, a wrong magic, an oversize length, a truncated payload then a close.
    const broken = async (i: number) => {
      const f = frame(hash, i);
      const kind = i % 4;
      if (kind === 0) f[52]! ^= 1;
      if (kind === 1) f[0] = 0x58;
      if (kind === 2) new DataView(f.buffer).setUint32(48, 0x7fffffff, true);
      const c = await open();
      const closed = new Promise<void>((r) => c.once('close', () => r()));
      c.write(kind === 3 ? f.subarray(0, f.length - 7) : f);
      if (kind === 3) c.end();
      await closed;
    };
    const round = async () => {
      const c = await open();
      await refusals(c, 1000);
      c.destroy();
      for (let i = 0; i < 100; i += 10) await Promise.all(Array.from({ length: 10 }, (_, k) => broken(i + k)));
    };
    await round();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let r = 0; r < 4; r++) await round();
    await new Promise((r) => setTimeout(r, 100));
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    const m = s.metrics();
    expect(m.refused.model).toBe(5000);
    expect(m.badStreams).toBe(500);
    expect(m.open).toBe(0);
    expect(grown).toBeLessThan(4 * 1024 * 1024);
    const d = await device(s.port, cut);
    same(await d.infer(inputs[0]!), 0);
    d.close();
  });

  it('a worker thread that dies is replaced: later frames are answered by the server again', async () => {
    const s = await server({ workers: 1 });
    const d = await device(s.port, chosen[1]!);
    expect((await d.infer(inputs[0]!)).by).toBe('server');
    const pool = (s as unknown as { pool: { slots: { worker: Worker }[] } }).pool;
    await pool.slots[0]!.worker.terminate();
    for (const i of [1, 2]) {
      const a = await d.infer(inputs[i]!);
      expect(a.by).toBe('server');
      same(a, i);
    }
    expect(s.metrics().workersReplaced).toBe(1);
    d.close();
  });
});
