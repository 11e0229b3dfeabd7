/**
 * @fileoverview The int4 weight layouts of te_matmul_w4_s8 (kernel-table.ts describes them): a pointwise or dense
 * filter [O][K] whose values are in [-7, 7] (`quant.bits === 4`), two values a byte, as each ISA folder reads it.
 * Half the flash of int8 weights, less the padding of K and of the channel groups.
 */

import type { MatmulLayout } from './kernel-table.ts';

/** The layouts of te_matmul_w4_s8. */
export type Int4Layout = Extract<MatmulLayout, 'nibble-rows' | 'o4-k4-u4-lanes' | 'o4-k32-nibbles'>;

/** Whether a matmul layout is one of the int4 ones. */
export function isInt4Layout(layout: MatmulLayout): layout is Int4Layout {
  return layout === 'nibble-rows' || layout === 'o4-k4-u4-lanes' || layout === 'o4-k32-nibbles';
}

/** The IR convention ('nibble-rows'): per row ceil(K/2) bytes, k = 2i in byte i's low nibble, 2i + 1 in its high. */
function nibbleRows(w: Int8Array, o: number, k: number): Int8Array {
  const stride = Math.ceil(k / 2);
  const t = new Int8Array(o * stride);
  for (let r = 0; r < o; r++)
    for (let i = 0; i < k; i++) t[r * stride + (i >> 1)]! |= (w[r * k + i]! & 15) << (4 * (i & 1));
  return t;
}

/**
 * 'o4-k4-u4-lanes': per group of four rows (the last zero-padded) and step of four k (K zero-padded), two words of
 * two rows each, every nibble w + 8; nibble 2c + (q & 1) + 4·(q >> 1) holds row c's k + q, so that
 * (word >> 4j) & 0x000F000F gives the halfword pairs (k, k + 2), (k + 1, k + 3) of the first row, then the second's.
 */
function unsignedLanes(w: Int8Array, o: number, k: number): Int32Array {
  const steps = Math.ceil(k / 4);
  const at = (r: number, i: number) => (r < o && i < k ? w[r * k + i]! : 0);
  const words = new Int32Array(Math.ceil(o / 4) * steps * 2);
  let n = 0;
  for (let r = 0; r < o; r += 4)
    for (let s = 0; s < 4 * steps; s += 4)
      for (let pair = r; pair < r + 4; pair += 2) {
        let word = 0;
        for (let c = 0; c < 2; c++)
          for (let q = 0; q < 4; q++) word |= (at(pair + c, s + q) + 8) << (4 * (2 * c + (q & 1) + 4 * (q >> 1)));
        words[n++] = word;
      }
  return words;
}

/**
 * 'o4-k32-nibbles': rows padded to a multiple of four, K to one of 32; per group of four rows [K32/32][4][16] bytes,
 * byte j of a row's block holding k = j in its low nibble and k = 16 + j in its high (two's complement).
 */
function blocksOf32(w: Int8Array, o: number, k: number): Int8Array {
  const k32 = Math.ceil(k / 32) * 32;
  const t = new Int8Array((Math.ceil(o / 4) * 4 * k32) / 2);
  for (let r = 0; r < o; r++) {
    const group = (Math.floor(r / 4) * 4 * k32) / 2;
    for (let i = 0; i < k; i++) {
      const at = group + Math.floor(i / 32) * 64 + (r % 4) * 16 + (i % 16);
      t[at]! |= (w[r * k + i]! & 15) << (i % 32 >= 16 ? 4 : 0);
    }
  }
  return t;
}

/** A filter [O][K] of int4 values in an int4 layout: bytes, or little-endian words for the DSP's word loads. */
export function layInt4Filter(
  w: Int8Array,
  o: number,
  layout: Int4Layout,
): { type: 'int8_t' | 'int32_t'; data: Int8Array | Int32Array; description: string } {
  const k = w.length / o;
  if (layout === 'o4-k4-u4-lanes')
    return {
      type: 'int32_t',
      data: unsignedLanes(w, o, k),
      description: `[${o}][${k}] int4 as w + 8, groups of four rows by 4 k, SMLAD halfword lanes`,
    };
  if (layout === 'o4-k32-nibbles')
    return {
      type: 'int8_t',
      data: blocksOf32(w, o, k),
      description: `[${o}][${k}] int4 padded to [${Math.ceil(o / 4) * 4}][${Math.ceil(k / 32) * 32}], groups of four rows by 32 k`,
    };
  return { type: 'int8_t', data: nibbleRows(w, o, k), description: `[${o}][${k}] int4, two k a byte (low first)` };
}
