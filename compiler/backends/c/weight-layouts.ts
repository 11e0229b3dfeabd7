/**
 * @fileoverview The compile-time data layouts of the C kernels (kernel-table.ts names them): weights reordered,
 * interleaved or widened for an ISA folder's inner loops, and the 'smmul' requantization pairs. Pure functions from
 * TFLite's arrays to the arrays the kernels read; render-nodes.ts writes them as C constants.
 */

import { isInt4Layout, layInt4Filter } from './int4-weight-layouts.ts';
import { MATMUL_CHANNEL_STEP, type MatmulLayout } from './kernel-table.ts';

/** An array laid out for a kernel: its C element type, its values and what the C comment says of it. */
export interface LaidOut {
  type: 'int8_t' | 'int32_t';
  data: Int8Array | Int32Array;
  description: string;
}

/**
 * [O][K] weights as MatmulLayout 'o4-s16-pairs': per group of four rows (the last zero-padded) and per step of four
 * k (K zero-padded to a multiple of four), per row the int16 pairs (w[k], w[k + 2]) and (w[k + 1], w[k + 3]) as
 * little-endian words: the pairs SXTB16 makes of four int8 inputs, so the kernel never sign-extends a weight.
 */
function int16Pairs4(w: Int8Array, o: number, k: number): Int32Array {
  const steps = Math.ceil(k / 4);
  const at = (r: number, i: number) => (r < o && i < k ? w[r * k + i]! : 0);
  const words = new Int32Array(Math.ceil(o / 4) * steps * 8);
  let n = 0;
  for (let r = 0; r < o; r += 4)
    for (let s = 0; s < 4 * steps; s += 4)
      for (let j = r; j < r + 4; j++)
        for (let e = 0; e < 2; e++) words[n++] = (at(j, s + e) & 0xffff) | (at(j, s + e + 2) << 16);
  return words;
}

/**
 * [O][K] weights as MatmulLayout 'o4-k2-s16': per group of four rows (the last zero-padded) and per pair of k (K
 * zero-padded to even), per row the int16 pair (w[k], w[k + 1]) as a little-endian word: the pair one LDR reads from
 * an int16 row, so the 16×8 kernels multiply their inputs in place.
 */
function int16AdjacentPairs(w: Int8Array, o: number, k: number): Int32Array {
  const pairs = Math.ceil(k / 2);
  const at = (r: number, i: number) => (r < o && i < k ? w[r * k + i]! : 0);
  const words = new Int32Array(Math.ceil(o / 4) * pairs * 4);
  let n = 0;
  for (let r = 0; r < o; r += 4)
    for (let i = 0; i < 2 * pairs; i += 2)
      for (let j = r; j < r + 4; j++) words[n++] = (at(j, i) & 0xffff) | (at(j, i + 1) << 16);
  return words;
}

/** Bytes as little-endian int32 words (zero-padded), so the C array is word-aligned for LDR/LDRD. */
function asWords(bytes: Int8Array): Int32Array {
  const words = new Int32Array(Math.ceil(bytes.length / 4));
  new Int8Array(words.buffer).set(bytes);
  return words;
}

/** [O][K] weights with each full group of four rows as [K/4][4][4] then [4][K % 4] (MatmulLayout 'o4-interleaved'). */
function interleave4(w: Int8Array, o: number, k: number): Int8Array {
  const t = new Int8Array(w.length);
  const k4 = k - (k % 4);
  let at = 0;
  for (let r = 0; r + 4 <= o; r += 4) {
    for (let i = 0; i < k4; i += 4)
      for (let j = 0; j < 4; j++) for (let q = 0; q < 4; q++) t[at++] = w[(r + j) * k + i + q]!;
    for (let j = 0; j < 4; j++) for (let i = k4; i < k; i++) t[at++] = w[(r + j) * k + i]!;
  }
  t.set(w.subarray(at), at);
  return t;
}

/** [O][K] weights as 'o4-k16': O padded to a multiple of 8, K to one of 16, each group of four rows [K16/16][4][16]. */
function groupsOf16(w: Int8Array, o: number, k: number): Int8Array {
  const k16 = Math.ceil(k / 16) * 16;
  const o8 = Math.ceil(o / 8) * 8;
  const t = new Int8Array(o8 * k16);
  for (let r = 0; r < o; r++) {
    const group = Math.floor(r / 4) * 4 * k16;
    for (let i = 0; i < k; i++) t[group + Math.floor(i / 16) * 64 + (r % 4) * 16 + (i % 16)] = w[r * k + i]!;
  }
  return t;
}

/**
 * [O][K] weights as 'o8-k4' (and 'o8-k4-u8'): O padded to a multiple of 8, each run of `run` k (a window row for
 * 'o8-k4', K otherwise) padded to a multiple of 4, each group of eight rows [K4/4][8][4].
 */
function groupsOf8By4(w: Int8Array, o: number, k: number, run: number): Int8Array {
  const run4 = Math.ceil(run / 4) * 4;
  const k4 = (k / run) * run4;
  const t = new Int8Array(Math.ceil(o / 8) * 8 * k4);
  for (let r = 0; r < o; r++) {
    const group = Math.floor(r / 8) * 8 * k4;
    for (let i = 0; i < k; i++) {
      const at = Math.floor(i / run) * run4 + (i % run);
      t[group + Math.floor(at / 4) * 32 + (r % 8) * 4 + (at % 4)] = w[r * k + i]!;
    }
  }
  return t;
}

/** Per-channel constants padded with `fill` to the layout's channel step (MATMUL_CHANNEL_STEP). */
export function padChannels(values: ArrayLike<number>, layout: MatmulLayout, fill: number): Int32Array {
  const step = MATMUL_CHANNEL_STEP[layout];
  const padded = new Int32Array(Math.ceil(values.length / step) * step).fill(fill);
  padded.set(Array.from(values));
  return padded;
}

/**
 * A conv or dense filter [O][K] (OHWI being [O][KH·KW·C]) in a kernel folder's layout: int16 pairs in groups of four
 * rows for 'o4-s16-pairs' and 'o4-k2-s16', groups of four rows by 16 k for 'o4-k16', of eight rows by 4 k for 'o8-k4' (each window
 * row of `windowRow` = KW·C k padded to a multiple of 4: arm-dotprod reads windows in place, a row at a time) and
 * 'o8-k4-u8', transposed to [K][O] for the reference's 'k-major', two values a byte for the int4 layouts
 * (int4-weight-layouts.ts).
 */
export function layMatmulFilter(w: Int8Array, o: number, layout: MatmulLayout, windowRow = w.length / o): LaidOut {
  const k = w.length / o;
  if (isInt4Layout(layout)) return layInt4Filter(w, o, layout);
  if (layout === 'o8-k4' || layout === 'o8-k4-u8') {
    const run = layout === 'o8-k4' ? windowRow : k;
    const k4 = (k / run) * Math.ceil(run / 4) * 4;
    return {
      type: 'int8_t',
      data: groupsOf8By4(w, o, k, run),
      description: `[${o}][${k}] padded to [${Math.ceil(o / 8) * 8}][${k4}], groups of eight rows by 4 k`,
    };
  }
  if (layout === 'o4-k16')
    return {
      type: 'int8_t',
      data: groupsOf16(w, o, k),
      description: `[${o}][${k}] padded to [${Math.ceil(o / 8) * 8}][${Math.ceil(k / 16) * 16}], groups of four rows by 16 k`,
    };
  if (layout === 'o4-interleaved')
    return {
      type: 'int32_t',
      data: asWords(interleave4(w, o, k)),
      description: `[${o}][${k}] int8, four rows interleaved, little-endian words`,
    };
  if (layout === 'o4-s16-pairs')
    return {
      type: 'int32_t',
      data: int16Pairs4(w, o, k),
      description: `[${o}][${k}] as int16 pairs, four rows a group, K padded to a multiple of four`,
    };
  if (layout === 'o4-k2-s16')
    return {
      type: 'int32_t',
      data: int16AdjacentPairs(w, o, k),
      description: `[${o}][${k}] as int16 pairs (k, k + 1), four rows a group, K padded to even`,
    };
  const t = new Int8Array(w.length);
  for (let r = 0; r < o; r++) for (let i = 0; i < k; i++) t[i * o + r] = w[r * k + i]!;
  return { type: 'int8_t', data: t, description: `[${k}][${o}] (K × out channels)` };
}

/**
 * The folded bias (bias + input_offset·Σw) of a conv or dense filter [O][K] as the layout's kernels read it: padded
 * to its channel step, and for 'o8-k4-u8', whose kernels multiply x + 128 (unsigned bytes), less 128·Σw per channel.
 */
export function layMatmulBias(folded: Int32Array, w: Int8Array, o: number, layout: MatmulLayout): Int32Array {
  const padded = padChannels(folded, layout, 0);
  if (layout !== 'o8-k4-u8') return padded;
  const k = w.length / o;
  for (let r = 0; r < o; r++) {
    let sum = 0;
    for (let i = 0; i < k; i++) sum += w[r * k + i]!;
    padded[r] = padded[r]! - 128 * sum;
  }
  return padded;
}

/**
 * A depthwise filter [1][KH][KW][C·M] (`oc` = C·M) as 'c4-int16': per group of four output channels (the last
 * zero-padded) and per tap, the int16 pairs (w[c], w[c + 2]) and (w[c + 1], w[c + 3]); or as 'c8-fold3x3': per group
 * of eight channels (the last zero-padded) each tap's eight weights.
 */
export function layDepthwiseFilter(w: Int8Array, oc: number, layout: 'c4-int16' | 'c8-fold3x3'): LaidOut {
  const taps = w.length / oc;
  const at = (t: number, c: number) => (c < oc ? w[t * oc + c]! : 0);
  if (layout === 'c8-fold3x3') {
    const groups = Math.ceil(oc / 8);
    const bytes = new Int8Array(groups * taps * 8);
    for (let g = 0; g < groups; g++)
      for (let t = 0; t < taps; t++) for (let e = 0; e < 8; e++) bytes[(g * taps + t) * 8 + e] = at(t, 8 * g + e);
    return { type: 'int8_t', data: bytes, description: `${layout}: [${groups}][${taps}][8], eight channels a group` };
  }
  const groups = Math.ceil(oc / 4);
  const words = new Int32Array(groups * taps * 2);
  for (let g = 0; g < groups; g++) {
    for (let t = 0; t < taps; t++) {
      for (let e = 0; e < 2; e++)
        words[(g * taps + t) * 2 + e] = (at(t, 4 * g + e) & 0xffff) | (at(t, 4 * g + e + 2) << 16);
    }
  }
  return { type: 'int32_t', data: words, description: `${layout}: int16 pairs, four channels a group` };
}

/** A depthwise layer's bias + input_offset·Σw over its taps, per output channel (`oc` = C·M; no bias: zeros). */
export function foldedDepthwiseBias(
  w: Int8Array,
  oc: number,
  bias: Int32Array | undefined,
  inputOffset: number,
): Int32Array {
  const folded = Int32Array.from({ length: oc }, (_, c) => (bias ? bias[c]! : 0));
  for (let i = 0; i < w.length; i++) folded[i % oc] = folded[i % oc]! + inputOffset * w[i]!;
  return folded;
}

/**
 * (2M − 2^32, −2^(32+shift)) per channel when every channel allows the 'smmul' form (kernel-table.ts), else undefined.
 * A channel with M = 0 (TFLite's dead channels, shift 0) gets (0, 0): its output is the offset whatever the shift.
 * `fixupFreeRs` (sign-fixup.ts): each channel's R for kernels that skip the sign fix-up, in place of −2^(32+shift).
 */
export function smmulPairs(
  multipliers: ArrayLike<number>,
  shifts: ArrayLike<number>,
  fixupFreeRs?: Int32Array,
): Int32Array | undefined {
  const n = multipliers.length;
  const dead = (c: number): boolean => multipliers[c] === 0;
  for (let c = 0; c < n; c++) {
    if (!dead(c) && (multipliers[c]! < 2 ** 30 || shifts[c]! > -1 || shifts[c]! < -31)) return undefined;
  }
  const pairs = new Int32Array(2 * n);
  for (let c = 0; c < n; c++) {
    if (dead(c)) continue;
    pairs[2 * c] = multipliers[c]! * 2 - 2 ** 32;
    pairs[2 * c + 1] = fixupFreeRs ? fixupFreeRs[c]! : -(2 ** (32 + shifts[c]!));
  }
  return pairs;
}
