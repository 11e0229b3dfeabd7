/**
 * @fileoverview Backpressure for one connection: stop reading from a peer while what its input has caused (frames
 * still being served, bytes not yet sent back) is over a bound, and read again once both are back under. A peer that
 * sends and never reads then fills its own buffers and the kernel's, not the server's memory. Used by the edge server
 * (per device connection) and by the WebSocket gateway (each direction of a relay).
 */

/** Something that can stop and restart delivering its input (a net.Socket, a ws WebSocket). */
export interface Pausable {
  pause(): void;
  resume(): void;
}

/** The bounds past which a connection is no longer read. */
export interface ReadBounds {
  /** Frames taken from the peer and not yet answered. */
  pendingFrames: number;
  /** Bytes written back to the peer and not yet handed to the kernel. */
  unsentBytes: number;
}

/** Edge server defaults: a device may pipeline this much before it is made to wait. */
export const DEFAULT_READ_BOUNDS: ReadBounds = { pendingFrames: 16, unsentBytes: 1 << 20 };

export class ReadGate {
  /** Frames taken and not yet answered: the owner counts them with `took` and `finished`. */
  private pending = 0;
  private paused = false;

  /** Gates `source`; `unsentBytes` reads the reply side's queue (socket.writableLength, ws.bufferedAmount). */
  constructor(
    private readonly source: Pausable,
    private readonly bounds: ReadBounds,
    private readonly unsentBytes: () => number,
  ) {}

  /** A frame was taken from the peer. */
  took(): void {
    this.pending++;
    this.update();
  }

  /** A frame taken earlier was answered or refused. */
  finished(): void {
    this.pending--;
    this.update();
  }

  /** Pauses or resumes the source for the current state: call it after writing and on the reply side's 'drain'. */
  update(): void {
    const over = this.pending >= this.bounds.pendingFrames || this.unsentBytes() > this.bounds.unsentBytes;
    if (over === this.paused) return;
    this.paused = over;
    if (over) this.source.pause();
    else this.source.resume();
  }
}
