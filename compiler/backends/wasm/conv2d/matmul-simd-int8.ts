/**
 * @fileoverview The SIMD128 int8 matmul (pointwise conv, dense, and the rows of a regular conv): y = x · W with
 * i32x4.dot_i16x8_s, 8 MACs per instruction. Weights are laid out by the compiler in pairs of K for blocks of four
 * output channels and widened to int16 when the module starts (WasmData.addWidened: the download stays int8; loading
 * them ready-made measured 0.96× of load8x8_s), so one v128 load meets a splat of (x[2p], x[2p+1]) and the dot gives
 * x[2p]·w[2p][o] + x[2p+1]·w[2p+1][o] for four outputs at once. Eight outputs of four rows share each pass over K,
 * reading their group's weights in one contiguous run; the rows are first widened to int16 in a scratch buffer so a
 * pair splats with one load32_splat. The accumulators start at the folded bias (bias + input_offset·Σw), as in the C
 * kernel, and go through an int32 row in the scratch, requantized a whole row per call.
 */
import type { Expr, FunctionBuilder } from '../emit/binaryen.ts';
import { accumulatorRowBytes, requantizeRow, type SimdRequant } from '../emit/requantize-int8.ts';

/** Output blocks of four channels computed per pass over K. */
const GROUP_BLOCKS = 2;

/**
 * [O][K] int8 weights → per group of GROUP_BLOCKS blocks (the last may have fewer, n), [⌈K/2⌉][n][4][2] from
 * element g·⌈K/2⌉·8·GROUP_BLOCKS, zero-padded.
 */
export function simdMatmulWeights(w: Int8Array, o: number, k: number): Int8Array {
  const pairs = Math.ceil(k / 2);
  const blocks = Math.ceil(o / 4);
  const out = new Int8Array(pairs * blocks * 8);
  for (let b = 0; b < blocks; b++) {
    const g = Math.floor(b / GROUP_BLOCKS);
    const n = Math.min(GROUP_BLOCKS, blocks - g * GROUP_BLOCKS);
    for (let p = 0; p < pairs; p++) {
      for (let j = 0; j < 4; j++) {
        const oc = b * 4 + j;
        if (oc >= o) continue;
        for (let t = 0; t < 2; t++) {
          const i = 2 * p + t;
          if (i < k)
            out[g * pairs * 8 * GROUP_BLOCKS + ((p * n + b - g * GROUP_BLOCKS) * 4 + j) * 2 + t] = w[oc * k + i]!;
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
  /** Scratch of matmulScratchBytes: the rows of a pass widened to int16, then their int32 accumulator rows. */
  scratch: number;
  k: number;
  outC: number;
  p: { outputOffset: number; actMin: number; actMax: number };
}

/**
 * Rows computed per pass over the weights: each weight vector loaded serves all four. Four rows of two
 * blocks (eight accumulators, four splats, two weight vectors) fit V8's 16 xmm registers; measured against 2×4, 3×3,
 * 4×3, 5×2, 6×2 and 8×1 on the default model, it was the fastest (0.95× of 2×4).
 */
export const ROWS_PER_PASS = 4;

/** Bytes of one row widened to int16: K rounded up to a whole pair. */
function widenedRowBytes(k: number): number {
  return Math.ceil(k / 2) * 4;
}

/** Scratch bytes of the widened rows of one pass, then of their int32 accumulator rows. */
export function matmulScratchBytes(k: number, outC: number): number {
  return widenBytes(k) + ROWS_PER_PASS * accumulatorRowBytes(outC);
}

/** Bytes of the widened rows of one pass, and 16 for the last v128 store's overshoot. */
function widenBytes(k: number): number {
  return ROWS_PER_PASS * widenedRowBytes(k) + 16;
}

/** Statements computing `rows` rows from x (row stride k) into y (row stride outC). */
export function emitSimdMatmul(f: FunctionBuilder, mm: SimdMatmul, xBase: Expr, rows: number, yBase: Expr): Expr {
  const { i32x4 } = f.simd;
  const pairs = Math.ceil(mm.k / 2);
  // Full groups have all their outputs real; the rest (fewer than 4·GROUP_BLOCKS channels) is the tail group.
  const fullGroups = Math.floor(mm.outC / (4 * GROUP_BLOCKS));
  const tail = Math.ceil((mm.outC - fullGroups * 4 * GROUP_BLOCKS) / 4);
  const [r, grp, c, oc0, xr, yr, wp, xp, xEnd] = f.i32s(9);
  const widen = mm.scratch;
  const accRows = mm.scratch + widenBytes(mm.k);
  const accRowStride = accumulatorRowBytes(mm.outC);
  const acc = Array.from({ length: ROWS_PER_PASS }, () => Array.from({ length: GROUP_BLOCKS }, () => f.v128()));
  const xs = Array.from({ length: ROWS_PER_PASS }, () => f.v128());
  const wv = Array.from({ length: GROUP_BLOCKS }, () => f.v128());
  /**
   * One group of `n` blocks whose first output channel is in oc0, for the `nRows` widened rows: accumulate over K
   * (one load32_splat gives the (x[2p], x[2p+1]) pair in every i32 lane), then store the sums in the accumulator
   * rows.
   */
  const group = (n: number, nRows: number): Expr[] => {
    const rowsOf = Array.from({ length: nRows }, (_, q) => q);
    const blocksOf = Array.from({ length: n }, (_, j) => j);
    return [
      ...rowsOf.flatMap((q) =>
        blocksOf.map((j) => acc[q]![j]!.set(f.loadV128(f.add(f.c(mm.bias), f.shl(oc0.get(), f.c(2))), j * 16))),
      ),
      wp.set(f.add(f.c(mm.weights), f.mul(oc0.get(), f.c(4 * pairs)))),
      xEnd.set(f.c(widen + 4 * pairs)),
      f.for(
        xp,
        f.c(widen),
        xEnd.get(),
        [
          ...rowsOf.map((q) => xs[q]!.set(f.load32Splat(xp.get(), q * rowBytes))),
          ...blocksOf.flatMap((j) => [
            wv[j]!.set(f.loadV128(wp.get(), j * 16)),
            ...rowsOf.map((q) =>
              acc[q]![j]!.set(i32x4.add(acc[q]![j]!.get(), i32x4.dot_i16x8_s(wv[j]!.get(), xs[q]!.get()))),
            ),
          ]),
          wp.set(f.add(wp.get(), f.c(n * 16))),
        ],
        4,
      ),
      ...rowsOf.flatMap((q) =>
        blocksOf.map((j) =>
          f.storeV128(f.add(f.c(accRows + q * accRowStride), f.shl(oc0.get(), f.c(2))), acc[q]![j]!.get(), j * 16),
        ),
      ),
    ];
  };
  const rowBytes = widenedRowBytes(mm.k);
  /** Widens the pass's rows to int16 in the scratch, eight values a step, so each (x[2p], x[2p+1]) pair splats with one load32_splat. */
  const widenRows = (nRows: number): Expr[] =>
    Array.from({ length: nRows }, (_, q) =>
      f.for(
        c,
        f.c(0),
        f.c(Math.ceil(mm.k / 8) * 8),
        [
          f.storeV128(
            f.add(f.c(widen + q * rowBytes), f.shl(c.get(), f.c(1))),
            f.load8x8(f.add(xr.get(), c.get()), q * mm.k),
          ),
        ],
        8,
      ),
    );
  const pass = (nRows: number): Expr[] => [
    ...widenRows(nRows),
    ...(fullGroups > 0
      ? [
          f.for(grp, f.c(0), f.c(fullGroups), [
            oc0.set(f.mul(grp.get(), f.c(4 * GROUP_BLOCKS))),
            ...group(GROUP_BLOCKS, nRows),
          ]),
        ]
      : []),
    ...(tail > 0 ? [oc0.set(f.c(fullGroups * 4 * GROUP_BLOCKS)), ...group(tail, nRows)] : []),
    ...Array.from({ length: nRows }, (_, q) =>
      requantizeRow(f, f.c(accRows + q * accRowStride), f.add(yr.get(), f.c(q * mm.outC)), mm.outC, mm, mm.p),
    ),
    xr.set(f.add(xr.get(), f.c(nRows * mm.k))),
    yr.set(f.add(yr.get(), f.c(nRows * mm.outC))),
  ];
  const paired = Math.floor(rows / ROWS_PER_PASS) * ROWS_PER_PASS;
  return f.block([
    xr.set(xBase),
    yr.set(yBase),
    ...(paired > 0 ? [f.for(r, f.c(0), f.c(paired), pass(ROWS_PER_PASS), ROWS_PER_PASS)] : []),
    ...(rows > paired ? pass(rows - paired) : []),
  ]);
}
