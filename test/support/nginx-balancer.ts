/**
 * @fileoverview Debian's nginx with its stream module as a TCP load balancer in front of edge servers on loopback,
 * run as a child process from a temporary prefix (no root, no system config touched), as a user would deploy it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './edge-process.ts';

/** Where Debian's libnginx-mod-stream puts the module (an absolute path: the prefix here is a temp folder). */
const STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

/** Whether nginx and its stream module are installed. */
export const NGINX_AVAILABLE = spawnSync('nginx', ['-v']).status === 0 && existsSync(STREAM_MODULE);

/** A running nginx: the port devices connect to, and a way to stop it. */
export interface Balancer {
  port: number;
  stop(): Promise<void>;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Starts nginx balancing TCP connections over `upstreams` (loopback ports) round robin; resolves once it accepts. */
export async function startBalancer(upstreams: number[]): Promise<Balancer> {
  const dir = mkdtempSync(join(tmpdir(), 'tinyedge-nginx-'));
  const port = await freePort();
  // A dead server is skipped for 30 s after one failed connection, so reconnecting devices land on the living.
  const servers = upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=30s;`).join('\n');
  writeFileSync(
    join(dir, 'nginx.conf'),
    `load_module ${STREAM_MODULE};
worker_processes 1;
events { worker_connections 256; }
stream {
  upstream edge_servers {
${servers}
  }
  server {
    listen 127.0.0.1:${port};
    proxy_pass edge_servers;
    proxy_connect_timeout 1s;
  }
}
`,
  );
  let stderr = '';
  const child: ChildProcess = spawn('nginx', [
    '-e',
    'stderr',
    '-p',
    dir,
    '-c',
    'nginx.conf',
    '-g',
    `daemon off; pid ${join(dir, 'nginx.pid')}; error_log stderr;`,
  ]);
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    if (child.exitCode !== null) break;
    if (await canConnect(port)) return { port, stop };
  }
  await stop();
  throw new Error(`nginx did not start: ${stderr}`);
}
