/** @fileoverview The data segment of a WebAssembly model: constant arrays placed at 16-byte aligned addresses, once per key. */
import type { WasmModule } from './binaryen.ts';

/** An array the start function widens to int16 in place: its address, its length (a multiple of eight) and how it is stored. */
export interface WidenedArray {
  at: number;
  length: number;
  /** int8 bytes, or int4 values two a byte (k = 2i in byte i's low nibble): half the download. */
  stored: 'int8' | 'int4';
}

/** Where constants go: from `base` upward; the arena follows the last one. */
export class WasmData {
  private next: number;
  private readonly byKey = new Map<string, number>();
  /** Bytes of constants placed. */
  bytes = 0;
  private readonly widen: WidenedArray[] = [];

  constructor(
    private readonly module: WasmModule,
    base: number,
  ) {
    this.next = base;
  }

  /** The address of an integer array (little-endian), placing it on first use. */
  add(key: string, values: Int8Array | Int16Array | Int32Array | BigInt64Array): number {
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const at = this.next;
    this.module.data(at, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    this.byKey.set(key, at);
    this.next = Math.ceil((at + values.byteLength) / 16) * 16;
    this.bytes += values.byteLength;
    return at;
  }

  /**
   * The address of int8 values that the module's start function widens to int16 in place (emit-wasm), placing them on
   * first use: the data segment holds the int8 bytes (or, for int4 values in [-8, 7], two a byte), so the download
   * stays int8 (or half that), and twice their length is reserved.
   */
  addWidened(key: string, values: Int8Array, stored: 'int8' | 'int4' = 'int8'): number {
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const length = Math.ceil(values.length / 8) * 8;
    const at = this.add(key, stored === 'int8' ? values : nibblePairs(values, length));
    this.next = Math.ceil((at + 2 * length) / 16) * 16;
    this.widen.push({ at, length, stored });
    return at;
  }

  /** The arrays placed by addWidened. */
  widened(): readonly WidenedArray[] {
    return this.widen;
  }

  /** The first free address after the constants. */
  end(): number {
    return this.next;
  }
}

/** int4 values (zero-padded to `length`) two a byte: value 2i in byte i's low nibble, 2i + 1 in its high one. */
function nibblePairs(values: Int8Array, length: number): Int8Array {
  const bytes = new Int8Array(length / 2);
  values.forEach((v, i) => {
    bytes[i >> 1]! |= (v & 15) << (4 * (i & 1));
  });
  return bytes;
}
