/**
 * `tinyedge offload serve` over TLS with a shared token, on a self-signed certificate made here with the openssl
 * CLI: a device trusting it through --tls-ca and sending the token is answered by the server; a wrong token is
 * refused and the device answers, the same; a client that does not trust the certificate cannot connect.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OffloadFrameResult } from '../../compiler/cli/offload-run.ts';
import { MCU_MODEL } from '../../models/registry.ts';
import { tinyedgeAsync } from '../support/cli.ts';
import { type EdgeProcess, startEdgeProcess } from '../support/edge-process.ts';
import { ROOT } from '../support/samples.ts';

const PHOTO = join(ROOT, 'models', 'samples', 'chelsea.png');
let dir: string;
let cert: string;
let server: EdgeProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tinyedge-tls-'));
  cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, 'open sesame\n');
  server = await startEdgeProcess([
    MCU_MODEL,
    '--cut',
    '5',
    '--port',
    '0',
    '--workers',
    '1',
    '--tls-cert',
    cert,
    '--tls-key',
    key,
    '--token-file',
    tokenFile,
    '--metrics-every',
    '0',
  ]);
});

afterAll(async () => {
  await server?.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function offloadRun(token: string): Promise<OffloadFrameResult[]> {
  const r = await tinyedgeAsync([
    'offload',
    'run',
    MCU_MODEL,
    '--cut',
    '5',
    '--server',
    `127.0.0.1:${server.port}`,
    '--image',
    PHOTO,
    '--tls-ca',
    cert,
    '--token',
    token,
    '--timeout',
    '10s',
    '--json',
  ]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout).frames;
}

describe('offload over TLS with a shared token', () => {
  it('a client without the CA certificate is turned away by its own verification', async () => {
    const error = await new Promise<NodeJS.ErrnoException>((resolve) =>
      connect({ host: '127.0.0.1', port: server.port }).once('error', resolve),
    );
    expect(error.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('the right token is answered by the server; a wrong one is refused and answered on the device, the same', async () => {
    const [[right], [wrong]] = await Promise.all([offloadRun('open sesame'), offloadRun('guess')]);
    expect(right!.by, right!.reason).toBe('server');
    expect(wrong).toMatchObject({ by: 'device', reason: 'refused: token' });
    expect(wrong!.output.data).toEqual(right!.output.data);
    const { stdout } = await server.stop('SIGTERM');
    expect(stdout).toMatch(/^serving .*\(TLS, token\)/m);
    expect(stdout).toMatch(/^metrics .*refused \d+ \(token \d+\)/m);
  });
});
