/**
 * @fileoverview The SIMD128 int8 matmul (pointwise conv, dense, and the rows of a regular conv): y = x · W with
 * i32x4.dot_i16x8_s, 8 MACs per instruction. Weights are laid out by the compiler in pairs of K for blocks of four
 * output channels, [⌈K/2⌉][⌈O/4⌉][4][2], so one 8-byte load sign-extended to i16x8 meets a splat of (x[2p], x[2p+1])
 * and the dot gives x[2p]·w[2p][o] + x[2p+1]·w[2p+1][o] for four outputs at once. Sixteen outputs share each pass
 * over K. The accumulators start at the folded bias (bias + input_offset·Σw), as in the C kernel.
 */
import { Expr, FunctionBuilder } from './binaryen.ts';
import { SimdRequant, narrowToInt8, requantizeV128, storeInt8Lanes, storeRequantized } from './requantize.ts';

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
  k: number;
  outC: number;
  p: { outputOffset: number; actMin: number; actMax: number };
}

/** Where accumulators are spilled for the requantizing loop: 64 bytes below the arena (addresses 0..1023 are reserved). */
export const SPILL = 512;

/** Statements computing `rows` rows from x (row stride k) into y (row stride outC). */
export function emitSimdMatmul(f: FunctionBuilder, mm: SimdMatmul, xBase: Expr, rows: number, yBase: Expr): Expr {
  const { i32x4 } = f.simd;
  const blocks = Math.ceil(mm.outC / 4);
  const pairs = Math.ceil(mm.k / 2);
  const fullGroups = Math.floor(blocks / GROUP_BLOCKS);
  const tail = blocks % GROUP_BLOCKS;
  const [r, p, grp, c, count, oc0, xr, yr, wp, xpair, tmp] = Array.from({ length: 11 }, () => f.i32());
  const acc = Array.from({ length: GROUP_BLOCKS }, () => f.v128());
  const xs = f.v128();
  const [tp, packed] = [f.i32(), f.v128()];
  /** Requantizes and stores the group's outputs: 16 at a time with SIMD, else one by one through the spill area. */
  const requantizeGroup = (n: number): Expr[] => {
    const v = mm.vector;
    if (v) {
      const lanes = Math.min(4 * n, mm.outC - (n === GROUP_BLOCKS ? 0 : fullGroups * 4 * GROUP_BLOCKS));
      return [
        tp.set(f.add(f.c(v.at), f.shl(oc0.get(), f.c(4)))),
        packed.set(narrowToInt8(f, acc.slice(0, n).map((a, j) => requantizeV128(f, a.get(), () => tp.get(), j * 64, v.rq, mm.p)))),
        ...storeInt8Lanes(f, () => f.add(yr.get(), oc0.get()), packed, lanes),
      ];
    }
    return [
      ...Array.from({ length: n }, (_, j) => f.storeV128(f.c(SPILL), acc[j].get(), j * 16)),
      count.set(f.sub(f.c(mm.outC), oc0.get())),
      count.set(f.select(f.gtS(count.get(), f.c(4 * n)), f.c(4 * n), count.get())),
      f.for(c, f.c(0), count.get(), [storeRequantized(f, f.add(yr.get(), f.add(oc0.get(), c.get())), f.load32(f.add(f.c(SPILL), f.shl(c.get(), f.c(2)))), mm.table, f.add(oc0.get(), c.get()), mm.p, tmp)]),
    ];
  };
  /** One group of `n` blocks whose first output channel is in oc0: accumulate over K, spill, requantize. */
  const group = (n: number): Expr[] => [
    ...Array.from({ length: n }, (_, j) => acc[j].set(f.loadV128(f.add(f.c(mm.bias), f.shl(oc0.get(), f.c(2))), j * 16))),
    wp.set(f.add(f.c(mm.weights), f.shl(oc0.get(), f.c(1)))),
    f.for(p, f.c(0), f.c(pairs), [
      xpair.set(f.m.i32.or(f.and(f.load8(f.add(xr.get(), f.shl(p.get(), f.c(1)))), f.c(0xffff)), f.shl(f.load8(f.add(xr.get(), f.shl(p.get(), f.c(1))), 1), f.c(16)))),
      xs.set(i32x4.splat(xpair.get())),
      ...Array.from({ length: n }, (_, j) => acc[j].set(i32x4.add(acc[j].get(), i32x4.dot_i16x8_s(f.load8x8(wp.get(), j * 8), xs.get())))),
      wp.set(f.add(wp.get(), f.c(blocks * 8))),
    ]),
    ...requantizeGroup(n),
  ];
  const perRow: Expr[] = [];
  if (fullGroups > 0) perRow.push(f.for(grp, f.c(0), f.c(fullGroups), [oc0.set(f.mul(grp.get(), f.c(4 * GROUP_BLOCKS))), ...group(GROUP_BLOCKS)]));
  if (tail > 0) perRow.push(oc0.set(f.c(fullGroups * 4 * GROUP_BLOCKS)), ...group(tail));
  return f.block([
    xr.set(xBase),
    yr.set(yBase),
    f.for(r, f.c(0), f.c(rows), [...perRow, xr.set(f.add(xr.get(), f.c(mm.k))), yr.set(f.add(yr.get(), f.c(mm.outC)))]),
  ]);
}
