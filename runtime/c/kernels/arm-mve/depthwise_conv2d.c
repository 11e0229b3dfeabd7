/*
 * Cortex-M55 Helium (MVE) int8 depthwise convolution, a block of up to sixteen output channels at a time over every
 * output pixel. Per block, the filter taps are copied into a small zero-padded buffer (loads then never need a
 * predicate) and the input offset is folded into the bias (bias + input_offset·Σ taps w), so interior pixels
 * multiply raw inputs with no bounds checks; border pixels read the zero point for padded taps, which keeps the fold
 * exact. Depth multiplier 1: VLDRB.S16 widens eight channels of input and filter and VMULLB/VMULLT give their even
 * and odd int32 products (MVE has no vector multiply-accumulate), so the four accumulators hold channels
 * {0,2,4,6} {1,3,5,7} {8,..,14} {9,..,15}, scattered back to place on the store. Other multipliers gather each
 * output channel's input (channel / M) four lanes at a time.
 */
#include <arm_mve.h>
#include "tinyedge/kernels.h"
#include "tinyedge/mve_requantize.h"
#include "tinyedge/depthwise.h"

#define TE_DW_LANES 16
#define TE_DW_MAX_TAPS 64 /* windows up to 8×8; larger ones take the reference arithmetic */

/* One block's filter and constants; bias, m, shift in accumulator lane order. */
typedef struct {
  int8_t w[TE_DW_MAX_TAPS][TE_DW_LANES]; /* [tap][channel], zero past the block's channels */
  int32_t bias[TE_DW_LANES], m[TE_DW_LANES], shift[TE_DW_LANES];
  mve_pred16_t stored[4]; /* lanes of real channels */
  int32_t right;          /* every shift negative: te_mve_requantize_right */
  int32_t multiplier, output_offset;
  int32x4_t lo, hi, zp32;
  int16x8_t zp16; /* the input zero point, read by padded taps */
} te_dw_block;

/* Lane 4v of the block's accumulator v, and the step between its lanes (channels 0,2,4,6 / 1,3,5,7 / 8.. / 9.. at
   multiplier 1, in order otherwise). */
#define TE_LANE_BASE(m1, v) ((m1) ? ((v) / 2) * 8 + (v) % 2 : 4 * (v))
#define TE_LANE_STEP(m1) ((m1) ? vidupq_n_u32(0, 2) : vidupq_n_u32(0, 1))

static void te_block_setup(const int8_t *w, const int32_t *bias, int32_t taps, int32_t cm, int32_t multiplier, const te_mac_params *p,
                           int32_t c0, int32_t n, te_dw_block *b) {
  const int m1 = multiplier == 1;
  const mve_pred16_t real = vctp8q((uint32_t)n);
  int32_t t, v;
  int32x4_t most = vdupq_n_s32(INT32_MIN);
  for (t = 0; t < taps; t++) vstrbq_s8(b->w[t], vldrbq_z_s8(w + t * cm + c0, real));
  for (v = 0; v < 4; v++) {
    const int32_t base = TE_LANE_BASE(m1, v);
    const uint32x4_t at = TE_LANE_STEP(m1);
    const mve_pred16_t lanes = vcmphiq_u32(vdupq_n_u32((uint32_t)n), vaddq_n_u32(at, (uint32_t)base)); /* channel < n */
    int32x4_t sum = vdupq_n_s32(0), shift;
    for (t = 0; t < taps; t++) sum = vaddq_s32(sum, vldrbq_gather_offset_s32(b->w[t] + base, at));
    sum = vmulq_n_s32(sum, p->input_offset);
    if (bias) sum = vaddq_s32(sum, vldrwq_gather_shifted_offset_z_s32(bias + c0 + base, at, lanes));
    vstrwq_s32(b->bias + 4 * v, sum);
    vstrwq_s32(b->m + 4 * v, vldrwq_gather_shifted_offset_z_s32(p->multipliers + c0 + base, at, lanes));
    shift = vpselq_s32(vldrwq_gather_shifted_offset_z_s32(p->shifts + c0 + base, at, lanes), vdupq_n_s32(-1), lanes);
    vstrwq_s32(b->shift + 4 * v, shift);
    most = vmaxq_s32(most, shift);
    b->stored[v] = lanes;
  }
  b->right = vmaxvq_s32(INT32_MIN, most) < 0;
  b->multiplier = multiplier;
  b->output_offset = p->output_offset;
  b->lo = vdupq_n_s32(p->act_min);
  b->hi = vdupq_n_s32(p->act_max);
  b->zp32 = vdupq_n_s32(-p->input_offset);
  b->zp16 = vdupq_n_s16((int16_t)(-p->input_offset));
}

/* Accumulator v (lanes 4v..4v+3 of the block) requantized and stored; `all` when every lane is a real channel. */
TE_MVE_INLINE void te_lanes_store(const te_dw_block *b, int32x4_t acc, int32_t v, int all, int8_t *y) {
  const int32_t m1 = b->multiplier == 1;
  const uint32x4_t at = TE_LANE_STEP(m1);
  const int32_t base = TE_LANE_BASE(m1, v);
  const int32x4_t m = vldrwq_s32(b->m + 4 * v), s = vldrwq_s32(b->shift + 4 * v);
  const int32x4_t r = b->right ? te_mve_requantize_right(acc, m, s, b->output_offset, b->lo, b->hi)
                               : te_mve_requantize_lanes(acc, m, s, b->output_offset, b->lo, b->hi);
  if (all) vstrbq_scatter_offset_s32(y + base, at, r);
  else vstrbq_scatter_offset_p_s32(y + base, at, r, b->stored[v]);
}

/* Where a pixel's window lies: its top-left tap (an address only dereferenced inside the input) and coordinates. */
typedef struct {
  const int8_t *x;
  int32_t iy, ix;
} te_at;

/* Whether tap (ky, kx) of the window at `at` is inside the input. */
#define TE_INSIDE(g, at, ky, kx)                                                                                  \
  ((at).iy + (ky) * (g)->dilation_h >= 0 && (at).iy + (ky) * (g)->dilation_h < (g)->h &&                        \
   (at).ix + (kx) * (g)->dilation_w >= 0 && (at).ix + (kx) * (g)->dilation_w < (g)->w)

/* Eight channels (half h of the block) of a kh × kw window at multiplier 1 into two accumulators: the even and
   odd channels. `border`: taps outside the input read the zero point; `part`: input loads are predicated. Halves
   go one after the other so the accumulators and operands fit the eight vector registers. */
TE_MVE_INLINE void te_half_m1(te_at at, const te_window *g, int32_t kh, int32_t kw, const te_dw_block *b, int32_t h, int border,
                              mve_pred16_t part, int8_t *y) {
  const int32_t row_step = g->dilation_h * g->w * g->c, col_step = g->dilation_w * g->c;
  const int8_t *wp = b->w[0] + 8 * h, *x = at.x + 8 * h;
  int32x4_t even = vldrwq_s32(b->bias + 8 * h), odd = vldrwq_s32(b->bias + 8 * h + 4);
  int32_t ky, kx;
  for (ky = 0; ky < kh; ky++) {
    const int8_t *xq = x + ky * row_step;
    for (kx = 0; kx < kw; kx++, xq += col_step, wp += TE_DW_LANES) {
      const int16x8_t wv = vldrbq_s16(wp);
      const int16x8_t xv = border && !TE_INSIDE(g, at, ky, kx) ? b->zp16 : part ? vldrbq_z_s16(xq, part) : vldrbq_s16(xq);
      even = vaddq_s32(even, vmullbq_int_s16(xv, wv));
      odd = vaddq_s32(odd, vmulltq_int_s16(xv, wv));
    }
  }
  te_lanes_store(b, even, 2 * h, !part, y);
  te_lanes_store(b, odd, 2 * h + 1, !part, y);
}

/* Depth multiplier 1, `lanes` (8 or 16) channels; `part`: the block has n < lanes channels. */
TE_MVE_INLINE void te_pixel_m1(te_at at, const te_window *g, int32_t kh, int32_t kw, const te_dw_block *b, int32_t lanes, int border,
                               int part, int32_t n, int8_t *y) {
  te_half_m1(at, g, kh, kw, b, 0, border, part ? vctp16q((uint32_t)n) : 0, y);
  if (lanes == 16) te_half_m1(at, g, kh, kw, b, 1, border, part ? vctp16q((uint32_t)(n - 8)) : 0, y);
}

/* Other multipliers, `lanes` (8 or 16): output channel o of the block reads input channel (c0 + o) / M, its offset
   from the pixel's first channel in from[o / 4]. */
TE_MVE_INLINE void te_pixel_mx(te_at at, const te_window *g, const te_dw_block *b, const uint32x4_t from[4], int32_t lanes, int border,
                               int8_t *y) {
  const int32_t row_step = g->dilation_h * g->w * g->c, col_step = g->dilation_w * g->c;
  const int8_t *wp = b->w[0];
  int32x4_t a0 = vldrwq_s32(b->bias), a1 = vldrwq_s32(b->bias + 4), a2 = a0, a3 = a1;
  int32_t ky, kx;
  if (lanes == 16) {
    a2 = vldrwq_s32(b->bias + 8);
    a3 = vldrwq_s32(b->bias + 12);
  }
  for (ky = 0; ky < g->kh; ky++) {
    const int8_t *xq = at.x + ky * row_step;
    for (kx = 0; kx < g->kw; kx++, xq += col_step, wp += TE_DW_LANES) {
      const int ok = !border || TE_INSIDE(g, at, ky, kx);
      a0 = vaddq_s32(a0, vmulq_s32(ok ? vldrbq_gather_offset_z_s32(xq, from[0], b->stored[0]) : b->zp32, vldrbq_s32(wp)));
      a1 = vaddq_s32(a1, vmulq_s32(ok ? vldrbq_gather_offset_z_s32(xq, from[1], b->stored[1]) : b->zp32, vldrbq_s32(wp + 4)));
      if (lanes == 16) {
        a2 = vaddq_s32(a2, vmulq_s32(ok ? vldrbq_gather_offset_z_s32(xq, from[2], b->stored[2]) : b->zp32, vldrbq_s32(wp + 8)));
        a3 = vaddq_s32(a3, vmulq_s32(ok ? vldrbq_gather_offset_z_s32(xq, from[3], b->stored[3]) : b->zp32, vldrbq_s32(wp + 12)));
      }
    }
  }
  te_lanes_store(b, a0, 0, 0, y);
  te_lanes_store(b, a1, 1, 0, y);
  if (lanes == 16) {
    te_lanes_store(b, a2, 2, 0, y);
    te_lanes_store(b, a3, 3, 0, y);
  }
}

/* Every output pixel of one block; `lanes` and, for 3×3 windows (the bulk of MobileNets), the interior's kh and kw
   are constants where this is inlined. */
TE_MVE_INLINE void te_block_pixels(const int8_t *x, const te_window *g, const te_dw_block *b, const uint32x4_t from[4], int32_t c0,
                                   int32_t n, int32_t lanes, int32_t kh, int32_t kw, int8_t *y) {
  const int32_t out_c = g->c * b->multiplier;
  const int part = b->multiplier == 1 && n != lanes;
  int32_t i, oy, ox;
  for (i = 0; i < g->n; i++) {
    for (oy = 0; oy < g->oh; oy++) {
      const int32_t iy = oy * g->stride_h - g->pad_top;
      const int rows_in = iy >= 0 && iy + (g->kh - 1) * g->dilation_h < g->h;
      for (ox = 0; ox < g->ow; ox++) {
        const int32_t ix = ox * g->stride_w - g->pad_left;
        const int inside = rows_in && ix >= 0 && ix + (g->kw - 1) * g->dilation_w < g->w;
        te_at at;
        int8_t *yp = y + ((i * g->oh + oy) * g->ow + ox) * out_c + c0;
        at.x = x + ((i * g->h + iy) * g->w + ix) * g->c + (b->multiplier == 1 ? c0 : 0);
        at.iy = iy;
        at.ix = ix;
        if (b->multiplier != 1) te_pixel_mx(at, g, b, from, lanes, !inside, yp);
        else if (part) te_pixel_m1(at, g, g->kh, g->kw, b, lanes, 1, 1, n, yp);
        else if (inside) te_pixel_m1(at, g, kh, kw, b, lanes, 0, 0, n, yp);
        else te_pixel_m1(at, g, g->kh, g->kw, b, lanes, 1, 0, n, yp);
      }
    }
  }
}

void te_depthwise_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g, int32_t multiplier,
                            const te_mac_params *p, int8_t *y) {
  const int32_t out_c = g->c * multiplier, taps = g->kh * g->kw;
  const int three = g->kh == 3 && g->kw == 3;
  te_dw_block b;
  int32_t c0, v, j;
  if (taps > TE_DW_MAX_TAPS) {
    int32_t i, oy, ox;
    for (i = 0; i < g->n; i++)
      for (oy = 0; oy < g->oh; oy++)
        for (ox = 0; ox < g->ow; ox++) te_depthwise_channels(x, w, bias, g, multiplier, p, i, oy, ox, 0, out_c, y + ((i * g->oh + oy) * g->ow + ox) * out_c);
    return;
  }
  for (c0 = 0; c0 < out_c; c0 += TE_DW_LANES) {
    const int32_t n = out_c - c0 < TE_DW_LANES ? out_c - c0 : TE_DW_LANES;
    uint32x4_t from[4];
    te_block_setup(w, bias, taps, out_c, multiplier, p, c0, n, &b);
    for (v = 0; v < 4; v++) {
      uint32_t o[4];
      for (j = 0; j < 4; j++) o[j] = (uint32_t)((c0 + 4 * v + j) / multiplier);
      from[v] = vld1q_u32(o);
    }
    if (n > 8) {
      if (three) te_block_pixels(x, g, &b, from, c0, n, 16, 3, 3, y);
      else te_block_pixels(x, g, &b, from, c0, n, 16, g->kh, g->kw, y);
    } else {
      if (three) te_block_pixels(x, g, &b, from, c0, n, 8, 3, 3, y);
      else te_block_pixels(x, g, &b, from, c0, n, 8, g->kh, g->kw, y);
    }
  }
}
