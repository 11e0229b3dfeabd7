/*
 * Reference 16×8 MAC kernels (kernel family int16_mac; TFLite's 16x8 reference_integer_ops): int16 activations,
 * int8 weights [K][out_c] ('k-major'), biases int64 or int32 (te_s16_bias), requantized as internal/mac_s16.h
 * does. Targets whose folders have no int16_mac run these.
 * MAC overflow: |x + input_offset| ≤ 2^15 and |w| ≤ 2^7, so a product fits in int32 and the int64 accumulator holds
 * 2^40 of them. A layer that is not `wide` keeps TFLite's int32 accumulator: the int64 sum is narrowed (modulo 2^32,
 * as the conversion is on every compiler tinyedge targets), which equals an int32 sum that wraps.
 */
#include "tinyedge/kernels.h"
#include "../internal/mac_s16.h"

/* acc[j] += Σ_i (x[i] + offset)·w[i·out_c + j] for j < len: n inputs against n rows of [·][out_c] weights. */
static void accumulate(int64_t *acc, int32_t len, const int16_t *x, int32_t n, int32_t offset, const int8_t *w,
                       int32_t out_c) {
  int32_t i, j;
  for (i = 0; i < n; i++) {
    const int32_t xv = x[i] + offset;
    const int8_t *wr = w + i * out_c;
    for (j = 0; j < len; j++) acc[j] += xv * wr[j];
  }
}

void te_conv2d_s16(const int16_t *x, const int8_t *w, const te_s16_bias *bias, const te_window *g, int32_t out_c,
                   const te_mac_params *p, int32_t wide, int16_t *y) {
  int64_t acc[TE_S16_BLOCK];
  int32_t n, oy, ox, o0, ky, kx;
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++) {
      for (ox = 0; ox < g->ow; ox++) {
        for (o0 = 0; o0 < out_c; o0 += TE_S16_BLOCK) {
          const int32_t len = out_c - o0 < TE_S16_BLOCK ? out_c - o0 : TE_S16_BLOCK;
          te_s16_start_block(acc, len, bias, o0);
          for (ky = 0; ky < g->kh; ky++) {
            const int32_t iy = oy * g->stride_h - g->pad_top + ky * g->dilation_h;
            if (iy < 0 || iy >= g->h) continue;
            for (kx = 0; kx < g->kw; kx++) {
              const int32_t ix = ox * g->stride_w - g->pad_left + kx * g->dilation_w;
              if (ix < 0 || ix >= g->w) continue;
              accumulate(acc, len, x + ((n * g->h + iy) * g->w + ix) * g->c, g->c, p->input_offset,
                         w + (ky * g->kw + kx) * g->c * out_c + o0, out_c);
            }
          }
          te_s16_requantize_block(acc, len, o0, p, wide, y);
        }
        y += out_c;
      }
    }
  }
}

void te_matmul_s16(const int16_t *x, const int8_t *w, const te_s16_bias *bias, int32_t rows, int32_t k, int32_t out_c,
                   const te_mac_params *p, int32_t wide, int16_t *y) {
  int64_t acc[TE_S16_BLOCK];
  int32_t r, o0;
  for (r = 0; r < rows; r++) {
    for (o0 = 0; o0 < out_c; o0 += TE_S16_BLOCK) {
      const int32_t len = out_c - o0 < TE_S16_BLOCK ? out_c - o0 : TE_S16_BLOCK;
      te_s16_start_block(acc, len, bias, o0);
      accumulate(acc, len, x + r * k, k, p->input_offset, w + o0, out_c);
      te_s16_requantize_block(acc, len, o0, p, wide, y + r * out_c);
    }
  }
}

void te_depthwise_conv2d_s16(const int16_t *x, const int8_t *w, const te_s16_bias *bias, const te_window *g,
                             int32_t multiplier, const te_mac_params *p, int32_t wide, int16_t *y) {
  const int32_t out_c = g->c * multiplier;
  int64_t acc[TE_S16_BLOCK];
  int32_t n, oy, ox, b, ky, kx, j;
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++) {
      for (ox = 0; ox < g->ow; ox++) {
        for (b = 0; b < out_c; b += TE_S16_BLOCK) {
          const int32_t len = out_c - b < TE_S16_BLOCK ? out_c - b : TE_S16_BLOCK;
          te_s16_start_block(acc, len, bias, b);
          for (ky = 0; ky < g->kh; ky++) {
            const int32_t iy = oy * g->stride_h - g->pad_top + ky * g->dilation_h;
            if (iy < 0 || iy >= g->h) continue;
            for (kx = 0; kx < g->kw; kx++) {
              const int32_t ix = ox * g->stride_w - g->pad_left + kx * g->dilation_w;
              const int16_t *xp = x + ((n * g->h + iy) * g->w + ix) * g->c;
              const int8_t *wp = w + (ky * g->kw + kx) * out_c + b;
              if (ix < 0 || ix >= g->w) continue;
              for (j = 0; j < len; j++) acc[j] += (int32_t)(xp[(b + j) / multiplier] + p->input_offset) * wp[j];
            }
          }
          te_s16_requantize_block(acc, len, b, p, wide, y);
        }
        y += out_c;
      }
    }
  }
}

