/*
 * tinyedge: the AArch64 NEON 3 × 3 depthwise tile (kernels/arm-neon): depth multiplier 1, dilation 1, channels a
 * multiple of 8, any stride and padding. A tile is up to eight output pixels of one row in raster order (the in-place
 * contract of kernels.h); per block of sixteen (or the last eight) channels the nine taps' weights are widened to
 * int16 once and stay in registers while the tile's pixels run: per tap one load, (x + input_offset) widened with
 * SADDW, four SMLAL, 16 MACs in 7 instructions. A pixel whose window crosses the border runs only its taps inside the
 * input, picked by a nine-bit mask (one test-and-branch a tap; small maps are mostly border pixels).
 * Overflow as in depthwise.h: nine products below 2^15 each.
 */
#ifndef TINYEDGE_NEON_DEPTHWISE3X3_H
#define TINYEDGE_NEON_DEPTHWISE3X3_H

#include <arm_neon.h>
#include <string.h>
#include "tinyedge/kernels.h"
#include "arm_requantize.h"

#define TE_DW3_TILE 8

/* Whether the 3 × 3 tiles take the layer. */
static inline int te_dw3_takes(const te_window *g, int32_t multiplier) {
  return multiplier == 1 && g->kh == 3 && g->kw == 3 && g->dilation_h == 1 && g->dilation_w == 1 && g->c % 8 == 0;
}

/* acc + the products of the low four lanes of a and b. SMLAL written out: through vget_low_s16, gcc keeps each
   weight's low half as a value of its own, twice the registers, and spills the weights. */
static inline int32x4_t te_smlal_low(int32x4_t acc, int16x8_t a, int16x8_t b) {
  __asm__("smlal %0.4s, %1.4h, %2.4h" : "+w"(acc) : "w"(a), "w"(b));
  return acc;
}

/* acc += (the tap's input at src + input_offset) · the tap's weights, 4·NQ channels. */
#define TE_DW3_TAP(T, src)                                                       \
  if (NQ == 4) {                                                                 \
    const int8x16_t xv = vld1q_s8(src);                                          \
    const int16x8_t xl = vaddw_s8(off, vget_low_s8(xv)), xh = vaddw_high_s8(off, xv); \
    acc[0] = te_smlal_low(acc[0], xl, wl[T]);                         \
    acc[1] = vmlal_high_s16(acc[1], xl, wl[T]);                                  \
    acc[2] = te_smlal_low(acc[2], xh, wh[T]);                         \
    acc[3] = vmlal_high_s16(acc[3], xh, wh[T]);                                  \
  } else {                                                                       \
    const int16x8_t xl = vaddw_s8(off, vld1_s8(src));                            \
    acc[0] = te_smlal_low(acc[0], xl, wl[T]);                         \
    acc[1] = vmlal_high_s16(acc[1], xl, wl[T]);                                  \
  }

/* The nine taps at base + tap[t]. */
#define TE_DW3_TAPS(base, tap)                                                                                          \
  TE_DW3_TAP(0, (base) + (tap)[0]) TE_DW3_TAP(1, (base) + (tap)[1]) TE_DW3_TAP(2, (base) + (tap)[2])                      \
  TE_DW3_TAP(3, (base) + (tap)[3]) TE_DW3_TAP(4, (base) + (tap)[4]) TE_DW3_TAP(5, (base) + (tap)[5])                      \
  TE_DW3_TAP(6, (base) + (tap)[6]) TE_DW3_TAP(7, (base) + (tap)[7]) TE_DW3_TAP(8, (base) + (tap)[8])

/* A layer's geometry in locals (int8 stores may alias anything in memory, locals they cannot): the input's
   channels, width and height, the stride and left padding, the taps' offsets from a window's first byte, and the
   output columns [ox_in, ox_end) whose windows lie inside the input's width. */
typedef struct {
  int32_t c, h, w, stride_w, pad_left, ox_in, ox_end;
  int32_t tap[9];
} te_dw3_geometry;

static const int32_t te_dw3_zero_bias[16] = {0};

/* The taps of mask9 (bit t: tap t lies inside the input) at x + (at + tap[t]); `at` may lie outside the input. */
#define TE_DW3_TAPS_MASKED(x, at, tap, mask9)                                                                          \
  if ((mask9) & 1) { TE_DW3_TAP(0, (x) + ((at) + (tap)[0])) }                                                         \
  if ((mask9) & 2) { TE_DW3_TAP(1, (x) + ((at) + (tap)[1])) }                                                         \
  if ((mask9) & 4) { TE_DW3_TAP(2, (x) + ((at) + (tap)[2])) }                                                         \
  if ((mask9) & 8) { TE_DW3_TAP(3, (x) + ((at) + (tap)[3])) }                                                         \
  if ((mask9) & 16) { TE_DW3_TAP(4, (x) + ((at) + (tap)[4])) }                                                        \
  if ((mask9) & 32) { TE_DW3_TAP(5, (x) + ((at) + (tap)[5])) }                                                        \
  if ((mask9) & 64) { TE_DW3_TAP(6, (x) + ((at) + (tap)[6])) }                                                        \
  if ((mask9) & 128) { TE_DW3_TAP(7, (x) + ((at) + (tap)[7])) }                                                       \
  if ((mask9) & 256) { TE_DW3_TAP(8, (x) + ((at) + (tap)[8])) }

/* Bit k set when index i0 + k (k < 3) lies in [0, n). */
static inline uint32_t te_dw3_inside3(int32_t i0, int32_t n) {
  return (uint32_t)(i0 >= 0 && i0 < n) | (uint32_t)(i0 + 1 >= 0 && i0 + 1 < n) << 1 | (uint32_t)(i0 + 2 >= 0 && i0 + 2 < n) << 2;
}

/* The taps (bit t of nine) whose rows iy0 + t / 3 lie in [0, h). */
static inline uint32_t te_dw3_row_mask9(int32_t iy0, int32_t h) {
  const uint32_t rows = te_dw3_inside3(iy0, h);
  return (rows & 1 ? 0x7u : 0) | (rows & 2 ? 0x38u : 0) | (rows & 4 ? 0x1c0u : 0);
}

/* The 4·NQ rescaled channels v of one pixel, offset, narrowed, clamped and stored at y. */
static inline __attribute__((always_inline)) void te_dw3_store(const int32x4_t v[4], const int NQ, const te_mac_params *p,
                                                               int8_t *y) {
  const int16x8_t out_offset = vdupq_n_s16((int16_t)p->output_offset);
  const int8x8_t v8 = te_offset_narrow8(v[0], v[1], out_offset);
  if (NQ == 4) {
    /* Both halves narrowed first, so one clamp takes sixteen lanes. */
    const int8x16_t v16 = vcombine_s8(v8, te_offset_narrow8(v[2], v[3], out_offset));
    vst1q_s8(y, vminq_s8(vmaxq_s8(v16, vdupq_n_s8((int8_t)p->act_min)), vdupq_n_s8((int8_t)p->act_max)));
  } else {
    vst1_s8(y, vmin_s8(vmax_s8(v8, vdup_n_s8((int8_t)p->act_min)), vdup_n_s8((int8_t)p->act_max)));
  }
}

/* Channels [c0, c0 + 4·NQ) of `count` pixels from (row, ox0) on (`row` the input row of the window's top, row_mask9
   the taps whose rows lie in the input: 0x1ff when all do); y is pixel ox0's first output byte. A border pixel skips
   its padded taps (they would add (zero point + input_offset)·w = 0). */
static inline __attribute__((always_inline)) void te_dw3_block(const int8_t *x, const int8_t *w, const int32_t *bias,
                                                               const te_dw3_geometry *d, const te_mac_params *p,
                                                               const int8_t *row, int32_t iy0, uint32_t row_mask9,
                                                               int32_t ox0, int32_t count, int32_t c0, const int NQ,
                                                               int right, int8_t *y) {
  const int32_t c = d->c;
  const int16x8_t off = vdupq_n_s16((int16_t)p->input_offset);
  const int32_t *b = bias ? bias + c0 : te_dw3_zero_bias;
  const int32_t *shifts = p->shifts + c0, *multipliers = p->multipliers + c0;
  int16x8_t wl[9], wh[9];
  int32_t t, q, ox;
  for (t = 0; t < 9; t++) {
    const int8_t *wt = w + t * c + c0;
    if (NQ == 4) {
      const int8x16_t wv = vld1q_s8(wt);
      wl[t] = vmovl_s8(vget_low_s8(wv));
      wh[t] = vmovl_high_s8(wv);
    } else {
      wl[t] = vmovl_s8(vld1_s8(wt));
    }
  }
  for (ox = ox0; ox < ox0 + count; ox++) {
    const int32_t ix0 = ox * d->stride_w - d->pad_left;
    int32x4_t acc[4], v[4];
    for (q = 0; q < NQ; q++) acc[q] = vld1q_s32(b + 4 * q);
    if (row_mask9 == 0x1ff && ox >= d->ox_in && ox < d->ox_end) {
      const int8_t *base = row + ix0 * c + c0;
      TE_DW3_TAPS(base, d->tap)
    } else {
      /* The column bits repeated in each row's three (·0b001001001), masked by the rows'. */
      const uint32_t mask9 = row_mask9 & te_dw3_inside3(ix0, d->w) * 73u;
      const int32_t at = (iy0 * d->w + ix0) * c + c0;
      TE_DW3_TAPS_MASKED(x, at, d->tap, mask9)
    }
    /* Loaded per pixel: kept across pixels they would push the weights out of the registers. */
    if (right)
      for (q = 0; q < NQ; q++) v[q] = te_mbqm4_right(acc[q], vld1q_s32(multipliers + 4 * q), vld1q_s32(shifts + 4 * q));
    else
      for (q = 0; q < NQ; q++) v[q] = te_mbqm4(acc[q], te_requant4_load(multipliers + 4 * q, shifts + 4 * q));
    te_dw3_store(v, NQ, p, y + (ox - ox0) * c + c0);
  }
}

/* The pairs form (every weight in [-127, 127]): taps T and T + 1 of raw inputs at XA and XB, multiplied as int8 by
   SMULL and SMLAL into int16 (two products of at most 128 · 127 fit), added to acc by SADDW; 32 MACs in 10 instructions
   for sixteen channels. */
/* SMULL and SMLAL of the low eight lanes written out: through vget_low_s8 gcc keeps each weight's low half as a
   value of its own and spills the weights (as te_smlal_low). */
#define TE_SMULL_LOW(t, a, w) __asm__("smull %0.8h, %1.8b, %2.8b" : "=w"(t) : "w"(a), "w"(w))
#define TE_SMLAL_LOW(t, a, w) __asm__("smlal %0.8h, %1.8b, %2.8b" : "+w"(t) : "w"(a), "w"(w))

/* The int16 products `lo` (channels 0..7) and `hi` (8..15) added into the int32 accumulators. */
#define TE_DWP_WIDEN2(lo)                         \
  acc[0] = vaddw_s16(acc[0], vget_low_s16(lo)); \
  acc[1] = vaddw_high_s16(acc[1], lo);
#define TE_DWP_WIDEN4(lo, hi)                     \
  TE_DWP_WIDEN2(lo)                               \
  acc[2] = vaddw_s16(acc[2], vget_low_s16(hi)); \
  acc[3] = vaddw_high_s16(acc[3], hi);

#define TE_DWP_PAIR(XA, XB, T)                                                     \
  if (NQ == 4) {                                                                   \
    const int8x16_t a = vld1q_s8(XA), b = vld1q_s8(XB);                            \
    int16x8_t lo;                                                                  \
    const int16x8_t hi = vmlal_high_s8(vmull_high_s8(a, w8[T]), b, w8[(T) + 1]);  \
    TE_SMULL_LOW(lo, a, w8[T]);                                                    \
    TE_SMLAL_LOW(lo, b, w8[(T) + 1]);                                              \
    TE_DWP_WIDEN4(lo, hi)                                                          \
  } else {                                                                         \
    int16x8_t lo;                                                                  \
    TE_SMULL_LOW(lo, vld1_s8(XA), w8[T]);                                          \
    TE_SMLAL_LOW(lo, vld1_s8(XB), w8[(T) + 1]);                                    \
    TE_DWP_WIDEN2(lo)                                                              \
  }

/* The last tap (8) alone. */
#define TE_DWP_LAST(XA)                                                            \
  if (NQ == 4) {                                                                   \
    const int8x16_t a = vld1q_s8(XA);                                              \
    const int16x8_t hi = vmull_high_s8(a, w8[8]);                                  \
    int16x8_t lo;                                                                  \
    TE_SMULL_LOW(lo, a, w8[8]);                                                    \
    TE_DWP_WIDEN4(lo, hi)                                                          \
  } else {                                                                         \
    int16x8_t lo;                                                                  \
    TE_SMULL_LOW(lo, vld1_s8(XA), w8[8]);                                          \
    TE_DWP_WIDEN2(lo)                                                              \
  }

/* The nine taps from sources SRC(t). */
#define TE_DWP_TAPS(SRC)                                                                            \
  TE_DWP_PAIR(SRC(0), SRC(1), 0) TE_DWP_PAIR(SRC(2), SRC(3), 2) TE_DWP_PAIR(SRC(4), SRC(5), 4)      \
  TE_DWP_PAIR(SRC(6), SRC(7), 6) TE_DWP_LAST(SRC(8))
#define TE_DWP_INSIDE(t) (base + tap[t])
#define TE_DWP_GATHERED(t) (src[t])

/* te_dw3_block in the pairs form: the inputs stay raw int8 and the bias takes input_offset·Σw of the nine taps, so a
   padded tap reads the zero point from `zp` (sixteen copies) and adds (zero point + input_offset)·w = 0 like the others. */
static inline __attribute__((always_inline)) void te_dw3_block_pairs(const int8_t *x, const int8_t *w, const int32_t *bias,
                                                                     const te_dw3_geometry *d, const te_mac_params *p,
                                                                     const int8_t *row, int32_t iy0, uint32_t row_mask9,
                                                                     int32_t ox0, int32_t count, int32_t c0, const int NQ,
                                                                     int right, const int8_t *zp, int8_t *y) {
  const int32_t c = d->c;
  const int32_t *b = bias ? bias + c0 : te_dw3_zero_bias;
  const int32_t *shifts = p->shifts + c0, *multipliers = p->multipliers + c0;
  int8x16_t w8[9];
  int16x8_t sum_lo, sum_hi = vdupq_n_s16(0);
  int32x4_t folded[4];
  int32_t tap[9], t, q, ox; /* the taps' offsets in locals, so int8 stores cannot make gcc reload them */
  for (t = 0; t < 9; t++) tap[t] = d->tap[t];
  for (t = 0; t < 9; t++) w8[t] = NQ == 4 ? vld1q_s8(w + t * c + c0) : vcombine_s8(vld1_s8(w + t * c + c0), vdup_n_s8(0));
  sum_lo = vmovl_s8(vget_low_s8(w8[0]));
  if (NQ == 4) sum_hi = vmovl_high_s8(w8[0]);
  for (t = 1; t < 9; t++) {
    sum_lo = vaddw_s8(sum_lo, vget_low_s8(w8[t]));
    if (NQ == 4) sum_hi = vaddw_high_s8(sum_hi, w8[t]);
  }
  folded[0] = vmlal_n_s16(vld1q_s32(b), vget_low_s16(sum_lo), (int16_t)p->input_offset);
  folded[1] = vmlal_high_n_s16(vld1q_s32(b + 4), sum_lo, (int16_t)p->input_offset);
  folded[2] = folded[3] = vdupq_n_s32(0);
  if (NQ == 4) {
    folded[2] = vmlal_n_s16(vld1q_s32(b + 8), vget_low_s16(sum_hi), (int16_t)p->input_offset);
    folded[3] = vmlal_high_n_s16(vld1q_s32(b + 12), sum_hi, (int16_t)p->input_offset);
  }
  for (ox = ox0; ox < ox0 + count; ox++) {
    const int32_t ix0 = ox * d->stride_w - d->pad_left;
    int32x4_t acc[4], v[4];
    for (q = 0; q < NQ; q++) acc[q] = folded[q];
    if (row_mask9 == 0x1ff && ox >= d->ox_in && ox < d->ox_end) {
      const int8_t *base = row + ix0 * c + c0;
      TE_DWP_TAPS(TE_DWP_INSIDE)
    } else {
      const uint32_t mask9 = row_mask9 & te_dw3_inside3(ix0, d->w) * 73u;
      const int32_t at = (iy0 * d->w + ix0) * c + c0;
      const int8_t *src[9];
      for (t = 0; t < 9; t++) src[t] = mask9 >> t & 1 ? x + (at + tap[t]) : zp;
      TE_DWP_TAPS(TE_DWP_GATHERED)
    }
    if (right)
      for (q = 0; q < NQ; q++) v[q] = te_mbqm4_right(acc[q], vld1q_s32(multipliers + 4 * q), vld1q_s32(shifts + 4 * q));
    else
      for (q = 0; q < NQ; q++) v[q] = te_mbqm4(acc[q], te_requant4_load(multipliers + 4 * q, shifts + 4 * q));
    te_dw3_store(v, NQ, p, y + (ox - ox0) * c + c0);
  }
}

/* Whether every weight of n lies in [-127, 127] (the pairs form). */
static inline int te_dw3_pairs_fit(const int8_t *w, int32_t n) {
  int8x16_t m = vdupq_n_s8(0);
  int32_t i;
  for (i = 0; i + 16 <= n; i += 16) m = vminq_s8(m, vld1q_s8(w + i));
  for (; i < n; i++)
    if (w[i] == -128) return 0;
  return vminvq_s8(m) > -128;
}

/* The layer (te_dw3_takes) in tiles of TE_DW3_TILE pixels of a row. */
static void te_dw3_layer(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g, const te_mac_params *p,
                         int8_t *y) {
  const te_mac_params params = *p; /* a local copy, for the same reason as the geometry */
  const int right = te_right_shifts_only(p->shifts, g->c), pairs = te_dw3_pairs_fit(w, 9 * g->c);
  int8_t zp[16];
  te_dw3_geometry d;
  int32_t n, oy, ox0, c0, t;
  d.c = g->c;
  d.h = g->h;
  d.w = g->w;
  d.stride_w = g->stride_w;
  d.pad_left = g->pad_left;
  /* ox·stride − pad ≥ 0 and ox·stride − pad + 3 ≤ w. */
  d.ox_in = (g->pad_left + g->stride_w - 1) / g->stride_w;
  d.ox_end = g->w - 3 + g->pad_left < 0 ? 0 : (g->w - 3 + g->pad_left) / g->stride_w + 1;
  for (t = 0; t < 9; t++) d.tap[t] = ((t / 3) * g->w + t % 3) * g->c;
  memset(zp, (int8_t)(-p->input_offset), sizeof zp);
  for (n = 0; n < g->n; n++) {
    const int8_t *image = x + n * g->h * g->w * g->c;
    for (oy = 0; oy < g->oh; oy++) {
      const int32_t iy0 = oy * g->stride_h - g->pad_top;
      const uint32_t row_mask9 = te_dw3_row_mask9(iy0, g->h);
      const int8_t *row = image + iy0 * g->w * g->c;
      for (ox0 = 0; ox0 < g->ow; ox0 += TE_DW3_TILE) {
        const int32_t count = g->ow - ox0 < TE_DW3_TILE ? g->ow - ox0 : TE_DW3_TILE;
        int8_t *tile = y + ((n * g->oh + oy) * g->ow + ox0) * g->c;
        if (pairs) {
          for (c0 = 0; c0 + 16 <= d.c; c0 += 16)
            te_dw3_block_pairs(image, w, bias, &d, &params, row, iy0, row_mask9, ox0, count, c0, 4, right, zp, tile);
          if (c0 < d.c)
            te_dw3_block_pairs(image, w, bias, &d, &params, row, iy0, row_mask9, ox0, count, c0, 2, right, zp, tile);
        } else {
          for (c0 = 0; c0 + 16 <= d.c; c0 += 16)
            te_dw3_block(image, w, bias, &d, &params, row, iy0, row_mask9, ox0, count, c0, 4, right, tile);
          if (c0 < d.c) te_dw3_block(image, w, bias, &d, &params, row, iy0, row_mask9, ox0, count, c0, 2, right, tile);
        }
      }
    }
  }
}

#endif
