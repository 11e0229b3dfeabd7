/*
 * tinyedge: the Cortex-M4/M7 depthwise 3×3 multiplier-1 path over a ring of three padded input rows (the M55's
 * mve_depthwise3x3_rows.h for Armv7E-M): each input row is copied once into a slot laid out [C/4][cols][4], padding
 * columns and rows outside the input holding the zero point, so a window's taps sit at immediate offsets from one
 * pointer per window row. The input offset is folded into the bias once per layer (bias + offset·Σw: padding read as
 * the zero point then adds exactly nothing), so the asm multiplies raw SXTB16-unpacked x and needs no offset
 * register: that leaves eight accumulators, two output pixels per pass sharing each tap's weights (~27 loads, 36
 * SXTB16 and 72 MACs for 8 pixel-channel groups, against 70 loads and 72 SXTAB16 one pixel at a time).
 *
 * The caller (cortex-m-dsp/depthwise_conv2d.c) defines te_dw_layer and te_dw3_ring_fits' conditions; a layer whose
 * ring and folded bias exceed TE_DW_RING_BYTES keeps the pixel-by-pixel path.
 */
#ifndef TINYEDGE_ARMV7EM_DW_RING_H
#define TINYEDGE_ARMV7EM_DW_RING_H

#include "armv7em_dw_groups.h"

/* The ring and the folded bias together, on the stack. */
#define TE_DW_RING_BYTES 4096

/* Columns of a slot: the left padding, the row and what the last pair of windows reaches (an odd last pixel computes a
   discarded neighbour). */
static inline int32_t te_dw_ring_cols(const te_window *g) {
  const int32_t ow2 = (g->ow + 1) & ~1;
  const int32_t end = (ow2 - 1) * g->stride_w - g->pad_left + 3;
  return g->pad_left + (end > g->w ? end : g->w);
}

/* Whether a 3×3 multiplier-1 layer with 'smmul' constants takes the ring (its ring and folded bias fit). */
static inline int te_dw_ring_fits(const te_window *g, int32_t multiplier, const te_mac_params *p) {
  return !p->shifts && multiplier == 1 && g->kh == 3 && g->kw == 3 && g->dilation_h == 1 && g->dilation_w == 1 &&
         g->c % 4 == 0 && (g->stride_w == 1 || g->stride_w == 2) && g->pad_left >= 0 && g->pad_top >= 0 &&
         (3 * te_dw_ring_cols(g) + 4) * g->c <= TE_DW_RING_BYTES;
}

/* Input row iy (all zero point outside the input) into a slot of `cols` columns, group-major. */
static void te_dw_ring_fill(const int8_t *x, const te_window *g, int32_t iy, int32_t cols, uint32_t zp4, int8_t *slot) {
  const int32_t c = g->c, pl = g->pad_left, inside = iy >= 0 && iy < g->h;
  const int32_t from = inside ? pl : cols, to = inside ? pl + g->w : cols; /* columns [from, to) copy the input */
  uint32_t *s = (uint32_t *)(void *)slot;
  int32_t b, j;
  for (b = 0; b < c; b += 4) {
    const int8_t *xi = x + iy * g->w * c + b;
    for (j = 0; j < from; j++) *s++ = zp4;
    for (; j < to; j++, xi += c) *s++ = te_load32(xi);
    for (; j < cols; j++) *s++ = zp4;
  }
}

/* bias + input_offset·Σw per channel (the c4-int16 weights, nine taps a group of four channels). */
static void te_dw_ring_bias(const int32_t *bias, const int8_t *w, int32_t c, int32_t offset, int32_t *folded) {
  const int16_t *h = (const int16_t *)(const void *)w;
  int32_t o, t;
  for (o = 0; o < c; o += 4, h += 36) {
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (t = 0; t < 36; t += 4) {
      s0 += h[t];
      s2 += h[t + 1];
      s1 += h[t + 2];
      s3 += h[t + 3];
    }
    folded[o] = (bias ? bias[o] : 0) + offset * s0;
    folded[o + 1] = (bias ? bias[o + 1] : 0) + offset * s1;
    folded[o + 2] = (bias ? bias[o + 2] : 0) + offset * s2;
    folded[o + 3] = (bias ? bias[o + 3] : 0) + offset * s3;
  }
}

/* One tap of two pixels: weights WOFF bytes past wp, the first pixel's x XA bytes past xp, the second's XB. */
#define TE_RING_TAP(WOFF, XA, XB)                                                     \
  "ldrd %[we], %[wo], [%[wp], #" WOFF "]\n\t"                                        \
  "ldr %[xv], [%[xp], #" XA "]\n\t"                                                  \
  "sxtb16 %[xe], %[xv]\n\t"                                                          \
  "sxtb16 %[xv], %[xv], ror #8\n\t"                                                  \
  "smlabb %[a0], %[xe], %[we], %[a0]\n\t"                                            \
  "smlatt %[a2], %[xe], %[we], %[a2]\n\t"                                            \
  "smlabb %[a1], %[xv], %[wo], %[a1]\n\t"                                            \
  "smlatt %[a3], %[xv], %[wo], %[a3]\n\t"                                            \
  "ldr %[xv], [%[xp], #" XB "]\n\t"                                                  \
  "sxtb16 %[xe], %[xv]\n\t"                                                          \
  "sxtb16 %[xv], %[xv], ror #8\n\t"                                                  \
  "smlabb %[b0], %[xe], %[we], %[b0]\n\t"                                            \
  "smlatt %[b2], %[xe], %[we], %[b2]\n\t"                                            \
  "smlabb %[b1], %[xv], %[wo], %[b1]\n\t"                                            \
  "smlatt %[b3], %[xv], %[wo], %[b3]\n\t"

/* A window row (weights from tap 3r) of two pixels 4·S bytes apart in the slot. */
#define TE_RING_ROW_S1(W0, W1, W2) TE_RING_TAP(W0, "0", "4") TE_RING_TAP(W1, "4", "8") TE_RING_TAP(W2, "8", "12")
#define TE_RING_ROW_S2(W0, W1, W2) TE_RING_TAP(W0, "0", "8") TE_RING_TAP(W1, "4", "12") TE_RING_TAP(W2, "8", "16")

/* Two requantized channels (acc A and B of one channel) through the (M2, R) pair K·8 bytes past the mr stream in xv. */
#define TE_RING_RQ2(K, A, B) "ldrd %[we], %[wo], [%[xv], #" K "]\n\t" TE_RQW("%[" A "]") TE_RQW("%[" B "]")

/* The bytewise clamp of V to [LO, HI], T a scratch register. */
#define TE_RING_CLAMP(V, LO, HI, T) \
  "ssub8 %[" T "], %[" V "], %[" LO "]\n\t" \
  "sel %[" V "], %[" V "], %[" LO "]\n\t"  \
  "ssub8 %[" T "], %[" V "], %[" HI "]\n\t" \
  "sel %[" V "], %[" HI "], %[" V "]\n\t"

/* The folded bias at bp into both pixels' accumulators, the window (rows 1 and 2 at d1 and d1 + d21 bytes from row 0
   at xp), requantization, clamp and the two
   stores, with every constant and pointer but xp and wp in the frame (fourteen registers for the window). */
#define TE_RING_PASS(ROW)                                                                                        \
  __asm__ volatile("ldr %[xv], %[bp]\n\t"                                                                                 \
          "ldrd %[a0], %[a1], [%[xv]]\n\t"                                                                       \
          "ldrd %[a2], %[a3], [%[xv], #8]\n\t"                                                                   \
          "mov %[b0], %[a0]\n\t"                                                                                 \
          "mov %[b1], %[a1]\n\t"                                                                                 \
          "mov %[b2], %[a2]\n\t"                                                                                 \
          "mov %[b3], %[a3]\n\t" ROW("0", "8", "16")                                                             \
          "ldr %[we], %[d1]\n\t"                                                                                 \
          "add %[xp], %[xp], %[we]\n\t" ROW("24", "32", "40")                                                    \
          "ldr %[we], %[d21]\n\t"                                                                                \
          "add %[xp], %[xp], %[we]\n\t" ROW("48", "56", "64")                                                    \
          "ldr %[xv], %[mr]\n\t"                                                                                 \
          "ldr %[xe], %[offset]\n\t"                                                                             \
          TE_RING_RQ2("0", "a0", "b0") TE_RING_RQ2("8", "a1", "b1") TE_RING_RQ2("16", "a2", "b2")               \
          TE_RING_RQ2("24", "a3", "b3")                                                                          \
          "bfi %[a0], %[a1], #8, #8\n\t"                                                                         \
          "bfi %[a0], %[a2], #16, #8\n\t"                                                                        \
          "bfi %[a0], %[a3], #24, #8\n\t"                                                                        \
          "bfi %[b0], %[b1], #8, #8\n\t"                                                                         \
          "bfi %[b0], %[b2], #16, #8\n\t"                                                                        \
          "bfi %[b0], %[b3], #24, #8\n\t"                                                                        \
          "ldr %[a1], %[lo]\n\t"                                                                                 \
          "ldr %[a2], %[hi]\n\t"                                                                                 \
          TE_RING_CLAMP("a0", "a1", "a2", "a3") TE_RING_CLAMP("b0", "a1", "a2", "b3")                           \
          "ldr %[xv], %[y0]\n\t"                                                                                 \
          "ldr %[xe], %[y1]\n\t"                                                                                 \
          "str %[a0], [%[xv]]\n\t"                                                                               \
          "str %[b0], [%[xe]]\n\t"                                                                               \
          : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [b0] "=&r"(b0), [b1] "=&r"(b1),     \
            [b2] "=&r"(b2), [b3] "=&r"(b3), [xp] "+r"(xp), [wp] "+r"(wp), [xv] "=&r"(xv), [xe] "=&r"(xe),        \
            [we] "=&r"(we), [wo] "=&r"(wo)                                                                       \
          : [bp] "m"(bp), [d1] "m"(d1), [d21] "m"(d21), [mr] "m"(mr), [offset] "m"(offset), [lo] "m"(lo4), [hi] "m"(hi4),        \
            [y0] "m"(y0), [y1] "m"(y1)                                                                           \
          : "memory")

/* Every group of the output pixels (ox, ox + 1) of one row whose window rows are r[0..2] (the second pixel into
   `sink` past the row's end); S2: stride 2. */
static __attribute__((noinline)) void te_dw_ring_pairs(const te_dw_layer *L, const te_mac_params *p,
                                                      const int32_t *folded, int8_t *const *r, int32_t cols,
                                                      int32_t ow, int32_t s2, int8_t *y) {
  const int32_t c = L->out_c, span = 4 * cols, offset = p->output_offset;
  const int32_t d1 = (int32_t)(r[1] - r[0]), d21 = (int32_t)(r[2] - r[1]);
  const uint32_t lo4 = L->lo4, hi4 = L->hi4;
  uint32_t sink;
  int32_t ox, o;
  for (ox = 0; ox < ow; ox += 2) {
    const int8_t *x0 = r[0] + 4 * (s2 ? 2 : 1) * ox;
    int8_t *y0 = y + ox * c, *y1 = ox + 1 < ow ? y0 + c : (int8_t *)(void *)&sink;
    const int32_t *mr = p->multipliers;
    for (o = 0; o < c; o += 4, x0 += span, y0 += 4, y1 += ox + 1 < ow ? 4 : 0, mr += 8) {
      const int8_t *xp = x0;
      const int32_t *wp = (const int32_t *)(const void *)L->w + 18 * (o >> 2);
      const int32_t *bp = folded + o;
      int32_t a0, a1, a2, a3, b0, b1, b2, b3, xv, xe, we, wo;
      if (s2) TE_RING_PASS(TE_RING_ROW_S2);
      else TE_RING_PASS(TE_RING_ROW_S1);
    }
  }
}

/* Every output pixel in raster order, two at a time, the three input rows of each output row in the ring (copied when
   the first output row that needs them begins: before any later output is written). */
static __attribute__((noinline)) void te_dw_ring_layer(const int8_t *x, const te_window *g, const te_mac_params *p,
                                                       const te_dw_layer *L, int8_t *y) {
  int32_t buf[TE_DW_RING_BYTES / 4];
  const int32_t c = g->c, cols = te_dw_ring_cols(g), slot = cols * c;
  int8_t *ring = (int8_t *)(void *)(buf + c);
  const uint32_t zp4 = te_splat4_s8(-p->input_offset);
  int8_t *r[3];
  int32_t held[3], i, oy, ky;
  te_dw_ring_bias(L->bias, L->w, c, p->input_offset, buf);
  for (i = 0; i < g->n; i++, x += g->h * g->w * c) {
    held[0] = held[1] = held[2] = INT32_MIN; /* no row yet */
    for (oy = 0; oy < g->oh; oy++, y += g->ow * c) {
      for (ky = 0; ky < 3; ky++) {
        const int32_t iy = oy * g->stride_h - g->pad_top + ky, s = (iy % 3 + 3) % 3;
        r[ky] = ring + s * slot;
        if (held[s] != iy) te_dw_ring_fill(x, g, iy, cols, zp4, r[ky]), held[s] = iy;
      }
      te_dw_ring_pairs(L, p, buf, r, cols, g->ow, g->stride_w == 2, y);
    }
  }
}

#endif
