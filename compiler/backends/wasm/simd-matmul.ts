/**
 * @fileoverview The SIMD128 int8 matmul (pointwise conv, dense, and the rows of a regular conv): y = x · W with
 * i32x4.dot_i16x8_s, 8 MACs per instruction. Weights are laid out by the compiler in pairs of K for blocks of four
 * output channels, [⌈K/2⌉][⌈O/4⌉][4][2], so one 8-byte load sign-extended to i16x8 meets a splat of (x[2p], x[2p+1])
 * and the dot gives x[2p]·w[2p][o] + x[2p+1]·w[2p+1][o] for four outputs at once. Sixteen outputs share each pass
 * over K. The accumulators start at the folded bias (bias + input_offset·Σw), as in the C kernel.
 */
import { Expr, FunctionBuilder } from './binaryen.ts';
import { storeRequantized } from './requantize.ts';

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
  table: number;
  k: number;
  outC: number;
  p: { outputOffset: number; actMin: number; actMax: number };
}

/** Statements computing `rows` rows from x (row stride k) into y (row stride outC). */
export function emitSimdMatmul(f: FunctionBuilder, mm: SimdMatmul, xBase: Expr, rows: number, yBase: Expr): Expr {
  const { i32x4 } = f.simd;
  const blocks = Math.ceil(mm.outC / 4);
  const pairs = Math.ceil(mm.k / 2);
  const [r, p, xr, yr, wp, xpair, tmp] = [f.i32(), f.i32(), f.i32(), f.i32(), f.i32(), f.i32(), f.i32()];
  const acc = Array.from({ length: GROUP_BLOCKS }, () => f.v128());
  const xs = f.v128();
  const groups: Expr[] = [];
  for (let b0 = 0; b0 < blocks; b0 += GROUP_BLOCKS) {
    const n = Math.min(GROUP_BLOCKS, blocks - b0);
    const body: Expr[] = [];
    for (let j = 0; j < n; j++) body.push(acc[j].set(f.loadV128(f.c(mm.bias + (b0 + j) * 16))));
    body.push(
      wp.set(f.c(mm.weights + b0 * 8)),
      f.for(p, f.c(0), f.c(pairs), [
        xpair.set(f.m.i32.or(f.and(f.load8(f.add(xr.get(), f.shl(p.get(), f.c(1)))), f.c(0xffff)), f.shl(f.load8(f.add(xr.get(), f.shl(p.get(), f.c(1))), 1), f.c(16)))),
        xs.set(i32x4.splat(xpair.get())),
        ...Array.from({ length: n }, (_, j) => acc[j].set(i32x4.add(acc[j].get(), i32x4.dot_i16x8_s(f.load8x8(wp.get(), j * 8), xs.get())))),
        wp.set(f.add(wp.get(), f.c(blocks * 8))),
      ]),
    );
    for (let j = 0; j < n; j++) {
      for (let lane = 0; lane < 4; lane++) {
        const oc = (b0 + j) * 4 + lane;
        if (oc >= mm.outC) continue;
        body.push(storeRequantized(f, f.add(yr.get(), f.c(oc)), i32x4.extract_lane(acc[j].get(), lane), mm.table, f.c(oc), mm.p, tmp));
      }
    }
    groups.push(f.block(body));
  }
  return f.block([
    xr.set(xBase),
    yr.set(yBase),
    f.for(r, f.c(0), f.c(rows), [...groups, xr.set(f.add(xr.get(), f.c(mm.k))), yr.set(f.add(yr.get(), f.c(mm.outC)))]),
  ]);
}
