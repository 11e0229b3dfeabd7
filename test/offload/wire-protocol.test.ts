/**
 * The offload wire protocol: frames survive any split of the byte stream; every broken rule (magic, version, kind,
 * codec, element type, rank, announced length beyond the limit, a raw payload that does not fill the shape, a CRC
 * mismatch anywhere in header or payload, a stream ending inside a frame) is a WireError saying which, never a
 * crash; a reader that saw a bad frame stays failed (the stream is out of sync).
 */
import { describe, expect, it } from 'vitest';
import {
  encodeFrame,
  FRAME_HEADER_BYTES,
  type Frame,
  FrameReader,
  WireError,
} from '../../runtime/offload/wire-protocol.ts';
import { mulberry32 } from '../support/seeded.ts';

const frame = (over: Partial<Frame> = {}): Frame => ({
  kind: 'cut',
  codec: 'raw',
  elementType: 'int8',
  modelHash: '0123456789abcdef',
  cutId: 7,
  sequence: 41,
  shape: [1, 3, 3, 2],
  scale: 0.0234375,
  zeroPoint: -5,
  payload: Uint8Array.from({ length: 18 }, (_, i) => i * 13),
  ...over,
});

/** The WireError code reading `bytes` (then the end of the stream) gives, or 'none'. */
function errorOf(bytes: Uint8Array, max = 1 << 20): string {
  const r = new FrameReader(max);
  try {
    r.push(bytes);
    r.end();
  } catch (e) {
    expect(e).toBeInstanceOf(WireError);
    return (e as WireError).code;
  }
  return 'none';
}

describe('offload frames', () => {
  it('round-trip every field (int16 answer, rank 2, sequence near 2^32)', () => {
    const f = frame({
      kind: 'answer',
      elementType: 'int16',
      shape: [1, 5],
      payload: new Uint8Array(10).fill(3),
      sequence: 2 ** 32 - 1,
      zeroPoint: 0,
    });
    expect(new FrameReader(1 << 20).push(encodeFrame(f))).toEqual([{ ...f, scale: Math.fround(f.scale) }]);
  });
  it('reassemble from any split of the stream: three frames fed in random-sized chunks', () => {
    const frames = [
      frame(),
      frame({ sequence: 42 }),
      frame({ kind: 'refusal', codec: 'raw', elementType: 'int8', shape: [6], payload: Buffer.from('busy!!') }),
    ];
    const stream = Buffer.concat(frames.map(encodeFrame));
    const rand = mulberry32(5);
    for (let trial = 0; trial < 50; trial++) {
      const r = new FrameReader(1 << 20);
      const got: Frame[] = [];
      for (let at = 0; at < stream.length; ) {
        const n = 1 + Math.floor(rand() * 40);
        got.push(...r.push(stream.subarray(at, at + n)));
        at += n;
      }
      r.end();
      expect(got.map((f) => f.sequence)).toEqual([41, 42, 41]);
      expect(Buffer.from(got[2]!.payload).toString()).toBe('busy!!');
    }
  });
  it.each([
    ['magic', 0],
    ['version', 4],
    ['kind', 5],
    ['codec', 6],
    ['type', 7],
  ] as const)('a bad %s byte is refused', (code, at) => {
    const b = encodeFrame(frame());
    b[at] = 99;
    expect(errorOf(b)).toBe(code);
  });
  it('rank 0 and rank 5 are refused', () => {
    for (const rank of [0, 5]) {
      const b = encodeFrame(frame());
      new DataView(b.buffer).setUint16(18, rank, true);
      expect(errorOf(b)).toBe('shape');
    }
  });
  it('an announced payload beyond the limit is refused from the header alone, before any payload arrives', () => {
    const b = encodeFrame(frame());
    new DataView(b.buffer).setUint32(48, 0xfffffff0, true);
    const r = new FrameReader(1 << 20);
    expect(() => r.push(b.subarray(0, FRAME_HEADER_BYTES))).toThrow(WireError);
  });
  it('a raw payload that does not fill its shape is refused', () => {
    expect(errorOf(encodeFrame(frame({ payload: new Uint8Array(17) })))).toBe('length');
  });
  it('any single flipped bit in header or payload fails the CRC (or an earlier check)', () => {
    const good = encodeFrame(frame());
    for (let bit = 0; bit < good.length * 8; bit++) {
      const b = good.slice();
      b[bit >> 3]! ^= 1 << (bit & 7);
      expect(errorOf(b), `bit ${bit}`).not.toBe('none');
    }
  });
  it('a stream ending inside a frame is reported as truncated', () => {
    const b = encodeFrame(frame());
    expect(errorOf(b.subarray(0, 30))).toBe('truncated');
    expect(errorOf(b.subarray(0, b.length - 1))).toBe('truncated');
  });
  it('after a bad frame the reader stays failed, even for good bytes', () => {
    const r = new FrameReader(1 << 20);
    const bad = encodeFrame(frame());
    bad[0] = 0;
    expect(() => r.push(bad)).toThrow(WireError);
    expect(() => r.push(encodeFrame(frame()))).toThrow(WireError);
  });
});
