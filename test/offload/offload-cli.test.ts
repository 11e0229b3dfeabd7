/**
 * `tinyedge offload serve` in a child process and `tinyedge offload run` against it, MobileNetV2 0.35/96 quantized
 * with the bundled samples by each process on its own (so the model hashes must agree): the server's answers equal
 * `tinyedge predict`'s int8 output at a middle cut; SIGTERM drains and prints the metrics; with the
 * server gone, frames are answered on the device, the same; bad flags, and a --port or --websocket-port in use, are
 * one error line and exit 2.
 */

import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OffloadFrameResult } from '../../compiler/cli/offload-run.ts';
import { MCU_MODEL } from '../../models/registry.ts';
import { expectUserError, tinyedgeAsync } from '../support/cli.ts';
import { type EdgeProcess, freePort, startEdgeProcess } from '../support/edge-process.ts';
import { ROOT } from '../support/samples.ts';

const PHOTO = join(ROOT, 'models', 'samples', 'coffee.png');
let server: EdgeProcess;
let predicted: number[];

/** `offload run --json` of a few frames at `cut` against `port`. */
async function offloadRun(cut: number, port: number): Promise<{ modelHash: string; frames: OffloadFrameResult[] }> {
  const r = await tinyedgeAsync([
    'offload',
    'run',
    MCU_MODEL,
    '--cut',
    String(cut),
    '--server',
    `127.0.0.1:${port}`,
    '--image',
    PHOTO,
    '--frames',
    '2',
    '--timeout',
    '10s',
    '--json',
  ]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

beforeAll(async () => {
  const [s, p] = await Promise.all([
    startEdgeProcess([MCU_MODEL, '--cut', '0,5', '--port', '0', '--workers', '1', '--metrics-every', '0']),
    tinyedgeAsync(['predict', MCU_MODEL, '--image', PHOTO, '--precision', 'int8', '--json']),
  ]);
  server = s;
  expect(p.status, p.stderr).toBe(0);
  predicted = JSON.parse(p.stdout).output.data;
});

afterAll(async () => {
  await server?.stop('SIGKILL');
});

describe('tinyedge offload serve and run', () => {
  it('answers by the server equal predict (int8 output data); the hashes agree', async () => {
    const r = await offloadRun(5, server.port);
    expect(r.modelHash).toBe(server.hash);
    for (const f of r.frames) {
      expect(f.by, f.reason).toBe('server');
      expect(f.output.data).toEqual(predicted);
    }
  });

  it('SIGTERM drains and prints the metrics; with the server gone, offload run answers on the device, the same', async () => {
    const stopped = await server.stop('SIGTERM');
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toMatch(/^stopping: /m);
    expect(server.metrics()).toEqual({ frames: 2, answered: 2 });
    const r = await offloadRun(5, server.port);
    for (const f of r.frames) {
      expect(f.by).toBe('device');
      expect(f.output.data).toEqual(predicted);
    }
  });

  it('bad flags: one error line, exit 2', async () => {
    const busy: Server = createServer();
    const port = await freePort();
    await new Promise<void>((r) => busy.listen(port, '127.0.0.1', r));
    const serve = (...args: string[]) => tinyedgeAsync(['offload', 'serve', MCU_MODEL, ...args]);
    const run = (...args: string[]) => tinyedgeAsync(['offload', 'run', MCU_MODEL, ...args]);
    try {
      const [badCut, inUse, noCert, badServer, websocketInUse, noConnections] = await Promise.all([
        serve('--cut', '99', '--port', '0'),
        serve('--cut', '1', '--port', String(port)),
        serve('--cut', '1', '--port', '0', '--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem'),
        run('--cut', '1', '--server', 'localhost', '--image', PHOTO),
        serve('--cut', '1', '--port', '0', '--websocket-port', String(port)),
        serve('--cut', '1', '--port', '0', '--max-connections', '0'),
      ]);
      expectUserError(badCut, /--cut '99' is not a cut of this model: give 0 \(full offload\) to \d+/);
      expectUserError(inUse, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`));
      expectUserError(websocketInUse, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`));
      expectUserError(noConnections, /--max-connections must be a whole number in 1\.\./);
      expectUserError(noCert, /cert\.pem: cannot read the TLS certificate: no such file/);
      expectUserError(badServer, /--server 'localhost' is not host:port/);
    } finally {
      busy.close();
    }
  });
});
