/**
 * @fileoverview The edge server: TCP (or TLS) connections from many devices, each sending cut tensors; every frame
 * is checked (wire-protocol.ts), matched to the model (hash), a served cut, and that tail's input shape and type,
 * decoded when entropy-coded (entropy-codec.ts; it must decode to exactly the tensor's bytes, or it is refused as
 * 'codec'), then run by the worker pool within its deadline. Each frame gets an answer (the tail's output, same sequence) or
 * a refusal saying why, so the device can finish locally at once. A connection that breaks the protocol is closed;
 * nothing a device sends can stop the server. Frames are independent: servers keep no state per device and can sit
 * behind any TCP load balancer.
 *
 * Memory is bounded per connection and in all: a connection is not read while it has too many frames in flight or
 * too many answer bytes unsent (read-gate.ts), so a device that never reads cannot grow the server; connections past
 * `maxConnections` are turned away with the refusal 'connections'; one quiet for `idleTimeoutMs` is closed; and when a
 * device leaves, its frames still waiting for a worker are dropped.
 */
import { type AddressInfo, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { ENTROPY_OVERHEAD, EntropyError, entropyDecode } from './entropy-codec.ts';
import { DEFAULT_READ_BOUNDS, type ReadBounds, ReadGate } from './read-gate.ts';
import { type CompiledPart, TailPool } from './tail-pool.ts';
import { encodeFrame, type Frame, FrameReader, WireError } from './wire-protocol.ts';

/** Defaults of the connection limits (the CLI's too). */
export const EDGE_DEFAULTS = { idleTimeoutMs: 60_000, maxConnections: 256 };
/** How long a turned-away connection may stay to hear why (its first frame's refusal) before it is closed. */
const TURN_AWAY_GRACE_MS = 1000;
/** Answered frames whose latencies the metrics' percentiles cover (the latest ones). */
const LATENCY_WINDOW = 10_000;

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
  /** A connection with nothing received or sent for this long is closed; 0: never (default 60 s). */
  idleTimeoutMs?: number;
  /** Connections served at once; each one more is refused as 'connections' and closed (default 256). */
  maxConnections?: number;
  /** Per connection, what may be outstanding before it is no longer read (default DEFAULT_READ_BOUNDS). */
  readBounds?: ReadBounds;
}

/** What the server has done, for monitoring and tests. */
export interface EdgeMetrics {
  connections: number;
  frames: number;
  answered: number;
  refused: Record<string, number>;
  /** Connections closed for breaking the protocol. */
  badStreams: number;
  /** Connections closed after `idleTimeoutMs` of silence. */
  idleClosed: number;
  /** Connections refused for being over `maxConnections`. */
  turnedAway: number;
  /** Worker threads that died and were replaced (their frames were refused as failed). */
  workersReplaced: number;
  /** Connections open now. */
  open: number;
  /** Arrival-to-answer times of the latest 10,000 answered frames, ms: median and 99th percentile. */
  p50Ms: number;
  p99Ms: number;
}

const bytesOf = (type: 'int8' | 'int16' | undefined) => (type === 'int16' ? 2 : 1);

export class EdgeServer {
  private readonly sockets = new Set<Socket>();
  /** Connections being turned away (over the cap): not counted as open, closed with the server. */
  private readonly turningAway = new Set<Socket>();
  /** A ring of the latest LATENCY_WINDOW answer times, so a long-running server does not grow. */
  private readonly latencies: number[] = [];
  private readonly counts = {
    connections: 0,
    frames: 0,
    answered: 0,
    badStreams: 0,
    idleClosed: 0,
    turnedAway: 0,
    refused: {} as Record<string, number>,
  };
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
    for (const [cut, t] of options.tails)
      if (t.info.output.dtype === 'int32')
        throw new Error(`cut ${cut}: answers carry int8 or int16 values, not a tail's ArgMax indices (int32)`);
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
    const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0);
    return {
      ...this.counts,
      refused: { ...this.counts.refused },
      workersReplaced: this.pool.restarts,
      open: this.sockets.size,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
    };
  }

  /**
   * Stops accepting, drops every connection and stops the workers. With `drain`, the frames already being served
   * are answered first, and frames arriving meanwhile are refused as 'closing' so their devices finish at once.
   */
  async close(options: { drain?: boolean } = {}): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.draining = true;
    while (options.drain && this.inFlight > 0) await new Promise((r) => setTimeout(r, 5));
    for (const s of [...this.sockets, ...this.turningAway]) s.destroy();
    await closed;
    await this.pool.close();
  }

  private largestPayload(): number {
    let max = 1024;
    for (const t of this.options.tails.values())
      max = Math.max(
        max,
        t.info.input.shape.reduce((a, b) => a * b, 1) * bytesOf(t.info.input.dtype) + ENTROPY_OVERHEAD,
      );
    return max;
  }

  /** Parses a connection's stream into frames; a stream that breaks the protocol is counted and closed (undefined). */
  private framesOf(socket: Socket, reader: FrameReader, chunk: Buffer): Frame[] | undefined {
    try {
      return reader.push(chunk);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      this.counts.badStreams++;
      socket.destroy();
      return undefined;
    }
  }

  private accept(socket: Socket): void {
    this.counts.connections++;
    if (this.sockets.size >= (this.options.maxConnections ?? EDGE_DEFAULTS.maxConnections))
      return this.turnAway(socket);
    this.sockets.add(socket);
    const idleMs = this.options.idleTimeoutMs ?? EDGE_DEFAULTS.idleTimeoutMs;
    if (idleMs > 0) {
      socket.setTimeout(idleMs, () => {
        this.counts.idleClosed++;
        socket.destroy();
      });
    }
    const gate = new ReadGate(socket, this.options.readBounds ?? DEFAULT_READ_BOUNDS, () => socket.writableLength);
    const left = new AbortController();
    const reader = new FrameReader(this.largestPayload());
    let greeted = this.options.token === undefined;
    socket.on('data', (chunk: Buffer) => {
      for (const f of this.framesOf(socket, reader, chunk) ?? []) {
        // An ungreeted connection stays open and every frame on it is refused: closing at once would cut off the
        // refusals of frames already in flight (a device pipelines them behind its hello), leaving it guessing why.
        // Without a token a hello asks for nothing: the device was merely configured with one.
        if (f.kind === 'hello') {
          if (this.options.token === undefined) continue;
          greeted = Buffer.from(f.payload).toString('utf8') === this.options.token;
          if (!greeted) this.refuse(socket, f, 'token');
        } else if (!greeted) this.refuse(socket, f, 'token');
        else if (f.kind === 'cut') {
          gate.took();
          void this.serve(socket, f, left.signal).finally(() => gate.finished());
        } else this.refuse(socket, f, 'kind');
      }
      gate.update();
    });
    socket.on('drain', () => gate.update());
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
    socket.on('close', () => {
      this.sockets.delete(socket);
      left.abort();
    });
  }

  /**
   * A connection over the cap: every frame it sends is refused as 'connections', so the device finishes it at once
   * knowing why, and the connection is ended after its first cut frame; one that sends none within the grace gets a
   * refusal of sequence 0 (answering nothing) and is ended too. It is destroyed if it has not closed a grace later.
   */
  private turnAway(socket: Socket): void {
    this.counts.turnedAway++;
    this.turningAway.add(socket);
    const reader = new FrameReader(this.largestPayload());
    let timer: NodeJS.Timeout;
    const leave = () => {
      socket.end();
      clearTimeout(timer);
      timer = setTimeout(() => socket.destroy(), TURN_AWAY_GRACE_MS);
    };
    timer = setTimeout(() => {
      this.refuse(
        socket,
        {
          kind: 'hello',
          codec: 'raw',
          elementType: 'int8',
          modelHash: this.options.modelHash,
          cutId: 0,
          sequence: 0,
          shape: [1],
          scale: 1,
          zeroPoint: 0,
          payload: new Uint8Array(),
        },
        'connections',
      );
      leave();
    }, TURN_AWAY_GRACE_MS);
    socket.on('data', (chunk: Buffer) => {
      if (!socket.writable) return;
      const frames = this.framesOf(socket, reader, chunk) ?? [];
      for (const f of frames) this.refuse(socket, f, 'connections');
      if (frames.some((f) => f.kind !== 'hello')) leave();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(timer);
      this.turningAway.delete(socket);
    });
  }

  /** Answers or refuses one cut frame; `left` aborts when its connection closes. */
  private async serve(socket: Socket, f: Frame, left: AbortSignal): Promise<void> {
    this.counts.frames++;
    if (this.draining) return this.refuse(socket, f, 'closing');
    this.inFlight++;
    try {
      await this.answer(socket, f, left);
    } finally {
      this.inFlight--;
    }
  }

  private async answer(socket: Socket, f: Frame, left: AbortSignal): Promise<void> {
    const arrived = performance.now();
    if (f.modelHash !== this.options.modelHash) return this.refuse(socket, f, 'model');
    const tail = this.options.tails.get(f.cutId);
    if (!tail) return this.refuse(socket, f, 'cut');
    const want = tail.info.input;
    if (f.elementType !== (want.dtype ?? 'int8') || f.shape.join('x') !== want.shape.join('x'))
      return this.refuse(socket, f, 'shape');
    const input = this.decoded(f, want.shape.reduce((a, b) => a * b, 1) * bytesOf(want.dtype));
    if (!input) return this.refuse(socket, f, 'codec');
    const r = await this.pool.run(f.cutId, input, Date.now() + (this.options.deadlineMs ?? 1000), left);
    if ('refusal' in r) return this.refuse(socket, f, r.refusal);
    const out = tail.info.output;
    this.send(socket, {
      ...f,
      kind: 'answer',
      codec: 'raw',
      // start() refused int32 (ArgMax) outputs.
      elementType: (out.dtype as 'int8' | 'int16' | undefined) ?? 'int8',
      shape: out.shape,
      scale: out.scale,
      zeroPoint: out.zeroPoint,
      payload: r.output,
    });
    this.latencies[this.counts.answered++ % LATENCY_WINDOW] = performance.now() - arrived;
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
    this.send(socket, {
      ...f,
      kind: 'refusal',
      codec: 'raw',
      elementType: 'int8',
      shape: [1],
      scale: 1,
      zeroPoint: 0,
      payload: Buffer.from(reason),
    });
  }

  private send(socket: Socket, f: Frame): void {
    if (!socket.destroyed && socket.writable) socket.write(encodeFrame(f));
  }
}
