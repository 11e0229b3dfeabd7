/** @fileoverview The data segment of a WebAssembly model: constant arrays placed at 16-byte aligned addresses, once per key. */
import { WasmModule } from './binaryen.ts';

/** Where constants go: from `base` upward; the arena follows the last one. */
export class WasmData {
  private next: number;
  private readonly byKey = new Map<string, number>();
  /** Bytes of constants placed. */
  bytes = 0;

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

  /** The first free address after the constants. */
  end(): number {
    return this.next;
  }
}
