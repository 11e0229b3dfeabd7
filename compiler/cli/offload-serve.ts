/**
 * @fileoverview `tinyedge offload serve [model|artifact] (--cut N[,M…] | --all) --port P [--host H] [--workers W]
 * [--max-queue Q] [--deadline 500ms] [--token T | --token-file F] [--tls-cert F --tls-key F] [--websocket-port W]
 * [--idle-timeout 60s] [--max-connections 256] [--metrics-every 10s]`: compiles the tails of the cuts to WebAssembly and serves them until SIGINT or SIGTERM,
 * then stops accepting, answers the frames in flight and prints the metrics (also printed periodically while frames
 * come in). With --websocket-port, web pages reach it through a WebSocket gateway on that port.
 */
import { availableParallelism } from 'node:os';
import { createSecureContext, type TlsOptions } from 'node:tls';
import { EDGE_DEFAULTS, type EdgeMetrics, EdgeServer } from '../../runtime/offload/edge-server.ts';
import type { CompiledPart } from '../../runtime/offload/tail-pool.ts';
import { WebSocketGateway } from '../../runtime/offload/websocket-gateway.ts';
import { wasmSplitParts } from '../backends/wasm/package/split-parts.ts';
import { TinyedgeError } from '../errors.ts';
import { readUserFile } from '../frontends/tfjs-common/artifacts.ts';
import type { Cut } from '../plan/split/cut-candidates.ts';
import { parseDuration } from '../plan/split/plan-split.ts';
import { startProgress } from '../terminal/progress.ts';
import { cutById, describeCut, loadOffloadModel, type OffloadModel, wholeNumber } from './offload-model.ts';

/** Options of offload serve. */
export interface ServeOptions {
  cut?: string;
  all?: boolean;
  port: string;
  host: string;
  workers?: string;
  maxQueue: string;
  deadline: string;
  token?: string;
  tokenFile?: string;
  tlsCert?: string;
  tlsKey?: string;
  metricsEvery: string;
  websocketPort?: string;
  idleTimeout?: string;
  maxConnections?: string;
}

/** The connection limits' defaults as the CLI help shows them. */
export const SERVE_DEFAULTS = {
  idleTimeout: `${EDGE_DEFAULTS.idleTimeoutMs / 1000}s`,
  maxConnections: String(EDGE_DEFAULTS.maxConnections),
};

/** The cuts asked for: a list of ids, or every cut with a tail. */
function servedCuts(m: OffloadModel, o: ServeOptions): Cut[] {
  if (o.all) return m.cuts.slice(0, -1);
  return [...new Set(o.cut?.split(',').map((id) => cutById(m.cuts, id, m.model.spec)))];
}

function sharedToken(o: ServeOptions): string | undefined {
  if (o.token !== undefined && o.tokenFile !== undefined)
    throw new TinyedgeError('TE602', 'give --token or --token-file, not both');
  const token = o.tokenFile !== undefined ? readUserFile(o.tokenFile, 'the token').toString('utf8').trim() : o.token;
  if (token === '') throw new TinyedgeError('TE802', 'the token is empty', o.tokenFile ? { file: o.tokenFile } : {});
  return token;
}

/** Certificate and key, checked before anything starts so a bad file is one clear error. */
function tlsOptions(o: ServeOptions): TlsOptions | undefined {
  if (!o.tlsCert !== !o.tlsKey) throw new TinyedgeError('TE602', 'TLS needs both --tls-cert and --tls-key');
  if (!o.tlsCert || !o.tlsKey) return undefined;
  const tls = { cert: readUserFile(o.tlsCert, 'the TLS certificate'), key: readUserFile(o.tlsKey, 'the TLS key') };
  try {
    createSecureContext(tls);
  } catch (e) {
    throw new TinyedgeError('TE802', `not a usable PEM certificate and key: ${(e as Error).message}`, {
      file: `${o.tlsCert}, ${o.tlsKey}`,
    });
  }
  return tls;
}

/** `frames 120, answered 118, refused 2 (busy 2), p50 3.1 ms, p99 8.0 ms, connections 4` */
export function metricsLine(m: EdgeMetrics): string {
  const refused = Object.values(m.refused).reduce((a, b) => a + b, 0);
  const why = Object.entries(m.refused).map(([k, v]) => `${k} ${v}`);
  return `metrics  frames ${m.frames}, answered ${m.answered}, refused ${refused}${why.length ? ` (${why.join(', ')})` : ''}, p50 ${m.p50Ms.toFixed(1)} ms, p99 ${m.p99Ms.toFixed(1)} ms, connections ${m.connections} (${m.open} open), bad streams ${m.badStreams}${m.idleClosed ? `, closed idle ${m.idleClosed}` : ''}${m.turnedAway ? `, turned away ${m.turnedAway}` : ''}${m.workersReplaced ? `, workers replaced ${m.workersReplaced}` : ''}`;
}

/** Starts a listener (the edge server, the WebSocket gateway), turning the usual failures into one clear error. */
async function listening<T>(start: () => Promise<T>, port: number, host: string): Promise<T> {
  try {
    return await start();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const where = `${host}:${port}`;
    if (code === 'EADDRINUSE') throw new TinyedgeError('TE801', `cannot listen on ${where}: the port is in use`);
    if (code === 'EACCES')
      throw new TinyedgeError(
        'TE801',
        `cannot listen on ${where}: permission denied (ports below 1024 need privileges)`,
      );
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new TinyedgeError('TE801', `cannot listen on ${where}: no such address on this machine`);
    throw e;
  }
}

/** Serves the tails until SIGINT or SIGTERM. */
export async function serveCommand(spec: string | undefined, o: ServeOptions): Promise<void> {
  if (!!o.all === (o.cut !== undefined)) throw new TinyedgeError('TE602', 'give exactly one of --cut N[,M…] or --all');
  const port = wholeNumber(o.port, '--port', 0, 65535);
  const workers = o.workers === undefined ? availableParallelism() : wholeNumber(o.workers, '--workers', 1, 256);
  const maxQueue = wholeNumber(o.maxQueue, '--max-queue', 1);
  const deadlineMs = parseDuration(o.deadline, '--deadline');
  const metricsMs = parseDuration(o.metricsEvery, '--metrics-every');
  const idleTimeoutMs = parseDuration(o.idleTimeout ?? SERVE_DEFAULTS.idleTimeout, '--idle-timeout');
  const maxConnections = wholeNumber(o.maxConnections ?? SERVE_DEFAULTS.maxConnections, '--max-connections', 1);
  const websocketPort =
    o.websocketPort === undefined ? undefined : wholeNumber(o.websocketPort, '--websocket-port', 0, 65535);
  const token = sharedToken(o);
  const tls = tlsOptions(o);
  const m = await loadOffloadModel(spec);
  const cuts = servedCuts(m, o);
  const progress = startProgress('compiling tails to WebAssembly', cuts.length, true);
  const tails = new Map<number, CompiledPart>();
  for (const c of cuts) {
    tails.set(c.id, wasmSplitParts(m.g, c, 'tail').tail as CompiledPart);
    progress.update(tails.size);
  }
  progress.stop();
  const server = await listening(
    () =>
      EdgeServer.start(
        { modelHash: m.hash, tails, workers, maxQueue, deadlineMs, token, tls, idleTimeoutMs, maxConnections },
        port,
        o.host,
      ),
    port,
    o.host,
  );
  // The gateway starts before anything is printed, so that its port in use is one error line and nothing else.
  const gateway =
    websocketPort === undefined
      ? undefined
      : await listening(
          () => WebSocketGateway.start({ host: o.host, port: server.port }, websocketPort, o.host),
          websocketPort,
          o.host,
        ).catch(async (e: unknown) => {
          await server.close();
          throw e;
        });
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`model    ${m.title}, hash ${m.hash}`);
  for (const c of cuts) say(`  ${describeCut(c)}`);
  if (gateway) say(`websocket gateway on ws://${o.host}:${gateway.port} (for pages: runtime/offload/browser.ts)`);
  say(
    `serving  ${cuts.length} cut${cuts.length > 1 ? 's' : ''} on ${o.host}:${server.port} (${tls ? 'TLS' : 'TCP'}${token ? ', token' : ''}), ${workers} workers, queue ${maxQueue}, deadline ${deadlineMs} ms, at most ${maxConnections} connections${idleTimeoutMs > 0 ? `, idle ones closed after ${idleTimeoutMs / 1000} s` : ''}; Ctrl-C stops`,
  );
  // A line whenever something happened since the last one, so an idle server stays quiet.
  let shown = 0;
  const timer =
    metricsMs > 0
      ? setInterval(() => {
          const now = server.metrics();
          if (now.frames !== shown) say(metricsLine(now));
          shown = now.frames;
        }, metricsMs)
      : undefined;
  await new Promise<void>((stop) => {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  clearInterval(timer);
  say('stopping: no new connections, answering the frames in flight');
  await gateway?.close();
  await server.close({ drain: true });
  say(metricsLine(server.metrics()));
}
