/**
 * `tinyedge offload serve` (a real child process) against a device that pushes 150 MB of frames and never reads the
 * answers, over TCP and through the WebSocket gateway: the server (and the gateway) stop reading that connection while
 * its answers are not taken, so the device's frames wait in its own buffers, the server's resident memory stays within
 * 64 MB of its idle footprint, comes back within 24 MB of idle once the device leaves, and the next device is answered. The cut
 * is the model's next-to-last (1×1280 in, 1000 out): a fast tail whose answer is almost as large as the frame, the
 * case that grew the server without bound (issue 16).
 */

import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MCU_MODEL } from '../../models/registry.ts';
import { encodeFrame, FrameReader } from '../../runtime/offload/wire-protocol.ts';
import { type EdgeProcess, residentBytes, startEdgeProcess } from '../support/edge-process.ts';

const CUT = 33;
const MB = 1024 * 1024;
const FLOOD_BYTES = 150 * MB;
/** What the server may grow by under the flood, and what it may keep after the client left. */
const PEAK_BOUND = 64 * MB;
const AFTER_BOUND = 24 * MB;

/** A queue deep enough that no frame is refused as busy: then only the per-connection bounds can hold memory down. */
const DEEP_QUEUE = ['--max-queue', '100000', '--deadline', '60s'];

let server: EdgeProcess;
let gatewayPort: number;
let frame: Uint8Array;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function open(port: number): Promise<Socket> {
  const s = connect(port, '127.0.0.1');
  await new Promise<void>((r, reject) => s.once('connect', () => r()).once('error', reject));
  return s;
}

/** Sends `n` frames on a fresh connection and waits for all `n` replies. */
async function exchange(n: number): Promise<number> {
  const s = await open(server.port);
  const reader = new FrameReader(1 << 20);
  let answered = 0;
  let got = 0;
  const done = new Promise<void>((r) =>
    s.on('data', (d: Buffer) => {
      for (const f of reader.push(d)) {
        if (f.kind === 'answer') answered++;
        got++;
      }
      if (got === n) r();
    }),
  );
  for (let i = 0; i < n; i++) s.write(frame);
  await done;
  s.destroy();
  return answered;
}

/** Resident bytes sampled every 25 ms until stopped: the largest seen. */
function sampleResident(pid: number): { stop: () => number } {
  let peak = residentBytes(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, residentBytes(pid));
  }, 25);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, residentBytes(pid));
    },
  };
}

/** A device's outgoing side: send bytes, and how many it still holds unsent. */
interface Sender {
  send(bytes: Uint8Array): void;
  unsent(): number;
}

/**
 * Sends `total` bytes of frames, keeping at most 4 MB unsent on the device's side; stops when that does not drain
 * for `stallMs` (the peer stopped reading). Returns the bytes that left the device.
 */
async function flood(device: Sender, total: number, stallMs: number): Promise<number> {
  const batch = Buffer.concat(Array.from({ length: Math.floor(MB / frame.length) }, () => frame));
  let sent = 0;
  for (let stalled = 0; sent < total && stalled < stallMs; ) {
    if (device.unsent() > 4 * MB) {
      const before = device.unsent();
      await sleep(50);
      stalled = device.unsent() < before ? 0 : stalled + 50;
      continue;
    }
    device.send(batch);
    sent += batch.length;
  }
  return sent - device.unsent();
}

/** Opens a device that never reads: over TCP to the server, or a WebSocket to the gateway. */
async function silentDevice(via: 'tcp' | 'websocket'): Promise<Sender & { close(): void }> {
  if (via === 'tcp') {
    const s = await open(server.port);
    s.pause();
    return { send: (b) => void s.write(b), unsent: () => s.writableLength, close: () => s.destroy() };
  }
  const ws = new WebSocket(`ws://127.0.0.1:${gatewayPort}`);
  await new Promise<void>((r, reject) => ws.once('open', () => r()).once('error', reject));
  ws.pause();
  return { send: (b) => ws.send(b), unsent: () => ws.bufferedAmount, close: () => ws.terminate() };
}

beforeAll(async () => {
  server = await startEdgeProcess([
    MCU_MODEL,
    '--cut',
    String(CUT),
    '--port',
    '0',
    '--workers',
    '1',
    '--metrics-every',
    '0',
    '--websocket-port',
    '0',
    ...DEEP_QUEUE,
  ]);
  gatewayPort = Number(/websocket gateway on ws:\/\/\S+:(\d+)/.exec(server.stdout())?.[1]);
  const shape = new RegExp(`cut ${CUT}: \\S+ ([\\d×]+)`).exec(server.stdout())?.[1]?.split('×').map(Number) ?? [];
  const bytes = shape.reduce((a, b) => a * b, 1);
  frame = encodeFrame({
    kind: 'cut',
    codec: 'raw',
    elementType: 'int8',
    modelHash: server.hash,
    cutId: CUT,
    sequence: 1,
    shape,
    scale: 1,
    zeroPoint: 0,
    payload: new Uint8Array(bytes),
  });
});

afterAll(async () => {
  await server?.stop('SIGKILL');
});

describe('offload serve under a device that never reads', () => {
  it.each(['tcp', 'websocket'] as const)(
    `%s: within ${PEAK_BOUND / MB} MB of idle while 150 MB of frames are pushed, near idle after`,
    async (via) => {
      const pid = server.child.pid as number;
      // Warm up (JIT, worker, buffers) so that the idle figure is the footprint of a server that has served.
      expect(await exchange(200)).toBeGreaterThan(0);
      await sleep(1000);
      const idle = residentBytes(pid);
      const sampler = sampleResident(pid);
      const device = await silentDevice(via);
      const sent = await flood(device, FLOOD_BYTES, 3000);
      const peak = sampler.stop();
      device.close();
      let after = residentBytes(pid);
      for (let waited = 0; after - idle > AFTER_BOUND && waited < 20_000; waited += 500) {
        await sleep(500);
        after = residentBytes(pid);
      }
      console.log(
        `offload serve RSS (${via}): idle ${(idle / MB).toFixed(1)} MB, peak ${(peak / MB).toFixed(1)} MB while the device pushed 150 MB (${(sent / MB).toFixed(1)} MB left it before the server stopped reading), ${(after / MB).toFixed(1)} MB after it left`,
      );
      expect(sent, 'the flood reached the server').toBeGreaterThan(4 * MB);
      expect(sent, 'the server stopped reading').toBeLessThan(FLOOD_BYTES);
      expect(peak - idle).toBeLessThan(PEAK_BOUND);
      expect(after - idle).toBeLessThan(AFTER_BOUND);
      expect(await exchange(5)).toBeGreaterThan(0);
    },
    120_000,
  );
});
