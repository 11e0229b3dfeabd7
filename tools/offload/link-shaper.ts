/**
 * @fileoverview A TCP proxy that makes loopback behave like a real link: each direction is paced at the bandwidth
 * (bytes leave one after another, as on a wire), delayed by half the RTT plus jitter, and a chunk "lost" with
 * probability `loss` arrives one retransmission timeout later (TCP recovers losses by retransmitting, so loss shows
 * as delay, never as missing bytes). Order is kept within each direction.
 */
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';

export interface LinkShape {
  bitsPerSecond: number;
  rttMs: number;
  /** Uniform extra one-way delay in [0, jitterMs]. */
  jitterMs?: number;
  /** Probability that a chunk is delayed by a retransmission timeout. */
  loss?: number;
  /** The retransmission timeout a loss costs. */
  rtoMs?: number;
}

/** One direction of the link: when each chunk may be delivered. */
class Pipe {
  private wireFreeAt = 0;
  private lastDelivery = 0;

  constructor(
    private readonly shape: LinkShape,
    private readonly random: () => number,
  ) {}

  /** Delivers `chunk` to `to` when it would arrive over the link. */
  send(chunk: Buffer, to: Socket): void {
    const now = performance.now();
    const start = Math.max(now, this.wireFreeAt);
    this.wireFreeAt = start + (chunk.length * 8 * 1000) / this.shape.bitsPerSecond;
    let arrival = this.wireFreeAt + this.shape.rttMs / 2 + this.random() * (this.shape.jitterMs ?? 0);
    if (this.random() < (this.shape.loss ?? 0)) arrival += this.shape.rtoMs ?? 200;
    arrival = Math.max(arrival, this.lastDelivery);
    this.lastDelivery = arrival;
    setTimeout(() => to.destroyed || to.write(chunk), arrival - now);
  }
}

/** A running shaper in front of `target`; connect to `port` instead. */
export class LinkShaper {
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(targetPort: number, shape: LinkShape, seed = 1): Promise<LinkShaper> {
    let state = seed >>> 0;
    // mulberry32: seeded, so a demo run is repeatable.
    const random = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    let self: LinkShaper | undefined;
    const server = createServer((device) => {
      const edge = connect(targetPort, '127.0.0.1');
      for (const s of [device, edge]) {
        self?.sockets.add(s);
        s.setNoDelay(true);
        s.on('error', () => {
          device.destroy();
          edge.destroy();
        });
        s.on('close', () => {
          self?.sockets.delete(s);
          device.destroy();
          edge.destroy();
        });
      }
      const up = new Pipe(shape, random);
      const down = new Pipe(shape, random);
      device.on('data', (c: Buffer) => up.send(c, edge));
      edge.on('data', (c: Buffer) => down.send(c, device));
    });
    self = new LinkShaper(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return self;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
