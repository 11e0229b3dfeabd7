/**
 * @fileoverview The offload wire's entropy codec (codec byte 1): an adaptive binary range coder (the one LZMA uses:
 * 11-bit probabilities, adaptation shift 5, carry propagation through a cached byte) over the tensor's bytes, each
 * byte coded MSB first down a 256-leaf bit tree. An int16 tensor's low and high bytes use separate trees (lanes),
 * since their statistics differ. Activations after ReLU6 pile up at the zero point, which the adaptive trees learn
 * within a few hundred elements: no table travels with the payload.
 *
 * Payload: byte 0 the mode (0 stored, 1 range-coded), bytes 1..4 the decoded length (uint32 LE), then the stored
 * bytes or the coder's output. The encoder stores when coding would not be smaller, so a payload is never more than
 * ENTROPY_OVERHEAD bytes larger than the tensor. The decoder reads only within the payload and loops once per output
 * bit; a payload that is not exactly what the encoder writes for some input fails with an EntropyError.
 * runtime/c/offload/entropy_codec.c is the same algorithm, byte for byte.
 */

/** Bytes the payload adds to the tensor at worst (mode and length). */
export const ENTROPY_OVERHEAD = 5;

const MODE_STORED = 0;
const MODE_CODED = 1;
const PROB_BITS = 11;
const PROB_INIT = 1 << (PROB_BITS - 1);
const MOVE_BITS = 5;
const TOP = 2 ** 24;
const TWO_32 = 2 ** 32;

/** A payload the decoder cannot accept; `code` says why. */
export class EntropyError extends Error {
  constructor(
    readonly code: 'mode' | 'length' | 'truncated' | 'trailing' | 'lanes',
    message: string,
  ) {
    super(message);
    this.name = 'EntropyError';
  }
}

/** One probability tree (nodes 1..255) per byte lane of an element. */
function freshTrees(lanes: number): Uint16Array {
  if (lanes !== 1 && lanes !== 2) throw new EntropyError('lanes', `elements of ${lanes} bytes (1 or 2 supported)`);
  return new Uint16Array(lanes * 256).fill(PROB_INIT);
}

class RangeEncoder {
  /** Up to 33 bits (the 33rd is a pending carry): kept in a double, exact below 2^53. */
  private low = 0;
  private range = 0xffffffff;
  private cache = 0;
  private cacheSize = 1;
  private out: Uint8Array;
  length = 0;

  constructor(private readonly limit: number) {
    this.out = new Uint8Array(limit);
  }

  /** False once the output would pass `limit` (coding does not pay; the caller stores instead). */
  get fits(): boolean {
    return this.length <= this.limit;
  }

  encodeBit(probs: Uint16Array, i: number, bit: number): void {
    const p = probs[i]!;
    const bound = (this.range >>> PROB_BITS) * p;
    if (bit === 0) {
      this.range = bound;
      probs[i] = p + (((1 << PROB_BITS) - p) >>> MOVE_BITS);
    } else {
      this.low += bound;
      this.range = (this.range - bound) >>> 0;
      probs[i] = p - (p >>> MOVE_BITS);
    }
    while (this.range < TOP) {
      this.range = (this.range * 256) >>> 0;
      this.shiftLow();
    }
  }

  finish(): Uint8Array {
    for (let i = 0; i < 5; i++) this.shiftLow();
    return this.out.subarray(0, this.length);
  }

  private shiftLow(): void {
    if (this.low < 0xff000000 || this.low >= TWO_32) {
      const carry = this.low >= TWO_32 ? 1 : 0;
      let byte = this.cache;
      do {
        this.emit((byte + carry) & 0xff);
        byte = 0xff;
      } while (--this.cacheSize !== 0);
      this.cache = Math.floor(this.low / TOP) & 0xff;
    }
    this.cacheSize++;
    this.low = (this.low % TOP) * 256;
  }

  private emit(byte: number): void {
    if (this.length < this.limit) this.out[this.length] = byte;
    this.length++;
  }
}

class RangeDecoder {
  private range = 0xffffffff;
  private code = 0;
  private at: number;

  constructor(
    private readonly input: Uint8Array,
    start: number,
  ) {
    this.at = start;
    if (this.next() !== 0) throw new EntropyError('mode', 'the coded stream does not start with a zero byte');
    for (let i = 0; i < 4; i++) this.code = ((this.code * 256) >>> 0) + this.next();
  }

  decodeBit(probs: Uint16Array, i: number): number {
    const p = probs[i]!;
    const bound = (this.range >>> PROB_BITS) * p;
    let bit: number;
    if (this.code < bound) {
      this.range = bound;
      probs[i] = p + (((1 << PROB_BITS) - p) >>> MOVE_BITS);
      bit = 0;
    } else {
      this.code -= bound;
      this.range = (this.range - bound) >>> 0;
      probs[i] = p - (p >>> MOVE_BITS);
      bit = 1;
    }
    while (this.range < TOP) {
      this.range = (this.range * 256) >>> 0;
      this.code = ((this.code * 256) >>> 0) + this.next();
    }
    return bit;
  }

  /** The encoder's flush writes exactly the bytes the decoder reads: anything after them is damage. */
  end(): void {
    if (this.at !== this.input.length)
      throw new EntropyError('trailing', `${this.input.length - this.at} bytes after the coded stream`);
  }

  private next(): number {
    if (this.at >= this.input.length) throw new EntropyError('truncated', 'the coded stream ends early');
    return this.input[this.at++]!;
  }
}

function header(mode: number, length: number, body: number): Uint8Array {
  const out = new Uint8Array(ENTROPY_OVERHEAD + body);
  out[0] = mode;
  new DataView(out.buffer).setUint32(1, length, true);
  return out;
}

/** Codes a tensor's bytes (`lanes` bytes per element, little-endian); stores them when coding does not pay. */
export function entropyEncode(data: Uint8Array, lanes: number): Uint8Array {
  const trees = freshTrees(lanes);
  const rc = new RangeEncoder(data.length);
  for (let i = 0; i < data.length && rc.fits; i++) {
    const tree = trees.subarray((i % lanes) * 256, (i % lanes) * 256 + 256);
    for (let node = 1, b = 7; b >= 0; b--) {
      const bit = (data[i]! >>> b) & 1;
      rc.encodeBit(tree, node, bit);
      node = (node << 1) | bit;
    }
  }
  const coded = rc.finish();
  if (rc.length >= data.length) {
    const out = header(MODE_STORED, data.length, data.length);
    out.set(data, ENTROPY_OVERHEAD);
    return out;
  }
  const out = header(MODE_CODED, data.length, coded.length);
  out.set(coded, ENTROPY_OVERHEAD);
  return out;
}

/** The tensor's bytes back from a payload, which must decode to exactly `expectedBytes`. */
export function entropyDecode(payload: Uint8Array, lanes: number, expectedBytes: number): Uint8Array {
  const trees = freshTrees(lanes);
  if (payload.length < ENTROPY_OVERHEAD)
    throw new EntropyError('truncated', `a payload of ${payload.length} bytes has no header`);
  const length = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(1, true);
  if (length !== expectedBytes)
    throw new EntropyError('length', `the payload decodes to ${length} bytes, the tensor has ${expectedBytes}`);
  if (payload[0] === MODE_STORED) {
    if (payload.length !== ENTROPY_OVERHEAD + length)
      throw new EntropyError(
        'length',
        `a stored payload of ${length} bytes is ${payload.length - ENTROPY_OVERHEAD} long`,
      );
    return payload.slice(ENTROPY_OVERHEAD);
  }
  if (payload[0] !== MODE_CODED) throw new EntropyError('mode', `unknown mode ${payload[0]}`);
  const rc = new RangeDecoder(payload, ENTROPY_OVERHEAD);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const tree = trees.subarray((i % lanes) * 256, (i % lanes) * 256 + 256);
    let node = 1;
    while (node < 256) node = (node << 1) | rc.decodeBit(tree, node);
    out[i] = node & 0xff;
  }
  rc.end();
  return out;
}
