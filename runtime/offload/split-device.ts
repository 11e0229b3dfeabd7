/**
 * @fileoverview The device side of split offload, whatever carries the bytes (TCP in Node, a WebSocket in a
 * browser): run the head, send the cut tensor, take the server's answer, and when there is none in time (timeout,
 * refusal, no connection, broken link) run the tail here instead. Every frame is answered, and since the server runs
 * the same tail on the same bytes, the answer is the same either way. A lost connection is retried with exponential
 * backoff; meanwhile frames finish locally at once instead of waiting for a timeout. No Node or DOM APIs here.
 */
import type { RawValues, TinyedgeModel } from '../wasm/tinyedge-loader.js';
import { entropyEncode } from './entropy-codec.ts';
import { type Codec, encodeFrame, FrameReader, utf8, WireError } from './wire-protocol.ts';

/** An open connection to an edge server: bytes out, and the callbacks given at connect for bytes in and the end. */
export interface FrameLink {
  send(bytes: Uint8Array): void;
  close(): void;
}

/** How a device reaches its server: connect, or resolve undefined when that fails. */
export interface Transport {
  connect(events: { data: (chunk: Uint8Array) => void; closed: () => void }): Promise<FrameLink | undefined>;
}

export interface SplitDeviceOptions {
  transport: Transport;
  modelHash: string;
  cutId: number;
  /** The head (input → cut tensor); undefined when the whole model is offloaded. */
  head?: TinyedgeModel<RawValues, RawValues>;
  /** The tail (cut tensor → output), run here when the server does not answer. */
  tail: TinyedgeModel<RawValues, RawValues>;
  /** How long to wait for the server's answer. */
  timeoutMs: number;
  token?: string;
  /** How the cut tensor travels: 'raw' (default) or 'entropy' (entropy-codec.ts). */
  codec?: Codec;
  /** First and largest wait between reconnection attempts. */
  backoffMs?: { min: number; max: number };
}

/** An answered frame: the output, and who computed the tail (with why, when it was this device). */
export interface DeviceAnswer {
  output: RawValues;
  by: 'server' | 'device';
  reason?: string;
}

interface Pending {
  resolve: (payload: Uint8Array | string) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class SplitDevice {
  private link: FrameLink | undefined;
  private connecting: Promise<FrameLink | undefined> | undefined;
  private readonly pending = new Map<number, Pending>();
  private sequence = 0;
  private nextAttempt = 0;
  private backoff: number;
  private closed = false;

  constructor(private readonly o: SplitDeviceOptions) {
    this.backoff = o.backoffMs?.min ?? 50;
  }

  /** Runs one frame: head here, tail on the server or, failing that, here. */
  async infer(input: RawValues): Promise<DeviceAnswer> {
    const cut = this.o.head ? this.runModel(this.o.head, input) : input;
    const link = await this.connection();
    if (!link) return this.local(cut, 'offline');
    this.sequence = (this.sequence + 1) >>> 0;
    const seq = this.sequence;
    const reply = new Promise<Uint8Array | string>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        resolve('timeout');
      }, this.o.timeoutMs);
      this.pending.set(seq, { resolve, timer });
    });
    const info = this.o.tail.info.input;
    const bytes = new Uint8Array(cut.buffer, cut.byteOffset, cut.byteLength);
    const codec = this.o.codec ?? 'raw';
    link.send(
      encodeFrame({
        kind: 'cut',
        codec,
        elementType: info.dtype ?? 'int8',
        modelHash: this.o.modelHash,
        cutId: this.o.cutId,
        sequence: seq,
        shape: info.shape,
        scale: info.scale,
        zeroPoint: info.zeroPoint,
        payload: codec === 'entropy' ? entropyEncode(bytes, cut.BYTES_PER_ELEMENT) : bytes,
      }),
    );
    const r = await reply;
    if (typeof r === 'string') return this.local(cut, r);
    const Out = this.o.tail.info.output.dtype === 'int16' ? Int16Array : Int8Array;
    return {
      output: new Out(r.buffer as ArrayBuffer, r.byteOffset, r.byteLength / Out.BYTES_PER_ELEMENT),
      by: 'server',
    };
  }

  close(): void {
    this.closed = true;
    this.drop('closed');
  }

  private runModel(model: TinyedgeModel<RawValues, RawValues>, x: RawValues): RawValues {
    model.setInput(x);
    model.run();
    return model.output();
  }

  private local(cut: RawValues, reason: string): DeviceAnswer {
    return { output: this.runModel(this.o.tail, cut), by: 'device', reason };
  }

  /** The open connection, a new one if the backoff allows, or undefined (finish locally). */
  private async connection(): Promise<FrameLink | undefined> {
    if (this.link) return this.link;
    if (this.closed || Date.now() < this.nextAttempt) return undefined;
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<FrameLink | undefined> {
    const reader = new FrameReader(1 << 26);
    let link: FrameLink | undefined;
    const ended = () => {
      if (this.link === link) this.link = undefined;
      this.nextAttempt = Date.now() + this.backoff;
      this.drop('link');
    };
    link = await this.o.transport.connect({
      data: (chunk) => this.received(reader, chunk, () => link?.close()),
      closed: ended,
    });
    if (!link) {
      this.nextAttempt = Date.now() + this.backoff;
      this.backoff = Math.min(this.backoff * 2, this.o.backoffMs?.max ?? 2000);
      return undefined;
    }
    this.backoff = this.o.backoffMs?.min ?? 50;
    this.link = link;
    if (this.o.token !== undefined) {
      link.send(
        encodeFrame({
          kind: 'hello',
          codec: 'raw',
          elementType: 'int8',
          modelHash: this.o.modelHash,
          cutId: this.o.cutId,
          sequence: 0,
          shape: [1],
          scale: 1,
          zeroPoint: 0,
          payload: utf8.encode(this.o.token),
        }),
      );
    }
    return link;
  }

  /** Answers and refusals complete their frames; a stream that breaks the protocol is closed. */
  private received(reader: FrameReader, chunk: Uint8Array, close: () => void): void {
    try {
      for (const f of reader.push(chunk)) {
        const p = this.pending.get(f.sequence);
        if (!p) continue;
        this.pending.delete(f.sequence);
        clearTimeout(p.timer);
        p.resolve(
          f.kind === 'answer' && f.modelHash === this.o.modelHash ? f.payload : `refused: ${utf8.decode(f.payload)}`,
        );
      }
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      close();
    }
  }

  /** Every frame waiting on the server finishes locally. */
  private drop(reason: string): void {
    for (const [seq, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(seq);
      p.resolve(reason);
    }
    this.link?.close();
  }
}
