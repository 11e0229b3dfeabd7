/*
 * tinyedge: what every 16×8 MAC kernel (family int16_mac: ref, cortex-m-dsp, arm-mve, arm-neon) shares around its
 * products: the int64 accumulators' start from the bias and TFLite's requantization of them, so the fast kernels stay
 * bit-exact with the reference by calling the same code; and the fast kernels' window gather and tap clipping.
 */
#ifndef TINYEDGE_MAC_S16_H
#define TINYEDGE_MAC_S16_H

#include <stdint.h>
#include <string.h>
#include "tinyedge/kernels.h"
#include "fixed_point.h"

/* Output channels per block of accumulators on the stack. */
#define TE_S16_BLOCK 64

/* Channel c's bias (0 for none), stored int64 or int32 (te_s16_bias). */
static inline int64_t te_s16_bias_at(const te_s16_bias *bias, int32_t c) {
  if (!bias) return 0;
  return bias->narrow ? ((const int32_t *)bias->values)[c] : ((const int64_t *)bias->values)[c];
}

/* acc[j] = channel o0 + j's bias for j < len. */
static inline void te_s16_start_block(int64_t *acc, int32_t len, const te_s16_bias *bias, int32_t o0) {
  int32_t j;
  for (j = 0; j < len; j++) acc[j] = te_s16_bias_at(bias, o0 + j);
}

/* clamp(requantize(acc) + output_offset) with multiplier m and shift. A layer that is not `wide` keeps TFLite's
   int32 accumulator: the int64 sum narrowed modulo 2^32. */
static inline int16_t te_s16_requantize_one(int64_t acc, int32_t m, int32_t shift, const te_mac_params *p,
                                            int32_t wide) {
  /* The int64 result is clamped as it is, as the reference does (TFLite would narrow it to int32 first). */
  const int64_t v = (wide ? te_mbqm64(acc, m, shift) : te_mbqm((int32_t)acc, m, shift)) + p->output_offset;
  return (int16_t)(v < p->act_min ? p->act_min : v > p->act_max ? p->act_max : v);
}

/* y[o0 + j] = te_s16_requantize_one(acc[j]) with channel o0 + j's multiplier and shift. */
static inline void te_s16_requantize_block(const int64_t *acc, int32_t len, int32_t o0, const te_mac_params *p,
                                           int32_t wide, int16_t *y) {
  int32_t j;
  for (j = 0; j < len; j++) y[o0 + j] = te_s16_requantize_one(acc[j], p->multipliers[o0 + j], p->shifts[o0 + j], p, wide);
}

/* patch[0..4n) = the window of output pixel (oy, ox) at k in [4·s0, 4·(s0 + n)): each tap's c inputs where the tap
   is inside the input, zeros for padded taps and past the window's k. */
static inline void te_s16_gather(const int16_t *x, const te_window *g, int32_t oy, int32_t ox, int32_t s0, int32_t n,
                          int16_t *patch) {
  const int32_t lo = 4 * s0, hi = 4 * (s0 + n);
  int32_t ky, kx;
  memset(patch, 0, (size_t)(hi - lo) * sizeof(int16_t));
  for (ky = 0; ky < g->kh; ky++) {
    const int32_t iy = oy * g->stride_h - g->pad_top + ky * g->dilation_h;
    if (iy < 0 || iy >= g->h) continue;
    for (kx = 0; kx < g->kw; kx++) {
      const int32_t ix = ox * g->stride_w - g->pad_left + kx * g->dilation_w;
      const int32_t t0 = (ky * g->kw + kx) * g->c;
      const int32_t from = t0 > lo ? t0 : lo, to = t0 + g->c < hi ? t0 + g->c : hi;
      if (ix < 0 || ix >= g->w || from >= to) continue;
      memcpy(patch + (from - lo), x + (iy * g->w + ix) * g->c + (from - t0), (size_t)(to - from) * sizeof(int16_t));
    }
  }
}

/* The taps [k0, k1) of a window of k taps, `dilation` apart from `start`, that fall inside [0, size). */
static inline void te_s16_inside(int32_t start, int32_t k, int32_t dilation, int32_t size, int32_t *k0, int32_t *k1) {
  int32_t a = 0, b = k;
  while (a < k && start + a * dilation < 0) a++;
  while (b > a && start + (b - 1) * dilation >= size) b--;
  *k0 = a;
  *k1 = b;
}

/* acc[0..len) = bias + the depthwise window of the output pixel whose window starts at (iy, ix), over the taps
   k[0..1) × k[2..3), for output channels [o0, o0 + len) of any depth multiplier, in int64: the ISA kernels'
   one-channel-at-a-time fallback (xn: the batch item's input; w: [kh][kw][c·multiplier]). */
static inline void te_s16_depthwise_block(int64_t *acc, int32_t len, int32_t o0, const int16_t *xn, const int8_t *w,
                                          const te_window *g, const int32_t *k, int32_t iy, int32_t ix,
                                          int32_t multiplier, const te_s16_bias *bias) {
  const int32_t out_c = g->c * multiplier;
  int32_t ky, kx, j;
  te_s16_start_block(acc, len, bias, o0);
  for (ky = k[0]; ky < k[1]; ky++)
    for (kx = k[2]; kx < k[3]; kx++) {
      const int16_t *xp = xn + ((iy + ky * g->dilation_h) * g->w + ix + kx * g->dilation_w) * g->c;
      const int8_t *wp = w + (ky * g->kw + kx) * out_c + o0;
      for (j = 0; j < len; j++) acc[j] += (int32_t)xp[(o0 + j) / multiplier] * wp[j];
    }
}

#endif
