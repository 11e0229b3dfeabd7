/*
 * AArch64 NEON 16×8 MAC kernels (family int16_mac): int16 activations, int8 weights as the reference lays them out
 * (matmul and conv 'k-major' [K][out_c], depthwise 'hwc'), biases int64 or int32 (te_s16_bias), and the
 * reference's requantization (internal/mac_s16.h), so they are bit-exact with kernels/ref/int16_mac.c.
 * Eight channels at a time: per k, SXTL widens their eight weights and SMLAL/SMLAL2 by the input (by element) add
 * eight products into two int32x4 accumulators. |x·w| ≤ 2^15·2^7 = 2^22, so a lane sums at most 508 products
 * exactly (below 2^31); each chunk of 508 k is then added into int64 accumulators. The out_c % 8 last channels, and
 * depthwise layers with a multiplier or more than 508 taps, sum one channel at a time in int64.
 * p->input_offset is not read: int16 activations have zero point 0, so padded taps are zeros.
 */
#include <arm_neon.h>
#include "tinyedge/kernels.h"
#include "../internal/mac_s16.h"

/* k per int32 chunk: 508 products of at most 2^22 stay below 2^31. */
#define TE_NEON_S16_CHUNK 508

/* acc[0..8) += Σ_i x[i]·w[i·out_c + j] over n inputs, in int32 chunks of TE_NEON_S16_CHUNK k. */
static void te_neon_s16_sums8(int64_t acc[8], const int16_t *x, int32_t n, const int8_t *w, int32_t out_c) {
  while (n > 0) {
    const int32_t m = n < TE_NEON_S16_CHUNK ? n : TE_NEON_S16_CHUNK;
    int32x4_t lo = vdupq_n_s32(0), hi = vdupq_n_s32(0);
    int32_t i;
    for (i = 0; i < m; i++, w += out_c) {
      const int16x8_t w8 = vmovl_s8(vld1_s8(w));
      lo = vmlal_n_s16(lo, vget_low_s16(w8), x[i]);
      hi = vmlal_high_n_s16(hi, w8, x[i]);
    }
    acc[0] += vgetq_lane_s32(lo, 0);
    acc[1] += vgetq_lane_s32(lo, 1);
    acc[2] += vgetq_lane_s32(lo, 2);
    acc[3] += vgetq_lane_s32(lo, 3);
    acc[4] += vgetq_lane_s32(hi, 0);
    acc[5] += vgetq_lane_s32(hi, 1);
    acc[6] += vgetq_lane_s32(hi, 2);
    acc[7] += vgetq_lane_s32(hi, 3);
    x += m;
    n -= m;
  }
}

/* acc[0..len) += Σ_i x[i]·w[i·out_c + j] over n inputs, one channel at a time (the out_c % 8 tail). */
static void te_neon_s16_sums_tail(int64_t *acc, int32_t len, const int16_t *x, int32_t n, const int8_t *w,
                                  int32_t out_c) {
  int32_t i, j;
  for (i = 0; i < n; i++, w += out_c)
    for (j = 0; j < len; j++) acc[j] += (int32_t)x[i] * w[j];
}

/* acc[0..len) += the products of n inputs x against the k-major rows w (columns o0.. of out_c). */
static void te_neon_s16_accumulate(int64_t *acc, int32_t len, const int16_t *x, int32_t n, const int8_t *w,
                                   int32_t out_c) {
  int32_t j;
  for (j = 0; j + 8 <= len; j += 8) te_neon_s16_sums8(acc + j, x, n, w + j, out_c);
  if (j < len) te_neon_s16_sums_tail(acc + j, len - j, x, n, w + j, out_c);
}

void te_matmul_s16(const int16_t *x, const int8_t *w, const te_s16_bias *bias, int32_t rows, int32_t k, int32_t out_c,
                   const te_mac_params *p, int32_t wide, int16_t *y) {
  int64_t acc[TE_S16_BLOCK];
  int32_t r, o0;
  for (r = 0; r < rows; r++) {
    for (o0 = 0; o0 < out_c; o0 += TE_S16_BLOCK) {
      const int32_t len = out_c - o0 < TE_S16_BLOCK ? out_c - o0 : TE_S16_BLOCK;
      te_s16_start_block(acc, len, bias, o0);
      te_neon_s16_accumulate(acc, len, x + r * k, k, w + o0, out_c);
      te_s16_requantize_block(acc, len, o0, p, wide, y + r * out_c);
    }
  }
}

/* Windows read in place: each inside tap's c inputs against its c weight rows. */
void te_conv2d_s16(const int16_t *x, const int8_t *w, const te_s16_bias *bias, const te_window *g, int32_t out_c,
                   const te_mac_params *p, int32_t wide, int16_t *y) {
  int64_t acc[TE_S16_BLOCK];
  int32_t n, oy, ox, o0, ky, kx, k[4];
  for (n = 0; n < g->n; n++) {
    const int16_t *xn = x + n * g->h * g->w * g->c;
    for (oy = 0; oy < g->oh; oy++) {
      const int32_t iy = oy * g->stride_h - g->pad_top;
      te_s16_inside(iy, g->kh, g->dilation_h, g->h, &k[0], &k[1]);
      for (ox = 0; ox < g->ow; ox++) {
        const int32_t ix = ox * g->stride_w - g->pad_left;
        te_s16_inside(ix, g->kw, g->dilation_w, g->w, &k[2], &k[3]);
        for (o0 = 0; o0 < out_c; o0 += TE_S16_BLOCK) {
          const int32_t len = out_c - o0 < TE_S16_BLOCK ? out_c - o0 : TE_S16_BLOCK;
          te_s16_start_block(acc, len, bias, o0);
          for (ky = k[0]; ky < k[1]; ky++)
            for (kx = k[2]; kx < k[3]; kx++)
              te_neon_s16_accumulate(acc, len,
                                     xn + ((iy + ky * g->dilation_h) * g->w + ix + kx * g->dilation_w) * g->c, g->c,
                                     w + (ky * g->kw + kx) * g->c * out_c + o0, out_c);
          te_s16_requantize_block(acc, len, o0, p, wide, y);
        }
        y += out_c;
      }
    }
  }
}

/* Multiplier 1 and at most 508 taps: eight channels a tap by SMLAL/SMLAL2 into int32 lanes; else one channel at a
   time in int64. */
void te_depthwise_conv2d_s16(const int16_t *x, const int8_t *w, const te_s16_bias *bias, const te_window *g,
                             int32_t multiplier, const te_mac_params *p, int32_t wide, int16_t *y) {
  const int32_t out_c = g->c * multiplier;
  const int32_t lanes = multiplier == 1 && g->kh * g->kw <= TE_NEON_S16_CHUNK ? out_c & ~7 : 0;
  int64_t acc[TE_S16_BLOCK];
  int32_t n, oy, ox, o0, ky, kx, k[4];
  for (n = 0; n < g->n; n++) {
    const int16_t *xn = x + n * g->h * g->w * g->c;
    for (oy = 0; oy < g->oh; oy++) {
      const int32_t iy = oy * g->stride_h - g->pad_top;
      te_s16_inside(iy, g->kh, g->dilation_h, g->h, &k[0], &k[1]);
      for (ox = 0; ox < g->ow; ox++) {
        const int32_t ix = ox * g->stride_w - g->pad_left;
        te_s16_inside(ix, g->kw, g->dilation_w, g->w, &k[2], &k[3]);
        for (o0 = 0; o0 < lanes; o0 += 8) {
          int32x4_t lo = vdupq_n_s32(0), hi = vdupq_n_s32(0);
          for (ky = k[0]; ky < k[1]; ky++)
            for (kx = k[2]; kx < k[3]; kx++) {
              const int16x8_t xv =
                  vld1q_s16(xn + ((iy + ky * g->dilation_h) * g->w + ix + kx * g->dilation_w) * g->c + o0);
              const int16x8_t wv = vmovl_s8(vld1_s8(w + (ky * g->kw + kx) * out_c + o0));
              lo = vmlal_s16(lo, vget_low_s16(xv), vget_low_s16(wv));
              hi = vmlal_high_s16(hi, xv, wv);
            }
          te_s16_start_block(acc, 8, bias, o0);
          acc[0] += vgetq_lane_s32(lo, 0);
          acc[1] += vgetq_lane_s32(lo, 1);
          acc[2] += vgetq_lane_s32(lo, 2);
          acc[3] += vgetq_lane_s32(lo, 3);
          acc[4] += vgetq_lane_s32(hi, 0);
          acc[5] += vgetq_lane_s32(hi, 1);
          acc[6] += vgetq_lane_s32(hi, 2);
          acc[7] += vgetq_lane_s32(hi, 3);
          te_s16_requantize_block(acc, 8, o0, p, wide, y);
        }
        for (o0 = lanes; o0 < out_c; o0 += TE_S16_BLOCK) {
          const int32_t len = out_c - o0 < TE_S16_BLOCK ? out_c - o0 : TE_S16_BLOCK;
          te_s16_depthwise_block(acc, len, o0, xn, w, g, k, iy, ix, multiplier, bias);
          te_s16_requantize_block(acc, len, o0, p, wide, y);
        }
        y += out_c;
      }
    }
  }
}
