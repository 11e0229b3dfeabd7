/*
 * Reference 16×8 kernels (TFLite's 16x8 reference_integer_ops): int16 activations (zero point 0), int8 weights,
 * int64 biases. Every target runs these, whatever its ISA folders. The elementwise, pooling, pad and requantizing
 * kernels are the int8 ones' loops over int16 with the same per-element formulas (kernels/internal/element_ops.h);
 * then the MACs and TFLite's SoftmaxInt16.
 * MAC overflow: |x + input_offset| ≤ 2^15 and |w| ≤ 2^7, so a product fits in int32 and the int64 accumulator holds
 * 2^40 of them. A layer that is not `wide` keeps TFLite's int32 accumulator: the int64 sum is narrowed (modulo 2^32,
 * as the conversion is on every compiler tinyedge targets), which equals an int32 sum that wraps.
 */
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/element_ops.h"

/* Output channels per block of accumulators on the stack. */
#define TE_S16_BLOCK 64

void te_add_s16(const int16_t *a, const int16_t *b, const te_broadcast *s, const te_binary_params *p, int16_t *y) {
  te_binary_s16(a, b, s, p, y, te_add_element);
}

void te_mul_s16(const int16_t *a, const int16_t *b, const te_broadcast *s, const te_binary_params *p, int16_t *y) {
  te_binary_s16(a, b, s, p, y, te_mul_element);
}

void te_avg_pool_s16(const int16_t *x, const te_window *g, int32_t act_min, int32_t act_max, int16_t *y) {
  te_pool_s16(x, g, act_min, act_max, y, 0);
}

void te_max_pool_s16(const int16_t *x, const te_window *g, int32_t act_min, int32_t act_max, int16_t *y) {
  te_pool_s16(x, g, act_min, act_max, y, 1);
}

void te_mean_s16(const int16_t *x, int32_t outer, int32_t reduced, int32_t inner, int32_t input_offset,
                 int32_t multiplier, int32_t shift, int32_t output_offset, int16_t *y) {
  int32_t o, r, i;
  for (o = 0; o < outer; o++)
    for (i = 0; i < inner; i++) {
      int32_t sum = 0;
      for (r = 0; r < reduced; r++) sum += x[(o * reduced + r) * inner + i] + input_offset;
      y[o * inner + i] = (int16_t)te_clamp(te_mean_element(sum, reduced, multiplier, shift, output_offset), -32768, 32767);
    }
}

void te_pad_s16(const int16_t *x, const int32_t shape[4], const int32_t before[4], const int32_t after[4],
                int16_t value, int16_t *y) {
  int32_t o[4], i0, i1, i2, i3;
  for (i0 = 0; i0 < 4; i0++) o[i0] = shape[i0] + before[i0] + after[i0];
  for (i0 = 0; i0 < o[0]; i0++)
    for (i1 = 0; i1 < o[1]; i1++)
      for (i2 = 0; i2 < o[2]; i2++)
        for (i3 = 0; i3 < o[3]; i3++) {
          const int32_t from = te_pad_source(shape, before, i0, i1, i2, i3);
          *y++ = from < 0 ? value : x[from];
        }
}

/* The requantizing copies: int16 to int16, and QUANTIZE's int8 → int16 and int16 → int8. */
void te_requantize_s16(const int16_t *x, int32_t outer, int32_t chunk, int32_t y_stride, const te_requant_params *p,
                       int16_t *y) {
  int32_t r, i;
  for (r = 0; r < outer; r++)
    for (i = 0; i < chunk; i++) y[r * y_stride + i] = (int16_t)te_requantize_element(x[r * chunk + i], p);
}

void te_requantize_s8_s16(const int8_t *x, int32_t outer, int32_t chunk, int32_t y_stride, const te_requant_params *p,
                          int16_t *y) {
  int32_t r, i;
  for (r = 0; r < outer; r++)
    for (i = 0; i < chunk; i++) y[r * y_stride + i] = (int16_t)te_requantize_element(x[r * chunk + i], p);
}

void te_requantize_s16_s8(const int16_t *x, int32_t outer, int32_t chunk, int32_t y_stride, const te_requant_params *p,
                          int8_t *y) {
  int32_t r, i;
  for (r = 0; r < outer; r++)
    for (i = 0; i < chunk; i++) y[r * y_stride + i] = (int8_t)te_requantize_element(x[r * chunk + i], p);
}

/* acc[j] = bias[o0 + j] (or 0) for j < len. */
static void start_block(int64_t *acc, int32_t len, const int64_t *bias, int32_t o0) {
  int32_t j;
  for (j = 0; j < len; j++) acc[j] = bias ? bias[o0 + j] : 0;
}

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

/* y[o0 + j] = clamp(requantize(acc[j]) + output_offset) with channel o0 + j's multiplier and shift. */
static void requantize_block(const int64_t *acc, int32_t len, int32_t o0, const te_mac_params *p, int32_t wide,
                             int16_t *y) {
  int32_t j;
  for (j = 0; j < len; j++) {
    const int32_t m = p->multipliers[o0 + j], shift = p->shifts[o0 + j];
    /* The int64 result is clamped as it is, as the reference does (TFLite would narrow it to int32 first). */
    const int64_t v = (wide ? te_mbqm64(acc[j], m, shift) : te_mbqm((int32_t)acc[j], m, shift)) + p->output_offset;
    y[o0 + j] = (int16_t)(v < p->act_min ? p->act_min : v > p->act_max ? p->act_max : v);
  }
}

void te_conv2d_s16(const int16_t *x, const int8_t *w, const int64_t *bias, const te_window *g, int32_t out_c,
                   const te_mac_params *p, int32_t wide, int16_t *y) {
  int64_t acc[TE_S16_BLOCK];
  int32_t n, oy, ox, o0, ky, kx;
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++) {
      for (ox = 0; ox < g->ow; ox++) {
        for (o0 = 0; o0 < out_c; o0 += TE_S16_BLOCK) {
          const int32_t len = out_c - o0 < TE_S16_BLOCK ? out_c - o0 : TE_S16_BLOCK;
          start_block(acc, len, bias, o0);
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
          requantize_block(acc, len, o0, p, wide, y);
        }
        y += out_c;
      }
    }
  }
}

void te_matmul_s16(const int16_t *x, const int8_t *w, const int64_t *bias, int32_t rows, int32_t k, int32_t out_c,
                   const te_mac_params *p, int32_t wide, int16_t *y) {
  int64_t acc[TE_S16_BLOCK];
  int32_t r, o0;
  for (r = 0; r < rows; r++) {
    for (o0 = 0; o0 < out_c; o0 += TE_S16_BLOCK) {
      const int32_t len = out_c - o0 < TE_S16_BLOCK ? out_c - o0 : TE_S16_BLOCK;
      start_block(acc, len, bias, o0);
      accumulate(acc, len, x + r * k, k, p->input_offset, w + o0, out_c);
      requantize_block(acc, len, o0, p, wide, y + r * out_c);
    }
  }
}

void te_depthwise_conv2d_s16(const int16_t *x, const int8_t *w, const int64_t *bias, const te_window *g,
                             int32_t multiplier, const te_mac_params *p, int32_t wide, int16_t *y) {
  const int32_t out_c = g->c * multiplier;
  int64_t acc[TE_S16_BLOCK];
  int32_t n, oy, ox, b, ky, kx, j;
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++) {
      for (ox = 0; ox < g->ow; ox++) {
        for (b = 0; b < out_c; b += TE_S16_BLOCK) {
          const int32_t len = out_c - b < TE_S16_BLOCK ? out_c - b : TE_S16_BLOCK;
          start_block(acc, len, bias, b);
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
          requantize_block(acc, len, b, p, wide, y);
        }
        y += out_c;
      }
    }
  }
}

/* TFLite's generic_int16_table_lookup: the entry at 256 + (v >> 7) plus the slope to the next one times (v & 127),
   rounded; v in the int16 range, so the index stays in 0..511. */
static int16_t lookup(int32_t v, const int16_t lut[513]) {
  const int32_t i = 256 + (v >> 7);
  return (int16_t)(lut[i] + (((lut[i + 1] - lut[i]) * (v & 0x7f) + 64) >> 7));
}

void te_softmax_s16(const int16_t *x, int32_t rows, int32_t depth, int32_t input_multiplier, int32_t input_shift,
                    const int16_t exp_lut[513], const int16_t reciprocal_lut[513], int16_t *y) {
  int32_t r, i;
  for (r = 0; r < rows; r++) {
    const int16_t *xr = x + r * depth;
    int16_t *yr = y + r * depth;
    int32_t max = -32768, sum = 0, shifted, reciprocal;
    int headroom_plus_one, right_shift;
    for (i = 0; i < depth; i++) max = xr[i] > max ? xr[i] : max;
    for (i = 0; i < depth; i++) {
      const int32_t d = te_mbqm(xr[i] - max, input_multiplier, input_shift) + 32767;
      yr[i] = lookup(te_clamp(d, -32768, 32767), exp_lut);
      sum += yr[i];
    }
    /* The max's own exponential is about 2^15, so 2^15 ≤ sum < 2^31 and the shifts below are in 0..16 and 14..30. */
    headroom_plus_one = te_clz32((uint32_t)sum);
    shifted = (int32_t)((((int64_t)sum << (headroom_plus_one - 1)) + (1 << 13)) >> 14);
    reciprocal = lookup(te_clamp(shifted - ((1 << 15) + (1 << 16)), -32768, 32767), reciprocal_lut);
    right_shift = 31 - headroom_plus_one;
    for (i = 0; i < depth; i++) {
      const int64_t q = ((int64_t)yr[i] * reciprocal + ((int64_t)1 << (right_shift - 1))) >> right_shift;
      yr[i] = (int16_t)(q < 0 ? 0 : q > 32767 ? 32767 : q);
    }
  }
}
