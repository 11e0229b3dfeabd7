/** @fileoverview `tinyedge offload serve` as a child process, the way users run it: its port, hash and printed metrics; a free loopback port; a process's resident memory. */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { spawnTinyedge } from './cli.ts';

/** A running edge server process. */
export interface EdgeProcess {
  child: ChildProcess;
  port: number;
  hash: string;
  /** Everything it printed on stdout so far. */
  stdout(): string;
  /** Its latest metrics line, as numbers. */
  metrics(): { frames: number; answered: number } | undefined;
  /** Sends `signal` and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts `tinyedge offload serve ...args` and waits for its "serving … on HOST:PORT" line. */
export function startEdgeProcess(args: string[]): Promise<EdgeProcess> {
  const child = spawnTinyedge(['offload', 'serve', ...args]);
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
      const serving = /^serving .* on \S+:(\d+) /m.exec(stdout);
      const hash = /hash ([0-9a-f]{16})/.exec(stdout);
      if (!serving || !hash) return;
      resolve({
        child,
        port: Number(serving[1]),
        hash: hash[1]!,
        stdout: () => stdout,
        metrics: () => {
          const all = [...stdout.matchAll(/^metrics {2}frames (\d+), answered (\d+)/gm)];
          const last = all[all.length - 1];
          return last ? { frames: Number(last[1]), answered: Number(last[2]) } : undefined;
        },
        stop: async (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return { code: await exited, stdout, stderr };
        },
      });
    });
    void exited.then((code) => reject(new Error(`offload serve exited (${code}) before serving: ${stderr}`)));
  });
}

/** A loopback port nothing listens on (just now). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The resident memory of process `pid` (VmRSS in /proc), bytes. */
export function residentBytes(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}
