/*
 * tinyedge: the Helium (MVE) depthwise 3 × 3 multiplier-1 path over a ring of three padded input rows, for layers of
 * dilation 1 whose channels are a multiple of eight and whose three rows fit TE_DW3_RING_BYTES (every MLPerf Tiny
 * depthwise). Each input row is copied once into a slot laid out [C/8][cols][8]: the row's eight-channel blocks one
 * after another, the padding columns holding the zero point (rows outside the input are all zero point). In a slot a
 * window's taps are 8 bytes apart, so every tap loads at an immediate offset from one pointer per window row, the
 * weights ('c8-fold3x3', [C/8][9][8]) likewise from one pointer: a tap of two pixels is three loads and eight
 * multiply-adds (mve_depthwise3x3.h's arithmetic), with no pointer arithmetic between taps and no edge cases.
 * Copying an input row when the output row that first needs it begins reads it before any later output is written,
 * which keeps the in-place contract (kernels.h).
 */
#ifndef TINYEDGE_MVE_DEPTHWISE3X3_ROWS_H
#define TINYEDGE_MVE_DEPTHWISE3X3_ROWS_H

#include <arm_mve.h>
#include "tinyedge/kernels.h"
#include "mve_depthwise3x3.h"

/* Largest ring of three padded rows, on the stack. */
#define TE_DW3_RING_BYTES 4096

/* Columns of a slot: the left padding, the input row and the columns past it the last window reaches. */
static inline int32_t te_dw3_ring_cols(const te_window *g) {
  const int32_t end = (g->ow - 1) * g->stride_w - g->pad_left + 3; /* one past the last window's last column */
  return g->pad_left + (end > g->w ? end : g->w);
}

/* Whether a 3 × 3 multiplier-1 layer (te_dw3_folds) takes the ring of rows. */
static inline int te_dw3_rows_fit(const te_window *g) {
  return g->dilation_h == 1 && g->dilation_w == 1 && g->c % 8 == 0 && (g->stride_w == 1 || g->stride_w == 2) &&
         g->pad_left >= 0 && g->pad_top >= 0 && 3 * te_dw3_ring_cols(g) * g->c <= TE_DW3_RING_BYTES;
}

/* Input row iy into a slot of `cols` columns, block-major: a row outside the input all zero point, else only the
   input's columns (te_dw3_ring_layer set the padding columns, which no row writes, to the zero point). */
static void te_dw3_ring_fill(const int8_t *x, const te_window *g, int32_t iy, int32_t cols, int16x8_t zp, int8_t *slot) {
  const int32_t c = g->c, w = g->w;
  int32_t b, j;
  if (iy < 0 || iy >= g->h) {
    for (j = 0; j < cols * c; j += 8) vstrbq_s16(slot + j, zp);
    return;
  }
  for (b = 0, slot += 8 * g->pad_left; b < c; b += 8, slot += 8 * cols) {
    const int8_t *s = x + iy * w * c + b;
    for (j = 0; j < w; j++, s += c) vstrbq_s16(slot + 8 * j, vldrbq_s16(s));
  }
}

/* Tap (WOFF: its weights' offset) of two pixels, the first's input at ROW + XA, the second's at ROW + XB. */
#define TE_DW3_RING_TAP2(ROW, WOFF, XA, XB)                   \
  "vldrb.s16 %q[w], [%[wa], #" WOFF "]\n\t"                   \
  "vldrb.s16 %q[x], [%[" ROW "], #" XA "]\n\t" TE_DW_MAC8_ASM("e0", "o0") \
  "vldrb.s16 %q[x], [%[" ROW "], #" XB "]\n\t" TE_DW_MAC8_ASM("e1", "o1")
/* The window row of ROW (its weights from W0) for two pixels 8·stride bytes apart (stride 1 or 2). */
/* At stride 1 the second pixel's tap kx reads the column of the first's kx + 1: each of the four columns loads
   once, between the two taps that share it (seven loads a window row, not nine). */
#define TE_DW3_RING_ROW2_S1(ROW, W0, W1, W2)                                                      \
  "vldrb.s16 %q[w], [%[wa], #" W0 "]\n\tvldrb.s16 %q[x], [%[" ROW "]]\n\t" TE_DW_MAC8_ASM("e0", "o0") \
  "vldrb.s16 %q[x], [%[" ROW "], #8]\n\t" TE_DW_MAC8_ASM("e1", "o1")                               \
  "vldrb.s16 %q[w], [%[wa], #" W1 "]\n\t" TE_DW_MAC8_ASM("e0", "o0")                               \
  "vldrb.s16 %q[x], [%[" ROW "], #16]\n\t" TE_DW_MAC8_ASM("e1", "o1")                              \
  "vldrb.s16 %q[w], [%[wa], #" W2 "]\n\t" TE_DW_MAC8_ASM("e0", "o0")                               \
  "vldrb.s16 %q[x], [%[" ROW "], #24]\n\t" TE_DW_MAC8_ASM("e1", "o1")
#define TE_DW3_RING_ROW2_S2(ROW, W0, W1, W2) \
  TE_DW3_RING_TAP2(ROW, W0, "0", "16") TE_DW3_RING_TAP2(ROW, W1, "8", "24") TE_DW3_RING_TAP2(ROW, W2, "16", "32")
#define TE_DW3_RING_WINDOW2(ROW2)                                                                                  \
  ROW2("r0", "0", "8", "16") ROW2("r1", "24", "32", "40") ROW2("r2", "48", "56", "64")
/* Tap of one pixel, and its window. */
#define TE_DW3_RING_TAP1(ROW, WOFF, XA)                       \
  "vldrb.s16 %q[w], [%[wa], #" WOFF "]\n\t"                   \
  "vldrb.s16 %q[x], [%[" ROW "], #" XA "]\n\t" TE_DW_MAC8_ASM("e0", "o0")
#define TE_DW3_RING_ROW1(ROW, W0, W1, W2) \
  TE_DW3_RING_TAP1(ROW, W0, "0") TE_DW3_RING_TAP1(ROW, W1, "8") TE_DW3_RING_TAP1(ROW, W2, "16")
#define TE_DW3_RING_WINDOW1 \
  TE_DW3_RING_ROW1("r0", "0", "8", "16") TE_DW3_RING_ROW1("r1", "24", "32", "40") TE_DW3_RING_ROW1("r2", "48", "56", "64")

/* Most channels whose requantization constants te_dw3_ring_table lays out (on the stack): 12 bytes a channel. */
#define TE_DW3_TABLE_C 256

/* Per block of eight channels, the folded bias, multipliers and shifts of the even and then the odd channels, six
   vectors (96 bytes) that the block loads at immediate offsets from one pointer instead of gathering. */
static void te_dw3_ring_table(const te_dw_layer *L, int32_t *k) {
  int32_t c0, j;
  for (c0 = 0; c0 < L->out_c; c0 += 8, k += 24)
    for (j = 0; j < 8; j++) {
      const int32_t lane = (j & 1) * 4 + j / 2, c = c0 + j;
      k[lane] = L->bias ? L->bias[c] : 0;
      k[8 + lane] = L->m[c];
      k[16 + lane] = L->shift[c];
    }
}

/* The rounding right shift of mve_requantize.h (te_mve_requantize_right) on accumulator E by the shifts in q. */
#define TE_DW3_SHIFT(E)                                                               \
  "vshr.s32 %q[t], %q[" E "], #31\n\tvqadd.s32 %q[" E "], %q[" E "], %q[t]\n\t"      \
  "vrshl.s32 %q[" E "], %q[" E "], %q[q]\n\t"
/* Eight channels of E, O into int8 at Y: saturating to int16 in channel order, then the offset (saturating: a
   saturated value stays past the clamp) and the clamp on eight lanes at once, instead of four lanes twice. */
#define TE_DW3_OUT(E, O, Y)                                                                            \
  "vqmovnb.s32 %q[q], %q[" E "]\n\tvqmovnt.s32 %q[q], %q[" O "]\n\tvqadd.s16 %q[q], %q[q], %[off]\n\t" \
  "vmax.s16 %q[q], %q[q], %q[lo]\n\tvmin.s16 %q[q], %q[q], %q[hi]\n\tvstrb.16 %q[q], [%[" Y "]]\n\t"
#define TE_DW3_REQ2                                                                                       \
  "vldrw.u32 %q[q], [%[k], #32]\n\tvqrdmulh.s32 %q[e0], %q[e0], %q[q]\n\tvqrdmulh.s32 %q[e1], %q[e1], %q[q]\n\t" \
  "vldrw.u32 %q[q], [%[k], #48]\n\tvqrdmulh.s32 %q[o0], %q[o0], %q[q]\n\tvqrdmulh.s32 %q[o1], %q[o1], %q[q]\n\t" \
  "vldrw.u32 %q[q], [%[k], #64]\n\t" TE_DW3_SHIFT("e0") TE_DW3_SHIFT("e1")                                \
  "vldrw.u32 %q[q], [%[k], #80]\n\t" TE_DW3_SHIFT("o0") TE_DW3_SHIFT("o1")                                \
  TE_DW3_OUT("e0", "o0", "y0") TE_DW3_OUT("e1", "o1", "y1")
#define TE_DW3_REQ1                                                                                       \
  "vldrw.u32 %q[q], [%[k], #32]\n\tvqrdmulh.s32 %q[e0], %q[e0], %q[q]\n\t"                               \
  "vldrw.u32 %q[q], [%[k], #48]\n\tvqrdmulh.s32 %q[o0], %q[o0], %q[q]\n\t"                               \
  "vldrw.u32 %q[q], [%[k], #64]\n\t" TE_DW3_SHIFT("e0") "vldrw.u32 %q[q], [%[k], #80]\n\t" TE_DW3_SHIFT("o0") \
  TE_DW3_OUT("e0", "o0", "y0")

/* Every channel block of pixels ox (into y0) and, with `two`, ox + 1 (into y1) of the output row whose window rows
   are the slots r[0..2]; `s2`: stride 2 (else 1). `k`: te_dw3_ring_table's constants, for layers whose every shift
   is negative (`right`), requantized in the assembly; else (null) gathered. */
TE_MVE_INLINE void te_dw3_ring_pixels(const te_dw_layer *L, int right, int two, int s2, int8_t *const *r, int32_t cols, int32_t ox,
                                      const int32_t *k, int8_t *y0, int8_t *y1) {
  const uint32x4_t at = vidupq_n_u32(0, 2);
  const int32_t span = 8 * cols, out_c = L->out_c, off = L->output_offset;
  const int16x8_t lo = vdupq_n_s16((int16_t)vgetq_lane_s32(L->lo, 0)), hi = vdupq_n_s16((int16_t)vgetq_lane_s32(L->hi, 0));
  const int8_t *r0 = r[0] + 8 * (s2 ? 2 : 1) * ox, *r1 = r[1] + 8 * (s2 ? 2 : 1) * ox, *r2 = r[2] + 8 * (s2 ? 2 : 1) * ox;
  const int8_t *wa = L->w;
  int32_t c0;
  for (c0 = 0; c0 < out_c; c0 += 8, r0 += span, r1 += span, r2 += span, wa += 72, y0 += 8, y1 += 8) {
    int32x4_t e0, o0, e1, o1;
    int16x8_t x_, w_;
    int32x4_t t_;
    if (right) e0 = vldrwq_s32(k), o0 = vldrwq_s32(k + 4);
    else e0 = te_dw_bias(L, c0, at), o0 = te_dw_bias(L, c0 + 1, at);
    e1 = e0, o1 = o0;
    if (two && s2)
      __asm__(TE_DW3_RING_WINDOW2(TE_DW3_RING_ROW2_S2)
              : [e0] "+w"(e0), [o0] "+w"(o0), [e1] "+w"(e1), [o1] "+w"(o1), [x] "=&w"(x_), [w] "=&w"(w_), [t] "=&w"(t_)
              : [wa] "l"(wa), [r0] "l"(r0), [r1] "l"(r1), [r2] "l"(r2)
              : "memory");
    else if (two)
      __asm__(TE_DW3_RING_WINDOW2(TE_DW3_RING_ROW2_S1)
              : [e0] "+w"(e0), [o0] "+w"(o0), [e1] "+w"(e1), [o1] "+w"(o1), [x] "=&w"(x_), [w] "=&w"(w_), [t] "=&w"(t_)
              : [wa] "l"(wa), [r0] "l"(r0), [r1] "l"(r1), [r2] "l"(r2)
              : "memory");
    else
      __asm__(TE_DW3_RING_WINDOW1
              : [e0] "+w"(e0), [o0] "+w"(o0), [x] "=&w"(x_), [w] "=&w"(w_), [t] "=&w"(t_)
              : [wa] "l"(wa), [r0] "l"(r0), [r1] "l"(r1), [r2] "l"(r2)
              : "memory");
    if (right && two) {
      int16x8_t q_; /* volatile: the stores are its only effect */
      __asm__ volatile(TE_DW3_REQ2
              : [e0] "+w"(e0), [o0] "+w"(o0), [e1] "+w"(e1), [o1] "+w"(o1), [q] "=&w"(q_), [t] "=&w"(t_)
              : [k] "r"(k), [lo] "w"(lo), [hi] "w"(hi), [off] "r"(off), [y0] "l"(y0), [y1] "l"(y1)
              : "memory");
    } else if (right) {
      int16x8_t q_; /* volatile: the stores are its only effect */
      __asm__ volatile(TE_DW3_REQ1
              : [e0] "+w"(e0), [o0] "+w"(o0), [q] "=&w"(q_), [t] "=&w"(t_)
              : [k] "r"(k), [lo] "w"(lo), [hi] "w"(hi), [off] "r"(off), [y0] "l"(y0)
              : "memory");
    } else {
      const te_dw_consts8 kc = te_dw_consts(L, c0);
      te_dw_store8(L, 0, &kc, e0, o0, y0);
      if (two) te_dw_store8(L, 0, &kc, e1, o1, y1);
    }
    if (right) k += 24;
  }
}

/* Every output pixel in raster order, two at a time (tiles of two: kernels.h's contract), the three input rows of
   each output row in the ring (ring: 3 · te_dw3_ring_cols(g) · c bytes); `s2`: stride 2 (else 1). */
TE_MVE_INLINE void te_dw3_ring_layer(const te_dw_layer *L, int right, int s2, const int8_t *x, const te_window *g, int8_t *ring,
                                     const int32_t *k, int8_t *y) {
  const int32_t c = g->c, oh = g->oh, ow = g->ow, cols = te_dw3_ring_cols(g), slot = cols * c;
  const int16x8_t zp = vdupq_n_s16((int16_t)-L->input_offset);
  int8_t *r[3];
  int32_t held[3];
  int32_t i, oy, ox, ky, z;
  for (i = 0; i < g->n; i++, x += g->h * g->w * c) {
    held[0] = held[1] = held[2] = INT32_MIN; /* no row yet */
    for (z = 0; z < 3 * slot; z += 8) vstrbq_s16(ring + z, zp);
    for (oy = 0; oy < oh; oy++, y += ow * c) {
      for (ky = 0; ky < 3; ky++) {
        const int32_t iy = oy * g->stride_h - g->pad_top + ky, s = (iy % 3 + 3) % 3;
        r[ky] = ring + s * slot;
        if (held[s] != iy) te_dw3_ring_fill(x, g, iy, cols, zp, r[ky]), held[s] = iy;
      }
      for (ox = 0; ox + 1 < ow; ox += 2) te_dw3_ring_pixels(L, right, 1, s2, r, cols, ox, k, y + ox * c, y + (ox + 1) * c);
      if (ox < ow) te_dw3_ring_pixels(L, right, 0, s2, r, cols, ox, k, y + ox * c, y + ox * c);
    }
  }
}

#endif
