/**
 * @fileoverview A bounds-checked view of one flatbuffer table, on the `flatbuffers` runtime's ByteBuffer. The
 * runtime trusts its input (an offset past the end reads as 0); a .tflite file is user input, so every vtable,
 * offset and vector length is checked here before it is followed, and a bad one fails naming the table and field.
 */
import { ByteBuffer } from 'flatbuffers';
import { TinyedgeError } from '../../errors.ts';

/** Element types a vector or scalar field may have. */
type Scalar = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float32';

const SIZE: Record<Scalar, number> = {
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  float32: 4,
};

function read(bb: ByteBuffer, type: Scalar, at: number): number {
  switch (type) {
    case 'int8':
      return bb.readInt8(at);
    case 'uint8':
      return bb.readUint8(at);
    case 'int16':
      return bb.readInt16(at);
    case 'uint16':
      return bb.readUint16(at);
    case 'int32':
      return bb.readInt32(at);
    case 'uint32':
      return bb.readUint32(at);
    case 'int64': {
      const v = bb.readInt64(at);
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER))
        throw new RangeError(`int64 ${v} is too large`);
      return Number(v);
    }
    case 'float32':
      return bb.readFloat32(at);
  }
}

/** One table of a flatbuffer; `what` names it in errors ("subgraph 0 tensor 12"). */
export class FlatTable {
  private constructor(
    private readonly bb: ByteBuffer,
    private readonly file: string,
    readonly what: string,
    private readonly pos: number,
    private readonly vtable: number,
    private readonly vtableSize: number,
  ) {}

  /** The root table of `bytes`, checking the file identifier (`TFL3` for .tflite) when given. */
  static root(bytes: Uint8Array, file: string, identifier: string, what: string): FlatTable {
    const bb = new ByteBuffer(bytes);
    if (bytes.length < 8)
      throw new TinyedgeError('TE104', `not a ${identifier} flatbuffer: only ${bytes.length} bytes`, { file });
    if (!bb.__has_identifier(identifier)) {
      throw new TinyedgeError(
        'TE104',
        `not a .tflite flatbuffer: the file identifier is ${JSON.stringify(Buffer.from(bytes.subarray(4, 8)).toString('latin1'))}, expected "${identifier}"`,
        { file },
      );
    }
    return FlatTable.at(bb, file, bb.readUint32(0), what);
  }

  private static at(bb: ByteBuffer, file: string, pos: number, what: string): FlatTable {
    const fail = (why: string): never => {
      throw new TinyedgeError('TE106', `corrupt flatbuffer: ${what}: ${why}`, { file });
    };
    const n = bb.capacity();
    if (pos < 0 || pos + 4 > n) fail(`table offset ${pos} is outside the file (${n} bytes; truncated?)`);
    const vtable = pos - bb.readInt32(pos);
    if (vtable < 0 || vtable + 4 > n) fail(`vtable offset ${vtable} is outside the file`);
    const vtableSize = bb.readUint16(vtable);
    const tableSize = bb.readUint16(vtable + 2);
    if (vtableSize < 4 || vtableSize % 2 !== 0 || vtable + vtableSize > n)
      fail(`vtable of ${vtableSize} bytes does not fit the file`);
    if (pos + tableSize > n) fail(`table of ${tableSize} bytes runs past the end of the file`);
    return new FlatTable(bb, file, what, pos, vtable, vtableSize);
  }

  private fail(field: number, why: string): never {
    throw new TinyedgeError('TE106', `corrupt flatbuffer: ${this.what}, field ${field}: ${why}`, { file: this.file });
  }

  /** Absolute position of field `i`'s value, or 0 when the field is absent. */
  private field(i: number, size: number): number {
    const slot = 4 + 2 * i;
    if (slot + 2 > this.vtableSize) return 0;
    const off = this.bb.readUint16(this.vtable + slot);
    if (off === 0) return 0;
    if (off + size > this.bb.readUint16(this.vtable + 2)) this.fail(i, `value at ${off} lies outside its table`);
    return this.pos + off;
  }

  /** Position of what an offset field points to, checked to leave `size` bytes. */
  private follow(i: number): number {
    const at = this.field(i, 4);
    if (at === 0) return 0;
    const target = at + this.bb.readUint32(at);
    if (target + 4 > this.bb.capacity())
      this.fail(i, `offset points past the end of the file (${this.bb.capacity()} bytes; truncated?)`);
    return target;
  }

  /** Whether field i is present. */
  has(i: number): boolean {
    return this.field(i, 0) !== 0;
  }

  /** A scalar field, or its schema default when absent. */
  scalar(i: number, type: Scalar, byDefault: number): number {
    const at = this.field(i, SIZE[type]);
    if (at === 0) return byDefault;
    try {
      return read(this.bb, type, at);
    } catch (e) {
      return this.fail(i, (e as Error).message);
    }
  }

  /** A sub-table field. */
  table(i: number, what: string): FlatTable | undefined {
    const at = this.follow(i);
    return at === 0 ? undefined : FlatTable.at(this.bb, this.file, at, `${this.what} ${what}`);
  }

  /** Start and length of a vector field, checked to fit the file. */
  private vector(i: number, elementSize: number): [number, number] {
    const at = this.follow(i);
    if (at === 0) return [0, 0];
    const length = this.bb.readUint32(at);
    const start = at + 4;
    if (start + length * elementSize > this.bb.capacity())
      this.fail(i, `vector of ${length} elements runs past the end of the file (truncated?)`);
    return [start, length];
  }

  /** A vector of tables, each named `${what} ${index}`. */
  tables(i: number, what: string): FlatTable[] {
    const [start, length] = this.vector(i, 4);
    return Array.from({ length }, (_, k) => {
      const at = start + 4 * k;
      return FlatTable.at(this.bb, this.file, at + this.bb.readUint32(at), `${this.what} ${what} ${k}`);
    });
  }

  /** A vector of numbers (empty when absent). */
  numbers(i: number, type: Scalar): number[] {
    const [start, length] = this.vector(i, SIZE[type]);
    try {
      return Array.from({ length }, (_, k) => read(this.bb, type, start + SIZE[type] * k));
    } catch (e) {
      return this.fail(i, (e as Error).message);
    }
  }

  /** A [ubyte] vector as a view into the file's bytes (empty when absent). */
  bytes(i: number): Uint8Array {
    const [start, length] = this.vector(i, 1);
    return this.bb.bytes().subarray(start, start + length);
  }

  /** A string field (undefined when absent). */
  string(i: number): string | undefined {
    if (!this.has(i)) return undefined;
    return Buffer.from(this.bytes(i)).toString('utf8');
  }
}
