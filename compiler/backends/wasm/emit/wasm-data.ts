/** @fileoverview The data segment of a WebAssembly model: constant arrays placed at 16-byte aligned addresses, once per key. */
import type { WasmModule } from './binaryen.ts';

/** Where constants go: from `base` upward; the arena follows the last one. */
export class WasmData {
  private next: number;
  private readonly byKey = new Map<string, number>();
  /** Bytes of constants placed. */
  bytes = 0;
  private readonly widen: { at: number; length: number }[] = [];

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
   * first use: the data segment holds the int8 bytes, so the download stays int8, and twice their length is reserved.
   */
  addWidened(key: string, values: Int8Array): number {
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const at = this.add(key, values);
    const length = Math.ceil(values.length / 8) * 8;
    this.next = Math.ceil((at + 2 * length) / 16) * 16;
    this.widen.push({ at, length });
    return at;
  }

  /** The arrays placed by addWidened: address and length, a multiple of eight. */
  widened(): readonly { at: number; length: number }[] {
    return this.widen;
  }

  /** The first free address after the constants. */
  end(): number {
    return this.next;
  }
}
