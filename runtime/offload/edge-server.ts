/**
 * @fileoverview The edge server: TCP (or TLS) connections from many devices, each sending cut tensors; every frame
 * is checked (wire-protocol.ts), matched to the model (hash), a served cut, and that tail's input shape and type,
 * decoded when entropy-coded (entropy-codec.ts; it must decode to exactly the tensor's bytes, or it is refused as
 * 'codec'), then run by the worker pool within its deadline. Each frame gets an answer (the tail's output, same sequence) or
 * a refusal saying why, so the device can finish locally at once. A connection that breaks the protocol is closed;
 * nothing a device sends can stop the server. Frames are independent: servers keep no state per device and can sit
 * behind any TCP load balancer.
 */
import { createServer as createTcpServer, Server, Socket } from 'node:net';
import { createServer as createTlsServer, TlsOptions } from 'node:tls';
import { AddressInfo } from 'node:net';
import { Frame, FrameReader, WireError, encodeFrame } from './wire-protocol.ts';
import { CompiledPart, TailPool } from './tail-pool.ts';
import { ENTROPY_OVERHEAD, EntropyError, entropyDecode } from './entropy-codec.ts';

export interface EdgeServerOptions {
  /** The model hash devices must send (16 hex digits). */
  modelHash: string;
  /** The compiled tails served, by cut id. */
  tails: Map<number, CompiledPart>;
  workers?: number;
  /** Frames waiting for a worker beyond which new ones are refused as busy. */
  maxQueue?: number;
  /** A frame not started this long after it arrived is refused (the device has moved on). */
  deadlineMs?: number;
  /** When set, a connection's first frame must be a hello carrying it. */
  token?: string;
  /** Serve TLS instead of plain TCP. */
  tls?: TlsOptions;
}

/** What the server has done, for monitoring and tests. */
export interface EdgeMetrics {
  connections: number;
  frames: number;
  answered: number;
  refused: Record<string, number>;
  /** Connections closed for breaking the protocol. */
  badStreams: number;
  /** Worker threads that died and were replaced (their frames were refused as failed). */
  workersReplaced: number;
  /** Connections open now. */
  open: number;
  /** Arrival-to-answer times of answered frames, ms: median and 99th percentile. */
  p50Ms: number;
  p99Ms: number;
}

const bytesOf = (type: 'int8' | 'int16' | undefined) => (type === 'int16' ? 2 : 1);

export class EdgeServer {
  private readonly sockets = new Set<Socket>();
  private readonly latencies: number[] = [];
  private readonly counts = { connections: 0, frames: 0, answered: 0, badStreams: 0, refused: {} as Record<string, number> };
  /** Frames taken for serving and not yet answered or refused. */
  private inFlight = 0;
  private draining = false;

  private constructor(
    private readonly options: EdgeServerOptions,
    private readonly pool: TailPool,
    private readonly server: Server,
  ) {}

  /** Starts serving on `port` (0: any free one) of `host`. */
  static async start(options: EdgeServerOptions, port = 0, host = '127.0.0.1'): Promise<EdgeServer> {
    const pool = await TailPool.start(options.tails, options.workers ?? 2, options.maxQueue ?? 64);
    let self: EdgeServer | undefined;
    const onSocket = (socket: Socket) => self?.accept(socket);
    const server = options.tls ? createTlsServer(options.tls, onSocket) : createTcpServer(onSocket);
    self = new EdgeServer(options, pool, server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return self;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  metrics(): EdgeMetrics {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0);
    return { ...this.counts, refused: { ...this.counts.refused }, workersReplaced: this.pool.restarts, open: this.sockets.size, p50Ms: at(0.5), p99Ms: at(0.99) };
  }

  /**
   * Stops accepting, drops every connection and stops the workers. With `drain`, the frames already being served
   * are answered first, and frames arriving meanwhile are refused as 'closing' so their devices finish at once.
   */
  async close(options: { drain?: boolean } = {}): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.draining = true;
    while (options.drain && this.inFlight > 0) await new Promise((r) => setTimeout(r, 5));
    for (const s of this.sockets) s.destroy();
    await closed;
    await this.pool.close();
  }

  private largestPayload(): number {
    let max = 1024;
    for (const t of this.options.tails.values()) max = Math.max(max, t.info.input.shape.reduce((a, b) => a * b, 1) * bytesOf(t.info.input.dtype) + ENTROPY_OVERHEAD);
    return max;
  }

  private accept(socket: Socket): void {
    this.counts.connections++;
    this.sockets.add(socket);
    const reader = new FrameReader(this.largestPayload());
    let greeted = this.options.token === undefined;
    socket.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = reader.push(chunk);
      } catch (e) {
        if (!(e instanceof WireError)) throw e;
        this.counts.badStreams++;
        socket.destroy();
        return;
      }
      for (const f of frames) {
        // An ungreeted connection stays open and every frame on it is refused: closing at once would cut off the
        // refusals of frames already in flight (a device pipelines them behind its hello), leaving it guessing why.
        if (f.kind === 'hello') {
          greeted = Buffer.from(f.payload).toString('utf8') === this.options.token;
          if (!greeted) this.refuse(socket, f, 'token');
        } else if (!greeted) this.refuse(socket, f, 'token');
        else if (f.kind === 'cut') void this.serve(socket, f);
        else this.refuse(socket, f, 'kind');
      }
    });
    socket.on('end', () => {
      // A stream that stops inside a frame (a truncated payload) broke the protocol too.
      try {
        reader.end();
      } catch (e) {
        if (!(e instanceof WireError)) throw e;
        this.counts.badStreams++;
      }
      socket.end();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }

  private async serve(socket: Socket, f: Frame): Promise<void> {
    this.counts.frames++;
    if (this.draining) return this.refuse(socket, f, 'closing');
    this.inFlight++;
    try {
      await this.answer(socket, f);
    } finally {
      this.inFlight--;
    }
  }

  private async answer(socket: Socket, f: Frame): Promise<void> {
    const arrived = performance.now();
    if (f.modelHash !== this.options.modelHash) return this.refuse(socket, f, 'model');
    const tail = this.options.tails.get(f.cutId);
    if (!tail) return this.refuse(socket, f, 'cut');
    const want = tail.info.input;
    if (f.elementType !== (want.dtype ?? 'int8') || f.shape.join('x') !== want.shape.join('x')) return this.refuse(socket, f, 'shape');
    const input = this.decoded(f, want.shape.reduce((a, b) => a * b, 1) * bytesOf(want.dtype));
    if (!input) return this.refuse(socket, f, 'codec');
    const r = await this.pool.run(f.cutId, input, Date.now() + (this.options.deadlineMs ?? 1000));
    if ('refusal' in r) return this.refuse(socket, f, r.refusal);
    const out = tail.info.output;
    this.send(socket, { ...f, kind: 'answer', codec: 'raw', elementType: out.dtype ?? 'int8', shape: out.shape, scale: out.scale, zeroPoint: out.zeroPoint, payload: r.output });
    this.counts.answered++;
    this.latencies.push(performance.now() - arrived);
  }

  /** The tensor's bytes from an entropy-coded payload (raw ones were length-checked by the reader), or undefined when it does not decode to exactly `bytes`. */
  private decoded(f: Frame, bytes: number): Uint8Array | undefined {
    if (f.codec === 'raw') return f.payload;
    try {
      return entropyDecode(f.payload, bytesOf(f.elementType), bytes);
    } catch (e) {
      if (e instanceof EntropyError) return undefined;
      throw e;
    }
  }

  private refuse(socket: Socket, f: Frame, reason: string): void {
    this.counts.refused[reason] = (this.counts.refused[reason] ?? 0) + 1;
    this.send(socket, { ...f, kind: 'refusal', codec: 'raw', elementType: 'int8', shape: [1], scale: 1, zeroPoint: 0, payload: Buffer.from(reason) });
  }

  private send(socket: Socket, f: Frame): void {
    if (!socket.destroyed && socket.writable) socket.write(encodeFrame(f));
  }
}
