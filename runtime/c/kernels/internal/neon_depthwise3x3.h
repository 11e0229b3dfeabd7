/*
 * tinyedge: the AArch64 NEON 3 × 3 depthwise tile (kernels/arm-neon): depth multiplier 1, dilation 1, channels a
 * multiple of 8, any stride and padding. A tile is up to eight output pixels of one row in raster order (the in-place
 * contract of kernels.h); per block of sixteen (or the last eight) channels the nine taps' weights are widened to
 * int16 once and stay in registers while the tile's pixels run: per tap one load, (x + input_offset) widened with
 * SADDW, four SMLAL, 16 MACs in 7 instructions. A pixel whose window crosses the border first copies its taps into a
 * local window whose padded taps hold the zero point, so (x + input_offset) = 0 there and the same code runs.
 * Overflow as in depthwise.h: nine products below 2^15 each.
 */
#ifndef TINYEDGE_NEON_DEPTHWISE3X3_H
#define TINYEDGE_NEON_DEPTHWISE3X3_H

#include <arm_neon.h>
#include "tinyedge/kernels.h"
#include "arm_requantize.h"

#define TE_DW3_TILE 8

/* Whether the 3 × 3 tiles take the layer. */
static inline int te_dw3_takes(const te_window *g, int32_t multiplier) {
  return multiplier == 1 && g->kh == 3 && g->kw == 3 && g->dilation_h == 1 && g->dilation_w == 1 && g->c % 8 == 0;
}

/* acc += (the tap's input at src + input_offset) · the tap's weights, 4·NQ channels. */
#define TE_DW3_TAP(T, src)                                                       \
  if (NQ == 4) {                                                                 \
    const int8x16_t xv = vld1q_s8(src);                                          \
    const int16x8_t xl = vaddw_s8(off, vget_low_s8(xv)), xh = vaddw_high_s8(off, xv); \
    acc[0] = vmlal_s16(acc[0], vget_low_s16(xl), vget_low_s16(wl[T]));          \
    acc[1] = vmlal_high_s16(acc[1], xl, wl[T]);                                  \
    acc[2] = vmlal_s16(acc[2], vget_low_s16(xh), vget_low_s16(wh[T]));          \
    acc[3] = vmlal_high_s16(acc[3], xh, wh[T]);                                  \
  } else {                                                                       \
    const int16x8_t xl = vaddw_s8(off, vld1_s8(src));                            \
    acc[0] = vmlal_s16(acc[0], vget_low_s16(xl), vget_low_s16(wl[T]));          \
    acc[1] = vmlal_high_s16(acc[1], xl, wl[T]);                                  \
  }

/* The nine taps at base + tap[t]. */
#define TE_DW3_TAPS(base, tap)                                                                                          \
  TE_DW3_TAP(0, (base) + (tap)[0]) TE_DW3_TAP(1, (base) + (tap)[1]) TE_DW3_TAP(2, (base) + (tap)[2])                      \
  TE_DW3_TAP(3, (base) + (tap)[3]) TE_DW3_TAP(4, (base) + (tap)[4]) TE_DW3_TAP(5, (base) + (tap)[5])                      \
  TE_DW3_TAP(6, (base) + (tap)[6]) TE_DW3_TAP(7, (base) + (tap)[7]) TE_DW3_TAP(8, (base) + (tap)[8])

/* Channels [c0, c0 + 4·NQ) of `count` pixels from (n, oy, ox0) on; y is pixel ox0's first output byte. */
static inline __attribute__((always_inline)) void te_dw3_block(const int8_t *x, const int8_t *w, const int32_t *bias,
                                                               const te_window *g, const te_mac_params *p, int32_t n,
                                                               int32_t oy, int32_t ox0, int32_t count, int32_t c0,
                                                               const int NQ, int8_t *y) {
  const int32_t c = g->c, lanes = 4 * NQ, iy0 = oy * g->stride_h - g->pad_top;
  const int rows_inside = iy0 >= 0 && iy0 + 3 <= g->h;
  const int16x8_t off = vdupq_n_s16((int16_t)p->input_offset), out_offset = vdupq_n_s16((int16_t)p->output_offset);
  const int8x16_t zero_point = vdupq_n_s8((int8_t)(-p->input_offset));
  const int8x16_t lo = vdupq_n_s8((int8_t)p->act_min), hi = vdupq_n_s8((int8_t)p->act_max);
  int16x8_t wl[9], wh[9];
  te_requant4 rq[4];
  int32_t in_tap[9], window_tap[9];
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
    in_tap[t] = ((t / 3) * g->w + t % 3) * c;
    window_tap[t] = t * lanes;
  }
  for (q = 0; q < NQ; q++) rq[q] = te_requant4_load(p->multipliers + c0 + 4 * q, p->shifts + c0 + 4 * q);
  for (ox = ox0; ox < ox0 + count; ox++) {
    const int32_t ix0 = ox * g->stride_w - g->pad_left;
    int32x4_t acc[4];
    int8x16_t v;
    for (q = 0; q < NQ; q++) acc[q] = bias ? vld1q_s32(bias + c0 + 4 * q) : vdupq_n_s32(0);
    if (rows_inside && ix0 >= 0 && ix0 + 3 <= g->w) {
      const int8_t *base = x + ((n * g->h + iy0) * g->w + ix0) * c + c0;
      TE_DW3_TAPS(base, in_tap)
    } else {
      int8_t window[9 * 16];
      for (t = 0; t < 9; t++) {
        const int32_t iy = iy0 + t / 3, ix = ix0 + t % 3;
        const int inside = iy >= 0 && iy < g->h && ix >= 0 && ix < g->w;
        const int8_t *src = x + ((n * g->h + iy) * g->w + ix) * c + c0;
        if (NQ == 4) vst1q_s8(window + t * lanes, inside ? vld1q_s8(src) : zero_point);
        else vst1_s8(window + t * lanes, inside ? vld1_s8(src) : vget_low_s8(zero_point));
      }
      TE_DW3_TAPS(window, window_tap)
    }
    if (NQ == 4) {
      v = vcombine_s8(te_offset_narrow8(te_mbqm4(acc[0], rq[0]), te_mbqm4(acc[1], rq[1]), out_offset),
                      te_offset_narrow8(te_mbqm4(acc[2], rq[2]), te_mbqm4(acc[3], rq[3]), out_offset));
      vst1q_s8(y + (ox - ox0) * c + c0, vminq_s8(vmaxq_s8(v, lo), hi));
    } else {
      const int8x8_t v8 = te_offset_narrow8(te_mbqm4(acc[0], rq[0]), te_mbqm4(acc[1], rq[1]), out_offset);
      vst1_s8(y + (ox - ox0) * c + c0, vmin_s8(vmax_s8(v8, vget_low_s8(lo)), vget_low_s8(hi)));
    }
  }
}

/* The layer (te_dw3_takes) in tiles of TE_DW3_TILE pixels of a row. */
static void te_dw3_layer(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g, const te_mac_params *p,
                         int8_t *y) {
  int32_t n, oy, ox0, c0;
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++) {
      for (ox0 = 0; ox0 < g->ow; ox0 += TE_DW3_TILE) {
        const int32_t count = g->ow - ox0 < TE_DW3_TILE ? g->ow - ox0 : TE_DW3_TILE;
        int8_t *tile = y + ((n * g->oh + oy) * g->ow + ox0) * g->c;
        for (c0 = 0; c0 + 16 <= g->c; c0 += 16) te_dw3_block(x, w, bias, g, p, n, oy, ox0, count, c0, 4, tile);
        if (c0 < g->c) te_dw3_block(x, w, bias, g, p, n, oy, ox0, count, c0, 2, tile);
      }
    }
  }
}

#endif
