/**
 * @fileoverview The offload wire protocol: one frame per tensor crossing the link, device → server (the tensor at
 * the cut) and server → device (the model's output). Fixed 56-byte little-endian header, then the payload:
 *
 *   0  4   magic "TEOF"
 *   4  1   version (WIRE_VERSION)
 *   5  1   kind: 1 cut tensor (device → server), 2 answer (server → device), 3 refusal (payload: UTF-8 reason),
 *          4 hello (device → server, first on a connection to a server with a shared token: payload the token;
 *          a server without a token ignores it)
 *   6  1   codec: 0 raw, 1 entropy-coded (see the codec's own file)
 *   7  1   element type: 1 int8, 2 int16
 *   8  8   model hash: the first 8 bytes of the SHA-256 of the compiled model, so a server never runs a tail of
 *          another model
 *   16 2   cut id (the planner's index of the cut)
 *   18 2   rank (1..4)
 *   20 4   sequence number (the device's frame counter; the answer repeats it)
 *   24 16  shape: 4 × uint32, 1 past the rank
 *   40 4   scale (float32) and 44 4 zero point (int32) of the tensor
 *   48 4   payload length in bytes
 *   52 4   CRC-32 (IEEE, as zlib) of header bytes 0..51 followed by the payload
 *
 * Reading is incremental (TCP delivers any split of the bytes) and every field is checked before it is trusted:
 * a bad frame is a WireError naming what is wrong, never a crash and never an allocation the sender chose
 * beyond `maxPayloadBytes`. No Node or DOM APIs: the same module runs in the Node server and client and, bundled,
 * in browsers.
 */

export const WIRE_MAGIC = 'TEOF';
export const WIRE_VERSION = 1;
export const FRAME_HEADER_BYTES = 56;

/** What a frame carries. */
export const FRAME_KIND = { cut: 1, answer: 2, refusal: 3, hello: 4 } as const;
export type FrameKind = keyof typeof FRAME_KIND;

/** How the payload is coded. */
export const CODEC = { raw: 0, entropy: 1 } as const;
export type Codec = keyof typeof CODEC;

const ELEMENT = { int8: 1, int16: 2 } as const;
export type ElementType = keyof typeof ELEMENT;

/** One decoded frame. */
export interface Frame {
  kind: FrameKind;
  codec: Codec;
  elementType: ElementType;
  /** 16 hex digits. */
  modelHash: string;
  cutId: number;
  sequence: number;
  shape: number[];
  scale: number;
  zeroPoint: number;
  payload: Uint8Array;
}

/** A frame that breaks the protocol; `code` says which rule. */
export class WireError extends Error {
  constructor(
    readonly code: 'magic' | 'version' | 'kind' | 'codec' | 'type' | 'shape' | 'length' | 'crc' | 'truncated' | 'model',
    message: string,
  ) {
    super(message);
    this.name = 'WireError';
  }
}

/** CRC-32 (IEEE 802.3, reflected, as zlib): the table, then the update over bytes. */
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** zlib's crc32(bytes, previous): chain calls to checksum pieces as one. */
export function crc32(bytes: Uint8Array, previous = 0): number {
  let c = ~previous >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const latin1 = (s: string) => Uint8Array.from(s, (ch) => ch.charCodeAt(0));
const hexToBytes = (hex: string) =>
  Uint8Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
const bytesToHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** UTF-8 text as bytes and back (refusal reasons, the hello token). */
export const utf8 = {
  encode: (s: string) => new TextEncoder().encode(s),
  decode: (b: Uint8Array) => new TextDecoder().decode(b),
};

const nameOf = <T extends Record<string, number>>(table: T, value: number): keyof T | undefined =>
  (Object.keys(table) as (keyof T)[]).find((k) => table[k] === value);

/** The frame's bytes: header and payload, CRC filled in. */
export function encodeFrame(f: Frame): Uint8Array {
  if (f.shape.length < 1 || f.shape.length > 4) throw new WireError('shape', `rank ${f.shape.length} (1..4 allowed)`);
  if (!/^[0-9a-f]{16}$/.test(f.modelHash))
    throw new WireError('model', `model hash '${f.modelHash}' is not 16 hex digits`);
  const out = new Uint8Array(FRAME_HEADER_BYTES + f.payload.length);
  const v = new DataView(out.buffer);
  out.set(latin1(WIRE_MAGIC), 0);
  v.setUint8(4, WIRE_VERSION);
  v.setUint8(5, FRAME_KIND[f.kind]);
  v.setUint8(6, CODEC[f.codec]);
  v.setUint8(7, ELEMENT[f.elementType]);
  out.set(hexToBytes(f.modelHash), 8);
  v.setUint16(16, f.cutId, true);
  v.setUint16(18, f.shape.length, true);
  v.setUint32(20, f.sequence >>> 0, true);
  for (let i = 0; i < 4; i++) v.setUint32(24 + 4 * i, f.shape[i] ?? 1, true);
  v.setFloat32(40, f.scale, true);
  v.setInt32(44, f.zeroPoint, true);
  v.setUint32(48, f.payload.length, true);
  out.set(f.payload, FRAME_HEADER_BYTES);
  v.setUint32(52, frameCrc(out.subarray(0, 52), f.payload), true);
  return out;
}

function frameCrc(header: Uint8Array, payload: Uint8Array): number {
  return crc32(payload, crc32(header)) >>> 0;
}

/** Checks a complete header (bytes 0..55) and returns the payload length it announces. */
function checkHeader(h: Uint8Array, maxPayloadBytes: number): number {
  const v = new DataView(h.buffer, h.byteOffset, FRAME_HEADER_BYTES);
  if (String.fromCharCode(...h.subarray(0, 4)) !== WIRE_MAGIC)
    throw new WireError('magic', 'not a tinyedge offload frame (wrong magic)');
  if (v.getUint8(4) !== WIRE_VERSION)
    throw new WireError('version', `protocol version ${v.getUint8(4)}, this side speaks ${WIRE_VERSION}`);
  if (nameOf(FRAME_KIND, v.getUint8(5)) === undefined)
    throw new WireError('kind', `unknown frame kind ${v.getUint8(5)}`);
  if (nameOf(CODEC, v.getUint8(6)) === undefined) throw new WireError('codec', `unknown codec ${v.getUint8(6)}`);
  if (nameOf(ELEMENT, v.getUint8(7)) === undefined)
    throw new WireError('type', `unknown element type ${v.getUint8(7)}`);
  const rank = v.getUint16(18, true);
  if (rank < 1 || rank > 4) throw new WireError('shape', `rank ${rank} (1..4 allowed)`);
  const length = v.getUint32(48, true);
  if (length > maxPayloadBytes)
    throw new WireError('length', `payload of ${length} bytes announced, at most ${maxPayloadBytes} accepted`);
  return length;
}

function decodeFrame(bytes: Uint8Array): Frame {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const payload = bytes.slice(FRAME_HEADER_BYTES);
  if (frameCrc(bytes.subarray(0, 52), payload) !== v.getUint32(52, true))
    throw new WireError('crc', 'CRC-32 mismatch: the frame was damaged in transit');
  const rank = v.getUint16(18, true);
  const shape = Array.from({ length: rank }, (_, i) => v.getUint32(24 + 4 * i, true));
  const elementType = nameOf(ELEMENT, v.getUint8(7)) as ElementType;
  const codec = nameOf(CODEC, v.getUint8(6)) as Codec;
  const elements = shape.reduce((a, b) => a * b, 1);
  const kind = nameOf(FRAME_KIND, v.getUint8(5)) as FrameKind;
  if (
    (kind === 'cut' || kind === 'answer') &&
    codec === 'raw' &&
    payload.length !== elements * (elementType === 'int8' ? 1 : 2)
  ) {
    throw new WireError(
      'length',
      `a raw ${elementType} tensor of shape ${shape.join('×')} is ${elements * (elementType === 'int8' ? 1 : 2)} bytes, the frame carries ${payload.length}`,
    );
  }
  return {
    kind,
    codec,
    elementType,
    modelHash: bytesToHex(bytes.subarray(8, 16)),
    cutId: v.getUint16(16, true),
    sequence: v.getUint32(20, true),
    shape,
    scale: v.getFloat32(40, true),
    zeroPoint: v.getInt32(44, true),
    payload,
  };
}

/**
 * Reassembles frames from a byte stream. `push` each chunk as it arrives and take the frames it completes; call
 * `end` when the stream closes (a partial frame then is an error). After an error the stream is out of sync: the
 * reader keeps failing, and the connection should be closed.
 */
export class FrameReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private broken: WireError | undefined;

  constructor(private readonly maxPayloadBytes: number) {}

  push(chunk: Uint8Array): Frame[] {
    if (this.broken) throw this.broken;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    try {
      for (;;) {
        if (this.buffered < FRAME_HEADER_BYTES) break;
        const length = checkHeader(this.peek(FRAME_HEADER_BYTES), this.maxPayloadBytes);
        if (this.buffered < FRAME_HEADER_BYTES + length) break;
        frames.push(decodeFrame(this.take(FRAME_HEADER_BYTES + length)));
      }
    } catch (e) {
      if (e instanceof WireError) this.broken = e;
      throw e;
    }
    return frames;
  }

  /** The stream closed: fails when it stopped inside a frame. */
  end(): void {
    if (this.buffered > 0) throw new WireError('truncated', `the stream ended ${this.buffered} bytes into a frame`);
  }

  /** The buffered bytes as one array (joined only when a frame spans chunks). */
  private contiguous(): Uint8Array {
    if (this.chunks.length > 1) {
      const all = new Uint8Array(this.buffered);
      let at = 0;
      for (const c of this.chunks) {
        all.set(c, at);
        at += c.length;
      }
      this.chunks = [all];
    }
    return this.chunks[0]!;
  }

  private peek(n: number): Uint8Array {
    return this.contiguous().subarray(0, n);
  }

  private take(n: number): Uint8Array {
    const all = this.contiguous();
    this.chunks = [all.subarray(n)];
    this.buffered -= n;
    return all.slice(0, n);
  }
}
