/** @fileoverview Requantization in WebAssembly: TFLite's MultiplyByQuantizedMultiplier as one shared function, and the per-channel store. */
import type { Expr, FunctionBuilder, Local, WasmModule } from './binaryen.ts';

/** The shared requantization helper: mbqm(x, m, left, right), TFLite's double rounding, as te_mbqm in C. */
export function addRequantizeHelper(module: WasmModule): void {
  module.fnI32('mbqm', 4, (f) => {
    const ab = f.i64();
    const high = f.i32();
    const mask = f.i32();
    const i64 = f.i64ops;
    return [
      ab.set(f.mul64(f.shl(f.param(0), f.param(2)), f.param(1))),
      // TFLite's (ab + nudge) / 2^31 with a sign-dependent nudge and truncating division equals floor((ab + 2^30) / 2^31)
      // for either sign, so an arithmetic shift replaces the i64 division.
      high.set(f.m.i32.wrap(i64.shr_s(i64.add(ab.get(), i64.const(BigInt(1 << 30))), i64.const(31n)))),
      mask.set(f.sub(f.shl(f.c(1), f.param(3)), f.c(1))),
      f.add(
        f.shrS(high.get(), f.param(3)),
        f.gtS(f.and(high.get(), mask.get()), f.add(f.shrS(mask.get(), f.c(1)), f.ltS(high.get(), f.c(0)))),
      ),
    ];
  });
}

/** Scalar SRDHM(a, b) through the shared helper: mbqm with no shifts, equal but for INT32_MIN × INT32_MIN (callers exclude it). */
export function srdhm(f: FunctionBuilder, a: Expr, b: Expr): Expr {
  return f.callI32('mbqm', [a, b, f.c(0), f.c(0)]);
}

/** clamp(mbqm(acc, channel c's constants) + out_offset) stored as int8 at `dst`. */
export function storeRequantized(
  f: FunctionBuilder,
  dst: Expr,
  acc: Expr,
  table: number,
  channel: Expr,
  p: { outputOffset: number; actMin: number; actMax: number },
  tmp: Local,
): Expr {
  // The channel expression is used once: its table address goes through `tmp`, then tmp is reused by clamp.
  const q = f.thenValue(
    [tmp.set(f.add(f.c(table), f.mul(channel, f.c(12))))],
    f.callI32('mbqm', [acc, f.load32(tmp.get()), f.load32(tmp.get(), 4), f.load32(tmp.get(), 8)]),
  );
  return f.store8(dst, f.clamp(f.add(q, f.c(p.outputOffset)), p.actMin, p.actMax, tmp));
}

/**
 * Per-channel constants of the SIMD128 requantization, five i32x4 per block of four channels (SIMD_REQUANT_BLOCK
 * bytes): the multiplier M, 2^left, the bounds ±B on the multiplier's input x (past which the output saturates
 * anyway), and 2^(S−s) which brings every channel's right shift s to the layer's largest, S (2^(left+1) when
 * unclamped, below).
 *
 * Why that is exact: B is the least x with SRDHM(x, M) ≥ 2^s·256, so x ≥ B rounds to q ≥ 256 and x ≤ −B to q ≤ −255,
 * which saturate int8 with any zero point (and SRDHM is monotone): clamping x to ±B changes no output. It keeps |x| < 2^30, so SRDHM is
 * the high word of 2x·M + 2^31 (no i64 shift), and keeps |y| ≤ 2^(s+9) for the rest. TFLite's rounding right shift
 * by s, floor((y + 2^(s−1) − [y<0]) / 2^s), equals floor((y·2^(S−s) + 2^(S−1) − [y<0]) / 2^S) for s ≥ 1 (the two
 * numerators differ only inside one aligned block of 2^(S−s)), and for s = 0 it gives y. WebAssembly has no per-lane
 * shift, but a per-lane multiply by 2^(S−s) (at most 2^(S+9), with the rounding below 2^31) and one uniform shift by
 * S do it. Layers with S > 21, or a B of 2^30 or more, keep the scalar path (`simdRequantTable` returns undefined).
 * The output zero point rides in the rounding constant: adding zp·2^S before the shift adds exactly zp after it.
 * When the layer's weights bound every accumulator tightly enough that x·2^left stays below 2^30 and y·2^(S−s) plus
 * the rounding below 2^31 without the clamp (the usual case: `unclampedBounds`), the clamp is left out: q is then
 * TFLite's exact value, and the saturating narrowing does the rest.
 */
export interface SimdRequant {
  table: Int32Array;
  /** The layer's largest right shift S. */
  shift: number;
  /** Whether any channel shifts left (multipliers above one); most layers skip that multiply. */
  leftShift: boolean;
  /** Whether x is clamped to ±B: false when the accumulators' bounds make it a no-op for exactness. */
  clamped: boolean;
  /**
   * Whether S is FIXED_SHIFT rather than the largest s (any S ≥ every s is exact when nothing overflows): the
   * helpers then shift by a constant, which V8 emits as one instruction against four for a shift in a register.
   */
  fixedShift: boolean;
}

/** The uniform shift S of the layers whose accumulator bounds allow it (unclamped); 16 suits the default model's. */
const FIXED_SHIFT = 16;

/** Bytes of one block of four channels in the SIMD requantization table. */
export const SIMD_REQUANT_BLOCK = 80;

/** Largest S for which y·2^(S−s) cannot overflow. */
const MAX_SIMD_SHIFT = 21;

/** The least x ≥ 0 with floor((x·M + 2^30) / 2^31) ≥ 2^(right+8), i.e. ⌈(2^(right+39) − 2^30) / M⌉ (0 for M = 0). */
function saturationBound(m: number, right: number): number {
  if (m === 0) return 0;
  const num = (1n << BigInt(right + 39)) - (1n << 30n);
  return Number((num + BigInt(m) - 1n) / BigInt(m));
}

/**
 * Whether no channel needs the clamp to ±B: with |acc| ≤ `accBounds[c]`, x = acc·2^left stays below 2^30 (so 2x
 * fits an i32) and |y|·2^(S−s) plus the rounding constant (2^(S−1) + zp·2^S with |zp| ≤ 128) below 2^31.
 */
function unclampedBounds(
  multipliers: ArrayLike<number>,
  shifts: ArrayLike<number>,
  shift: number,
  accBounds: ArrayLike<number>,
): boolean {
  for (let c = 0; c < multipliers.length; c++) {
    const x = accBounds[c]! * 2 ** Math.max(shifts[c]!, 0);
    if (x >= 2 ** 30) return false;
    const y = Math.ceil((x * multipliers[c]!) / 2 ** 31) + 1;
    if (y * 2 ** (shift - Math.max(-shifts[c]!, 0)) + 2 ** (shift + 8) >= 2 ** 31) return false;
  }
  return true;
}

/**
 * The SIMD requantization table of per-channel multipliers and shifts (TFLite convention: shift > 0 is left), or
 * undefined when a channel shifts right by more than 21 or its bound B reaches 2^30. S is at least 1, which is exact
 * for s = 0 channels too (floor((2y + 1 − [y<0]) / 2) = y) and spares the helpers a special case. `accBounds`, the
 * largest |accumulator| of each channel when known, lets the helpers leave the clamp out (SimdRequant.clamped).
 */
export function simdRequantTable(
  multipliers: ArrayLike<number>,
  shifts: ArrayLike<number>,
  accBounds?: ArrayLike<number>,
): SimdRequant | undefined {
  const n = multipliers.length;
  let shift = 1;
  let leftShift = false;
  for (let c = 0; c < n; c++) {
    const s = shifts[c]!;
    shift = Math.max(shift, -s);
    leftShift ||= s > 0;
  }
  if (shift > MAX_SIMD_SHIFT) return undefined;
  const fixedShift =
    accBounds !== undefined && shift <= FIXED_SHIFT && unclampedBounds(multipliers, shifts, FIXED_SHIFT, accBounds);
  if (fixedShift) shift = FIXED_SHIFT;
  const clamped = !fixedShift && (!accBounds || !unclampedBounds(multipliers, shifts, shift, accBounds));
  const blocks = Math.ceil(n / 4);
  const table = new Int32Array((blocks * SIMD_REQUANT_BLOCK) / 4);
  for (let c = 0; c < blocks * 4; c++) {
    const base = (c >> 2) * (SIMD_REQUANT_BLOCK / 4) + (c & 3);
    const right = c < n ? Math.max(-shifts[c]!, 0) : 0;
    const bound = c < n ? saturationBound(multipliers[c]!, right) : 0;
    if (bound >= 2 ** 30) return undefined;
    table[base] = c < n ? multipliers[c]! : 0;
    table[base + 4] = 2 ** (c < n ? Math.max(shifts[c]!, 0) : 0);
    table[base + 8] = bound;
    table[base + 12] = -bound;
    table[base + 16] = 2 ** (shift - right);
  }
  // Unclamped, the doubling of x rides in the left-shift multiply: one i32x4.mul by 2^(left+1) instead of two ops.
  if (!clamped)
    for (let b = 0; b < blocks; b++) for (let j = 0; j < 4; j++) table[(b * SIMD_REQUANT_BLOCK) / 4 + 4 + j]! *= 2;
  return { table, shift, leftShift, clamped, fixedShift };
}

/** Output quantization of a layer: zero point and activation clamp. */
export interface OutputClamp {
  outputOffset: number;
  actMin: number;
  actMax: number;
}

/** Bytes of an int32 accumulator row of `count` channels: whole i32x4 blocks. */
export function accumulatorRowBytes(count: number): number {
  return Math.ceil(count / 4) * 16;
}

/**
 * Requantizes `count` int32 accumulators at `src` (a row of accumulatorRowBytes) to int8 at `dst`: through a shared
 * helper `requant_row[_left]_t{count mod 16}` (added on first use) with the SIMD table at `vector.at` and the shift S
 * as its last argument, 16 channels a step and then the compile-time tail; else channel by channel with the scalar
 * table. Kernels call it once per output row rather than once per 16 outputs, since V8 spills every live v128 around
 * a call. S is an argument, not a constant: one helper serves every shift (a variable i32x4.shr_s measured as fast),
 * and binaryen's merge-similar-functions would otherwise merge the per-shift copies behind a thunk that made a
 * layer calling them 2.6× slower.
 */
export function requantizeRow(
  f: FunctionBuilder,
  src: Expr,
  dst: Expr,
  count: number,
  rq: { table: number; vector?: { at: number; rq: SimdRequant } },
  p: OutputClamp,
): Expr {
  const v = rq.vector;
  if (!v) {
    const [c, from, to, tmp] = [f.i32(), f.i32(), f.i32(), f.i32()];
    return f.block([
      from.set(src),
      to.set(dst),
      f.for(c, f.c(0), f.c(count), [
        storeRequantized(
          f,
          f.add(to.get(), c.get()),
          f.load32(f.add(from.get(), f.shl(c.get(), f.c(2)))),
          rq.table,
          c.get(),
          p,
          tmp,
        ),
      ]),
    ]);
  }
  const full = Math.floor(count / 16);
  const tail = count % 16;
  // Most layers' activation range is all of int8 (ReLU6 lands on the output range's ends): no clamp after narrowing.
  const actClamp = p.actMin > -128 || p.actMax < 127;
  const name = `requant_row${v.rq.leftShift ? '_left' : ''}${v.rq.clamped ? '' : '_unclamped'}${v.rq.fixedShift ? '_s16' : ''}${actClamp ? '_act' : ''}_t${tail}`;
  f.module.helper(name, ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'], 'none', (h) => {
    const { i32x4, i8x16 } = h.simd;
    const [at, out, block] = [h.i32(), h.i32(), h.i32()];
    const [rounding, lo, hi, packed] = [h.v128(), h.v128(), h.v128(), h.v128()];
    /**
     * `n` requantized vectors (n = 2 or 4; vectors past `real` are zero) narrowed to int8 with saturation, then
     * clamped if the layer's activation range needs it: the saturated q + zp clamped to [act_min, act_max] is the
     * clamp of q + zp, 16 lanes at a time.
     */
    const narrowed = (n: number, real: number) => {
      const q = narrowToInt8(
        h,
        Array.from({ length: n }, (_, j) =>
          j < real
            ? requantizeVector(
                h,
                h.loadV128(at.get(), 16 * j),
                () => block.get(),
                j * SIMD_REQUANT_BLOCK,
                v.rq,
                rounding,
                () => (v.rq.fixedShift ? h.c(FIXED_SHIFT) : h.param(7)),
              )
            : h.i32x4Const(0),
        ),
      );
      return actClamp ? i8x16.min_s(i8x16.max_s(q, lo.get()), hi.get()) : q;
    };
    const vectors = Math.ceil(tail / 4);
    return [
      rounding.set(i32x4.splat(h.param(4))),
      ...(actClamp ? [lo.set(i8x16.splat(h.param(5))), hi.set(i8x16.splat(h.param(6)))] : []),
      out.set(h.param(1)),
      block.set(h.param(2)),
      h.for(
        at,
        h.param(0),
        h.param(3),
        [
          h.storeV128(out.get(), narrowed(4, 4)),
          out.set(h.add(out.get(), h.c(16))),
          block.set(h.add(block.get(), h.c(4 * SIMD_REQUANT_BLOCK))),
        ],
        64,
      ),
      ...(tail > 0
        ? [packed.set(narrowed(vectors <= 2 ? 2 : 4, vectors)), ...storeInt8Lanes(h, () => out.get(), packed, tail)]
        : []),
    ];
  });
  const base = f.i32();
  return f.block([
    base.set(src),
    f.call(name, [
      base.get(),
      dst,
      f.c(v.at),
      f.add(base.get(), f.c(64 * full)),
      f.c(2 ** (v.rq.shift - 1) + p.outputOffset * 2 ** v.rq.shift),
      f.c(p.actMin),
      f.c(p.actMax),
      f.c(v.rq.shift),
    ]),
  ]);
}

/**
 * TFLite's SaturatingRoundingDoublingHighMul lane by lane, floor((x·M + 2^30) / 2^31) (M ≥ 0 never saturates):
 * bits 31..62 of the i64 sums, shifted left by one so the high words can be picked. `x` and `m` are getters since
 * each is used twice.
 */
export function srdhmV128(f: FunctionBuilder, x: () => Expr, m: () => Expr): Expr {
  const { i64x2, i8x16 } = f.simd;
  const high = (product: Expr) => i64x2.shl(i64x2.add(product, f.i64x2Const(BigInt(1 << 30))), f.c(1));
  return i8x16.shuffle(
    high(i64x2.extmul_low_i32x4_s(x(), m())),
    high(i64x2.extmul_high_i32x4_s(x(), m())),
    [4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31],
  );
}

/** mbqm lane by lane with one multiplier and shift for all lanes (TFLite convention: shift > 0 is left). */
export function mbqmUniform(f: FunctionBuilder, x: Expr, multiplier: number, shift: number): Expr {
  const { i32x4 } = f.simd;
  const [xs, y] = [f.v128(), f.v128()];
  const right = Math.max(-shift, 0);
  const stmts = [
    xs.set(shift > 0 ? i32x4.shl(x, f.c(shift)) : x),
    y.set(
      srdhmV128(
        f,
        () => xs.get(),
        () => f.i32x4Const(multiplier),
      ),
    ),
  ];
  // Rounding right shift, ties away from zero: floor((y + 2^(s−1) − [y<0]) / 2^s).
  if (right === 0) return f.thenV128(stmts, y.get());
  return f.thenV128(
    stmts,
    i32x4.shr_s(
      i32x4.add(i32x4.add(y.get(), f.i32x4Const(2 ** (right - 1))), i32x4.shr_s(y.get(), f.c(31))),
      f.c(right),
    ),
  );
}

/** One i32x4 of q + zp from accumulators `acc`, the block's constants at `block` + `offset` (see SimdRequant), shifted right by `shift`. */
function requantizeVector(
  f: FunctionBuilder,
  acc: Expr,
  block: () => Expr,
  offset: number,
  rq: SimdRequant,
  rounding: Local,
  shift: () => Expr,
): Expr {
  const { i32x4, i64x2, i8x16 } = f.simd;
  const [x, y, m] = [f.v128(), f.v128(), f.v128()];
  // SRDHM(x, M) for |x| < 2^30: the high words of 2x·M + 2^31.
  const high = (product: Expr) => i64x2.add(product, f.i64x2Const(1n << 31n));
  return f.thenV128(
    [
      m.set(f.loadV128(block(), offset)),
      ...(rq.clamped
        ? [
            x.set(rq.leftShift ? i32x4.mul(acc, f.loadV128(block(), offset + 16)) : acc),
            x.set(
              i32x4.max_s(i32x4.min_s(x.get(), f.loadV128(block(), offset + 32)), f.loadV128(block(), offset + 48)),
            ),
            x.set(i32x4.add(x.get(), x.get())),
          ]
        : [x.set(rq.leftShift ? i32x4.mul(acc, f.loadV128(block(), offset + 16)) : i32x4.add(acc, acc))]),
      y.set(
        i8x16.shuffle(
          high(i64x2.extmul_low_i32x4_s(x.get(), m.get())),
          high(i64x2.extmul_high_i32x4_s(x.get(), m.get())),
          [4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31],
        ),
      ),
      y.set(i32x4.mul(y.get(), f.loadV128(block(), offset + 64))),
    ],
    i32x4.shr_s(i32x4.add(i32x4.add(y.get(), rounding.get()), i32x4.shr_s(y.get(), f.c(31))), shift()),
  );
}

/** Narrows two or four i32x4 to one i8x16 with signed saturation (with two, the high 8 bytes are zero). */
function narrowToInt8(f: FunctionBuilder, q: Expr[]): Expr {
  const { i16x8, i8x16 } = f.simd;
  const low = i16x8.narrow_i32x4_s(q[0]!, q[1]!);
  return i8x16.narrow_i16x8_s(low, q.length > 2 ? i16x8.narrow_i32x4_s(q[2]!, q[3]!) : f.i32x4Const(0));
}

/** Stores the first `count` bytes of the i8x16 in `v` at `dst` (compile-time count: whole vector or 8/4/2/1-byte lanes). */
export function storeInt8Lanes(f: FunctionBuilder, dst: () => Expr, v: Local, count: number): Expr[] {
  if (count === 16) return [f.storeV128(dst(), v.get())];
  const out: Expr[] = [];
  let at = 0;
  for (const width of [8, 4, 2, 1] as const) {
    if (count - at >= width) {
      out.push(f.storeLane(width, dst(), v.get(), at / width, at));
      at += width;
    }
  }
  return out;
}
