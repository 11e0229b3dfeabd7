/**
 * @fileoverview The SIMD128 int8 matmul (pointwise conv, dense, and the rows of a regular conv): y = x · W with
 * i32x4.dot_i16x8_s, 8 MACs per instruction. Weights are laid out by the compiler in pairs of K for blocks of four
 * output channels, [⌈K/2⌉][⌈O/4⌉][4][2], so one 8-byte load sign-extended to i16x8 meets a splat of (x[2p], x[2p+1])
 * and the dot gives x[2p]·w[2p][o] + x[2p+1]·w[2p+1][o] for four outputs at once. Sixteen outputs of two rows share
 * each pass over K; the two rows are first widened to int16 in a scratch buffer so a pair splats with one
 * load32_splat. The accumulators start at the folded bias (bias + input_offset·Σw), as in the C kernel.
 */
import { Expr, FunctionBuilder } from './binaryen.ts';
import { SIMD_REQUANT_BLOCK, SimdRequant, requantizeToInt8, storeInt8Lanes, storeRequantized } from './requantize.ts';

/** Outputs computed per pass over K: four i32x4 accumulators. */
const GROUP_BLOCKS = 4;

/** [O][K] int8 weights → [⌈K/2⌉][⌈O/4⌉][4][2], zero-padded. */
export function simdMatmulWeights(w: Int8Array, o: number, k: number): Int8Array {
  const pairs = Math.ceil(k / 2);
  const blocks = Math.ceil(o / 4);
  const out = new Int8Array(pairs * blocks * 8);
  for (let p = 0; p < pairs; p++) {
    for (let b = 0; b < blocks; b++) {
      for (let j = 0; j < 4; j++) {
        const oc = b * 4 + j;
        if (oc >= o) continue;
        for (let t = 0; t < 2; t++) {
          const i = 2 * p + t;
          if (i < k) out[((p * blocks + b) * 4 + j) * 2 + t] = w[oc * k + i];
        }
      }
    }
  }
  return out;
}

/** A folded-bias array padded with zeros to a multiple of four channels (whole i32x4 loads). */
export function paddedBias(bias: Int32Array): Int32Array {
  const out = new Int32Array(Math.ceil(bias.length / 4) * 4);
  out.set(bias);
  return out;
}

/** The constants of one matmul. */
export interface SimdMatmul {
  weights: number;
  bias: number;
  /** The scalar requantization table (channelRequant), used when `vector` is absent. */
  table: number;
  /** The SIMD requantization table's address and constants, when the layer's shifts allow it. */
  vector?: { at: number; rq: SimdRequant };
  /** Scratch for the rows of a pass widened to int16 (matmulWidenBytes). */
  widen: number;
  k: number;
  outC: number;
  p: { outputOffset: number; actMin: number; actMax: number };
}

/** Where accumulators are spilled for the requantizing loop: 64 bytes below the arena (addresses 0..1023 are reserved). */
export const SPILL = 512;

/** Rows computed per pass over the weights: each weight vector loaded serves both. */
const ROWS_PER_PASS = 2;

/** Bytes of one row widened to int16: K rounded up to a whole pair. */
function widenedRowBytes(k: number): number {
  return Math.ceil(k / 2) * 4;
}

/** Scratch bytes of the widened rows of one pass, and 16 for the last v128 store's overshoot. */
export function matmulWidenBytes(k: number): number {
  return ROWS_PER_PASS * widenedRowBytes(k) + 16;
}

/** Statements computing `rows` rows from x (row stride k) into y (row stride outC). */
export function emitSimdMatmul(f: FunctionBuilder, mm: SimdMatmul, xBase: Expr, rows: number, yBase: Expr): Expr {
  const { i32x4 } = f.simd;
  const blocks = Math.ceil(mm.outC / 4);
  const pairs = Math.ceil(mm.k / 2);
  // Full groups have all 16 outputs real; the rest (up to 15 channels, in up to four blocks) is the tail group.
  const fullGroups = Math.floor(mm.outC / (4 * GROUP_BLOCKS));
  const tailLanes = mm.outC - fullGroups * 4 * GROUP_BLOCKS;
  const tail = Math.ceil(tailLanes / 4);
  const [r, grp, c, oc0, xr, yr, wp, xp, xEnd, tmp] = Array.from({ length: 10 }, () => f.i32());
  const acc = Array.from({ length: ROWS_PER_PASS }, () => Array.from({ length: GROUP_BLOCKS }, () => f.v128()));
  const xs = Array.from({ length: ROWS_PER_PASS }, () => f.v128());
  const wv = Array.from({ length: GROUP_BLOCKS }, () => f.v128());
  const packed = f.v128();
  /** Requantizes and stores row `row` of the group: 16 outputs at a time with SIMD, else one by one through the spill area. */
  const requantizeGroup = (n: number, row: number, lanes: number): Expr[] => {
    const v = mm.vector;
    const dst = () => f.add(f.add(yr.get(), oc0.get()), f.c(row * mm.outC));
    if (v) {
      return [packed.set(requantizeToInt8(f, acc[row].slice(0, n).map((a) => a.get()), f.add(f.c(v.at), f.mul(oc0.get(), f.c(SIMD_REQUANT_BLOCK / 4))), v.rq, mm.p)), ...storeInt8Lanes(f, dst, packed, lanes)];
    }
    return [
      ...Array.from({ length: n }, (_, j) => f.storeV128(f.c(SPILL), acc[row][j].get(), j * 16)),
      f.for(c, f.c(0), f.c(lanes), [storeRequantized(f, f.add(dst(), c.get()), f.load32(f.add(f.c(SPILL), f.shl(c.get(), f.c(2)))), mm.table, f.add(oc0.get(), c.get()), mm.p, tmp)]),
    ];
  };
  /**
   * One group of `n` blocks whose first output channel is in oc0, for the `nRows` widened rows: accumulate over K
   * (one load32_splat gives the (x[2p], x[2p+1]) pair in every i32 lane), then requantize.
   */
  const group = (n: number, nRows: number, lanes: number): Expr[] => {
    const rowsOf = Array.from({ length: nRows }, (_, q) => q);
    const blocksOf = Array.from({ length: n }, (_, j) => j);
    return [
      ...rowsOf.flatMap((q) => blocksOf.map((j) => acc[q][j].set(f.loadV128(f.add(f.c(mm.bias), f.shl(oc0.get(), f.c(2))), j * 16)))),
      wp.set(f.add(f.c(mm.weights), f.shl(oc0.get(), f.c(1)))),
      xEnd.set(f.c(mm.widen + 4 * pairs)),
      f.for(
        xp,
        f.c(mm.widen),
        xEnd.get(),
        [
          ...rowsOf.map((q) => xs[q].set(f.load32Splat(xp.get(), q * rowBytes))),
          ...blocksOf.flatMap((j) => [wv[j].set(f.load8x8(wp.get(), j * 8)), ...rowsOf.map((q) => acc[q][j].set(i32x4.add(acc[q][j].get(), i32x4.dot_i16x8_s(wv[j].get(), xs[q].get()))))]),
          wp.set(f.add(wp.get(), f.c(blocks * 8))),
        ],
        4,
      ),
      ...rowsOf.flatMap((q) => requantizeGroup(n, q, lanes)),
    ];
  };
  const rowBytes = widenedRowBytes(mm.k);
  /** Widens the pass's rows to int16 in the scratch, eight values a step, so each (x[2p], x[2p+1]) pair splats with one load32_splat. */
  const widenRows = (nRows: number): Expr[] =>
    Array.from({ length: nRows }, (_, q) => f.for(c, f.c(0), f.c(Math.ceil(mm.k / 8) * 8), [f.storeV128(f.add(f.c(mm.widen + q * rowBytes), f.shl(c.get(), f.c(1))), f.load8x8(f.add(xr.get(), c.get()), q * mm.k))], 8));
  const pass = (nRows: number): Expr[] => [
    ...widenRows(nRows),
    ...(fullGroups > 0 ? [f.for(grp, f.c(0), f.c(fullGroups), [oc0.set(f.mul(grp.get(), f.c(4 * GROUP_BLOCKS))), ...group(GROUP_BLOCKS, nRows, 4 * GROUP_BLOCKS)])] : []),
    ...(tail > 0 ? [oc0.set(f.c(fullGroups * 4 * GROUP_BLOCKS)), ...group(tail, nRows, tailLanes)] : []),
    xr.set(f.add(xr.get(), f.c(nRows * mm.k))),
    yr.set(f.add(yr.get(), f.c(nRows * mm.outC))),
  ];
  const paired = Math.floor(rows / ROWS_PER_PASS) * ROWS_PER_PASS;
  return f.block([
    xr.set(xBase),
    yr.set(yBase),
    ...(paired > 0 ? [f.for(r, f.c(0), f.c(paired), pass(ROWS_PER_PASS), ROWS_PER_PASS)] : []),
    ...Array.from({ length: rows - paired }, () => pass(1)).flat(),
  ]);
}
