/**
 * @fileoverview The 16×8 conv2d and matrix product (pointwise conv, fully connected) on SIMD128. Each output is the
 * dot product of an int16 row (an input row, or a conv's window gathered into a zero-padded patch) with its
 * channel's int8 weights widened to int16 and zero-padded to a multiple of 8: eight MACs per i32x4.dot_i16x8_s.
 * Exact as the reference's loops (compiler/reference/integer/conv.ts): a lane gains at most 2·2^15·2^7 = 2^23 a step;
 * lanes wrap as the narrow i32 accumulator does, and for a wide node at most 255 steps (MAX_WIDE_DOT_LENGTH) keep
 * every lane below 2^31 before the four are added to the i64 accumulator. Padding reads 0: the int16 zero point.
 */
import type { Window2d } from '../../../ir/window.ts';
import type { Expr, FunctionBuilder, Local } from '../emit/binaryen.ts';
import { accumulator, type MacParams, REQUANT_ROW, requantized } from '../emit/requantize-int16.ts';
import { forInBoundsTaps } from '../emit/window-taps.ts';

/** Elements a wide node's lanes take before they are added to the i64 accumulator: 255 dot steps of eight. */
const MAX_WIDE_DOT_LENGTH = 8 * 255;

const roundUp8 = (k: number) => Math.ceil(k / 8) * 8;

/** Bytes of a windowed conv's patch: the window's k int16, zero-padded to a multiple of 8. */
export function patchBytes(k: number): number {
  return 2 * roundUp8(k);
}

/** int8 weights [outC][k] as int16 rows padded with zeros to a multiple of 8 (loads past a row's end then add 0). */
export function widenedWeights(w: Int8Array, outC: number, k: number): Int16Array {
  const k8 = roundUp8(k);
  const t = new Int16Array(outC * k8);
  for (let o = 0; o < outC; o++) t.set(w.subarray(o * k, (o + 1) * k), o * k8);
  return t;
}

/** Where one SIMD MAC layer reads and writes: `rows` rows of x (a matrix product) or a conv's windows through `patch`. */
export interface SimdMacLayout {
  x: number;
  y: number;
  /** widenedWeights of the filter. */
  weights: number;
  bias?: { at: number; int64: boolean };
  table: number;
  k: number;
  outC: number;
  p: MacParams;
  shape: { rows: number } | { w: Window2d; patch: number };
}

/** Output channels a pass over the row computes: each input vector loaded feeds this many dot products. */
const CHANNELS_PER_PASS = 4;

/** Every output channel of one row at `row` (int16, k of them, readable to the next multiple of 8), stored at `yp` on. */
function emitRowDots(f: FunctionBuilder, l: SimdMacLayout, row: Local, yp: Local): Expr {
  const { i32x4, i64x2 } = f.simd;
  const i64 = f.i64ops;
  const [o, j, wp, table, channelRow, tmp] = f.i32s(6);
  const [xv, pair] = [f.v128(), f.v128()];
  const bytes = 2 * roundUp8(l.k);
  // A wide node adds its lanes into the i64 accumulator after every MAX_WIDE_DOT_LENGTH elements; lanes of a
  // narrow one wrap as its i32 accumulator does, so one pass of the whole row.
  const chunk = l.p.wide ? 2 * MAX_WIDE_DOT_LENGTH : bytes;
  const addLanes = (dots: Local, acc: Local) =>
    l.p.wide
      ? [
          pair.set(i64x2.add(i64x2.extend_low_i32x4_s(dots.get()), i64x2.extend_high_i32x4_s(dots.get()))),
          acc.set(i64.add(acc.get(), i64.add(i64x2.extract_lane(pair.get(), 0), i64x2.extract_lane(pair.get(), 1)))),
        ]
      : [
          acc.set(
            f.add(
              acc.get(),
              f.add(
                f.add(i32x4.extract_lane(dots.get(), 0), i32x4.extract_lane(dots.get(), 1)),
                f.add(i32x4.extract_lane(dots.get(), 2), i32x4.extract_lane(dots.get(), 3)),
              ),
            ),
          ),
        ];
  /** Channels o … o + n − 1: bias, the dot products over the row, the requantized outputs. */
  const pass = (n: number): Expr[] => {
    const accs = Array.from({ length: n }, () => accumulator(f, l.p.wide));
    const dots = Array.from({ length: n }, () => f.v128());
    const biasBytes = l.bias?.int64 ? 8 : 4;
    const chunks = Array.from({ length: Math.ceil(bytes / chunk) }, (_, c) => [
      ...dots.map((d) => d.set(f.i32x4Const(0))),
      f.for(
        j,
        f.c(c * chunk),
        f.c(Math.min((c + 1) * chunk, bytes)),
        [
          xv.set(f.loadV128(f.add(row.get(), j.get()))),
          ...dots.map((d, i) =>
            d.set(i32x4.add(d.get(), i32x4.dot_i16x8_s(xv.get(), f.loadV128(f.add(wp.get(), j.get()), i * bytes)))),
          ),
        ],
        16,
      ),
      ...dots.flatMap((d, i) => addLanes(d, accs[i]!.acc)),
    ]);
    return [
      wp.set(f.add(f.c(l.weights), f.mul(o.get(), f.c(bytes)))),
      table.set(f.add(f.c(l.table), f.mul(o.get(), f.c(REQUANT_ROW)))),
      ...accs.map((a, i) =>
        a.acc.set(
          l.bias
            ? a.fromBias(f.add(f.c(l.bias.at + i * biasBytes), f.mul(o.get(), f.c(biasBytes))), l.bias.int64)
            : a.zero(),
        ),
      ),
      ...chunks.flat(),
      ...accs.flatMap((a, i) => [
        channelRow.set(f.add(table.get(), f.c(i * REQUANT_ROW))),
        f.store16(yp.get(), requantized(f, a.acc, channelRow, l.p, tmp)),
        yp.set(f.add(yp.get(), f.c(2))),
      ]),
    ];
  };
  const grouped = l.outC - (l.outC % CHANNELS_PER_PASS);
  return f.block([
    f.for(o, f.c(0), f.c(grouped), pass(CHANNELS_PER_PASS), CHANNELS_PER_PASS),
    f.for(o, f.c(grouped), f.c(l.outC), pass(1)),
  ]);
}

/** The kernel's statements. */
export function emitSimdMac(f: FunctionBuilder, l: SimdMacLayout): Expr[] {
  const [row, yp] = [f.i32(), f.i32()];
  const s = l.shape;
  if ('rows' in s) {
    const r = f.i32();
    return [
      yp.set(f.c(l.y)),
      f.for(r, f.c(0), f.c(s.rows), [
        row.set(f.add(f.c(l.x), f.mul(r.get(), f.c(2 * l.k)))),
        emitRowDots(f, l, row, yp),
      ]),
    ];
  }
  const { w, patch } = s;
  const [b, oy, ox, ky, kx, iy, ix] = f.i32s(7);
  const tapBytes = 2 * w.c;
  // The window in (ky, kx, c) order, as the weights: zeroed first, since taps outside the input (and the padding
  // past k) read the zero point, 0.
  const gather = [
    f.fill(f.c(patch), f.c(0), f.c(patchBytes(l.k))),
    forInBoundsTaps(f, w, { oy, ox, ky, kx, iy, ix }, [
      f.copy(
        f.add(f.c(patch), f.mul(f.add(f.mul(ky.get(), f.c(w.kw)), kx.get()), f.c(tapBytes))),
        f.add(
          f.c(l.x),
          f.mul(f.add(f.mul(f.add(f.mul(b.get(), f.c(w.h)), iy.get()), f.c(w.w)), ix.get()), f.c(tapBytes)),
        ),
        f.c(tapBytes),
      ),
    ]),
  ];
  return [
    row.set(f.c(patch)),
    yp.set(f.c(l.y)),
    f.for(b, f.c(0), f.c(w.n), [
      f.for(oy, f.c(0), f.c(w.oh), [f.for(ox, f.c(0), f.c(w.ow), [...gather, emitRowDots(f, l, row, yp)])]),
    ]),
  ];
}
