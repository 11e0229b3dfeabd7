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

/* Input row iy (all zero point outside the input) into a slot of `cols` columns, block-major. */
static void te_dw3_ring_fill(const int8_t *x, const te_window *g, int32_t iy, int32_t cols, int16x8_t zp, int8_t *slot) {
  const int32_t c = g->c, w = g->w, pl = g->pad_left, inside = iy >= 0 && iy < g->h;
  const int32_t from = inside ? pl : cols, to = inside ? pl + w : cols; /* columns [from, to) copy the input */
  int32_t b, j;
  for (b = 0; b < c; b += 8, slot += 8 * cols) {
    const int8_t *s = x + iy * w * c + b;
    for (j = 0; j < from; j++) vstrbq_s16(slot + 8 * j, zp);
    for (; j < to; j++, s += c) vstrbq_s16(slot + 8 * j, vldrbq_s16(s));
    for (; j < cols; j++) vstrbq_s16(slot + 8 * j, zp);
  }
}

/* Tap (WOFF: its weights' offset) of two pixels, the first's input at ROW + XA, the second's at ROW + XB. */
#define TE_DW3_RING_TAP2(ROW, WOFF, XA, XB)                   \
  "vldrb.s16 %q[w], [%[wa], #" WOFF "]\n\t"                   \
  "vldrb.s16 %q[x], [%[" ROW "], #" XA "]\n\t" TE_DW_MAC8_ASM("e0", "o0") \
  "vldrb.s16 %q[x], [%[" ROW "], #" XB "]\n\t" TE_DW_MAC8_ASM("e1", "o1")
/* The window row of ROW (its weights from W0) for two pixels 8·stride bytes apart (stride 1 or 2). */
#define TE_DW3_RING_ROW2_S1(ROW, W0, W1, W2) \
  TE_DW3_RING_TAP2(ROW, W0, "0", "8") TE_DW3_RING_TAP2(ROW, W1, "8", "16") TE_DW3_RING_TAP2(ROW, W2, "16", "24")
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

/* Every channel block of pixels ox (into y0) and, with `two`, ox + 1 (into y1) of the output row whose window rows
   are the slots r[0..2]; `s2`: stride 2 (else 1). */
TE_MVE_INLINE void te_dw3_ring_pixels(const te_dw_layer *L, int right, int two, int s2, int8_t *const *r, int32_t cols, int32_t ox,
                                      int8_t *y0, int8_t *y1) {
  const uint32x4_t at = vidupq_n_u32(0, 2);
  const int32_t span = 8 * cols;
  const int8_t *r0 = r[0] + 8 * (s2 ? 2 : 1) * ox, *r1 = r[1] + 8 * (s2 ? 2 : 1) * ox, *r2 = r[2] + 8 * (s2 ? 2 : 1) * ox;
  const int8_t *wa = L->w;
  int32_t c0;
  for (c0 = 0; c0 < L->out_c; c0 += 8, r0 += span, r1 += span, r2 += span, wa += 72) {
    int32x4_t e0 = te_dw_bias(L, c0, at), o0 = te_dw_bias(L, c0 + 1, at), e1 = e0, o1 = o0;
    int16x8_t x_, w_;
    int32x4_t t_;
    te_dw_consts8 k;
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
    k = te_dw_consts(L, c0);
    te_dw_store8(L, right, &k, e0, o0, y0 + c0);
    if (two) te_dw_store8(L, right, &k, e1, o1, y1 + c0);
  }
}

/* Every output pixel in raster order, two at a time (tiles of two: kernels.h's contract), the three input rows of
   each output row in the ring (ring: 3 · te_dw3_ring_cols(g) · c bytes); `s2`: stride 2 (else 1). */
TE_MVE_INLINE void te_dw3_ring_layer(const te_dw_layer *L, int right, int s2, const int8_t *x, const te_window *g, int8_t *ring,
                                     int8_t *y) {
  const int32_t c = g->c, oh = g->oh, ow = g->ow, cols = te_dw3_ring_cols(g), slot = cols * c;
  const int16x8_t zp = vdupq_n_s16((int16_t)-L->input_offset);
  int8_t *r[3];
  int32_t held[3];
  int32_t i, oy, ox, ky;
  for (i = 0; i < g->n; i++, x += g->h * g->w * c) {
    held[0] = held[1] = held[2] = INT32_MIN; /* no row yet */
    for (oy = 0; oy < oh; oy++, y += ow * c) {
      for (ky = 0; ky < 3; ky++) {
        const int32_t iy = oy * g->stride_h - g->pad_top + ky, s = (iy % 3 + 3) % 3;
        r[ky] = ring + s * slot;
        if (held[s] != iy) te_dw3_ring_fill(x, g, iy, cols, zp, r[ky]), held[s] = iy;
      }
      for (ox = 0; ox + 1 < ow; ox += 2) te_dw3_ring_pixels(L, right, 1, s2, r, cols, ox, y + ox * c, y + (ox + 1) * c);
      if (ox < ow) te_dw3_ring_pixels(L, right, 0, s2, r, cols, ox, y + ox * c, y + ox * c);
    }
  }
}

#endif
