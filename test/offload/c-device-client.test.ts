/**
 * The C device client (runtime/c/offload, splitProject) on the host and on rpi4-aarch64 under qemu-aarch64, talking
 * to the Node edge server on 127.0.0.1, MobileNetV2 0.35/96 int8 split at a middle cut: answers equal the integer
 * reference bit for bit on every sample photo, raw and entropy-coded; with no server every frame is answered by
 * the device, the same. On the host also: full offload (no head), the server killed mid-stream (later frames answered here, the same), a
 * server that starts late (the device reconnects after its backoff), a server with a token (hello frame), and a
 * silent server that records what it receives: the C frames are byte for byte wire-protocol.ts's, and the device
 * answers after its timeout.
 */

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cBuildOf } from '../../compiler/backends/c/project.ts';
import { splitProject } from '../../compiler/backends/c/split-project.ts';
import { wasmSplitParts } from '../../compiler/backends/wasm/package/split-parts.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { type Cut, cutCandidates } from '../../compiler/plan/split/cut-candidates.ts';
import { modelHash } from '../../compiler/plan/split/model-hash.ts';
import { quantizeForTensor } from '../../compiler/quantize/prepare/quant-params.ts';
import type { Activations } from '../../compiler/reference/integer/conv.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { MCU_MODEL } from '../../models/registry.ts';
import { EdgeServer } from '../../runtime/offload/edge-server.ts';
import { entropyEncode } from '../../runtime/offload/entropy-codec.ts';
import type { CompiledPart } from '../../runtime/offload/tail-pool.ts';
import { type Codec, encodeFrame } from '../../runtime/offload/wire-protocol.ts';
import { loadTarget, type Target } from '../../targets/target.ts';
import { buildTemporaryProject } from '../../targets/toolchain.ts';
import { firstDifference, STRICT_CFLAGS } from '../support/c-build.ts';
import { freePort } from '../support/edge-process.ts';
import { quantizedDefaultModel } from '../support/quantized-model.ts';
import { photoInput, SAMPLE_PHOTOS } from '../support/samples.ts';

const run = promisify(execFile);

let g: Graph;
let cut: Cut;
let fullOffload: Cut;
const tails = new Map<number, CompiledPart>();
let inputFiles: string[];
let expected: Int8Array[];
let cutTensors: Int8Array[];
const servers: EdgeServer[] = [];

beforeAll(async () => {
  const { model, int8 } = await quantizedDefaultModel(0, MCU_MODEL);
  g = int8;
  const cuts = cutCandidates(g);
  cut = cuts[Math.floor(cuts.length / 2)]!;
  fullOffload = cuts[0]!;
  for (const c of [cut, fullOffload]) tails.set(c.id, wasmSplitParts(g, c).tail as CompiledPart);
  const dir = mkdtempSync(join(tmpdir(), 'tinyedge-offload-inputs-'));
  const inputs = await Promise.all(
    SAMPLE_PHOTOS.map(
      async (f) => quantizeForTensor(await photoInput(model, f), tensorOf(g, g.inputs[0]!)) as Int8Array,
    ),
  );
  inputFiles = inputs.map((x, i) => {
    const file = join(dir, `photo${i}.i8`);
    writeFileSync(file, x);
    return file;
  });
  cutTensors = [];
  expected = inputs.map((x) => {
    const out = runInteger(
      g,
      { [g.inputs[0]!]: x },
      { onNode: (n, y) => n.outputs[0] === cut.tensor && cutTensors.push(y as Int8Array) },
    );
    return out.get(g.outputs[0]!) as Int8Array;
  });
}, 180_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close().catch(() => {})));
});

async function server(port = 0, token?: string): Promise<EdgeServer> {
  const s = await EdgeServer.start({ modelHash: modelHash(g), tails, workers: 1, ...(token ? { token } : {}) }, port);
  servers.push(s);
  return s;
}

const builds = new Map<string, string>();

/** The device's project for `target` (split at the middle cut unless told), built once. */
function build(target: Target, at: Cut = cut): string {
  const flags = target.name === 'host' ? STRICT_CFLAGS : [...(target.toolchain?.cflags ?? []), '-Werror'];
  const key = `${target.name} ${at.id}`;
  if (!builds.has(key))
    builds.set(key, buildTemporaryProject(splitProject(g, at, { ...cBuildOf(target), cflags: flags }), target, flags));
  return builds.get(key) as string;
}

interface Frames {
  by: string[];
  answers: Activations[];
}

/** Runs the device on every photo (each `repeat` times) against 127.0.0.1:port (or host:port). */
async function device(
  dir: string,
  target: Target,
  port: number,
  codec: Codec,
  o: { timeoutMs?: number; gapMs?: number; repeat?: number; token?: string; host?: string } = {},
): Promise<Frames> {
  const files = Array.from({ length: o.repeat ?? 1 }, () => inputFiles).flat();
  const output = join(dir, `answers-${codec}.i8`);
  const args = [
    join(dir, 'runner'),
    ...(o.token ? [`--token=${o.token}`] : []),
    o.host ?? '127.0.0.1',
    String(port),
    codec,
    String(o.timeoutMs ?? 10_000),
    String(o.gapMs ?? 0),
    output,
    ...files,
  ];
  const [cmd, ...rest] = target.run.kind === 'qemu-user' ? [...target.run.command, ...args] : args;
  const { stdout } = await run(cmd!, rest, { cwd: dir });
  const bytes = new Int8Array(readFileSync(output));
  const n = expected[0]!.length;
  const frames = (JSON.parse(stdout) as { frames: { by: string; refusal: string }[] }).frames;
  return {
    by: frames.map((f) => (f.refusal ? `${f.by}: ${f.refusal}` : f.by)),
    answers: frames.map((_, i) => bytes.subarray(i * n, (i + 1) * n)),
  };
}

const same = (f: Frames) =>
  f.answers.forEach((a, i) => {
    expect(firstDifference(a, expected[i % expected.length]!), `frame ${i}`).toBeNull();
  });

describe.each(['host', 'rpi4-aarch64'])('C device client on %s', (name) => {
  const target = loadTarget(name);
  let dir: string;
  beforeAll(() => {
    dir = build(target);
  }, 300_000);

  it.each(['raw', 'entropy'] as const)(
    'answers through the edge server equal the reference on every photo (%s)',
    async (codec) => {
      const s = await server();
      const f = await device(dir, target, s.port, codec);
      expect(f.by).toEqual(inputFiles.map(() => 'server'));
      same(f);
      expect(s.metrics().answered).toBe(inputFiles.length);
      await s.close();
    },
  );

  it('no server: every frame answered by the device, the same', async () => {
    const f = await device(dir, target, await freePort(), 'entropy');
    expect(f.by).toEqual(inputFiles.map(() => 'offline'));
    same(f);
  });
});

describe('C device client on host, failures', () => {
  const target = loadTarget('host');
  let dir: string;
  beforeAll(() => {
    dir = build(target);
  }, 300_000);

  it('a host name (localhost) is resolved: answered by the server, the same', async () => {
    const s = await server();
    const f = await device(build(target), target, s.port, 'raw', { host: 'localhost' });
    expect(f.by).toEqual(inputFiles.map(() => 'server'));
    same(f);
    await s.close();
  });

  it('full offload (no head: the input is sent, entropy-coded): answers equal the reference', async () => {
    const s = await server();
    const f = await device(build(target, fullOffload), target, s.port, 'entropy');
    expect(f.by).toEqual(inputFiles.map(() => 'server'));
    same(f);
    await s.close();
  });

  it('the server killed mid-stream: later frames answered by the device, every answer the same', async () => {
    const s = await server();
    const killer = setInterval(() => s.metrics().answered >= 3 && void s.close(), 5);
    const f = await device(dir, target, s.port, 'raw', { gapMs: 50, repeat: 2, timeoutMs: 2000 });
    clearInterval(killer);
    same(f);
    expect(f.by.slice(0, 3)).toEqual(['server', 'server', 'server']);
    expect(f.by.slice(4).every((b) => b !== 'server')).toBe(true);
  });

  it('no server at first: answered here; once a server listens on the port the device reconnects (backoff) and it answers', async () => {
    const port = await freePort();
    const later = setTimeout(() => void server(port), 250);
    const f = await device(dir, target, port, 'entropy', { gapMs: 100, repeat: 3 });
    clearTimeout(later);
    same(f);
    expect(f.by[0]).toBe('offline');
    expect(f.by.at(-1)).toBe('server');
  });

  it('a server with a token: answered by it with the token (hello frame), refused and answered here without it, the same', async () => {
    const s = await server(0, 'secret');
    const good = await device(dir, target, s.port, 'raw', { token: 'secret' });
    expect(good.by).toEqual(inputFiles.map(() => 'server'));
    same(good);
    const bad = await device(dir, target, s.port, 'raw', { token: 'guess' });
    expect(bad.by).toEqual(inputFiles.map(() => 'refused: token'));
    same(bad);
    await s.close();
  });

  it.each(['raw', 'entropy'] as const)(
    'a silent server receives frames byte-identical to wire-protocol.ts (%s); the device answers after its timeout',
    async (codec) => {
      const received: Buffer[] = [];
      const silent = createServer((socket) => socket.on('data', (d: Buffer) => received.push(d)));
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      const t0 = performance.now();
      const f = await device(dir, target, (silent.address() as AddressInfo).port, codec, { timeoutMs: 150 });
      expect(performance.now() - t0).toBeGreaterThanOrEqual(150);
      await new Promise<void>((r) => silent.close(() => r()));
      expect(f.by[0]).toBe('timeout');
      same(f);
      const t = tensorOf(g, cut.tensor);
      const bytes = new Uint8Array(cutTensors[0]!.buffer, cutTensors[0]!.byteOffset, cutTensors[0]!.byteLength);
      const want = encodeFrame({
        kind: 'cut',
        codec,
        elementType: 'int8',
        modelHash: modelHash(g),
        cutId: cut.id,
        sequence: 1,
        shape: t.shape,
        scale: t.quant?.scale[0] as number,
        zeroPoint: t.quant?.zeroPoint[0] as number,
        payload: codec === 'entropy' ? entropyEncode(bytes, 1) : bytes,
      });
      expect(Buffer.compare(Buffer.concat(received).subarray(0, want.length), Buffer.from(want))).toBe(0);
    },
  );
});
