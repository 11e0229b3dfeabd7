/*
 * Reference int8 convolution and matrix product: TFLite's reference_integer_ops::ConvPerChannel and
 * FullyConnected with per-channel requantization, in the compiler's weight layout. For output pixel (row) p and
 * output channel o:
 *   acc = folded_bias[o] + Σ_{ky, kx, ci} x[p's tap (ky, kx)][ci] · w[(ky·kw + kx)·c + ci][o]
 *   y   = clamp(mbqm(acc, multipliers[o], shifts[o]) + output_offset, act_min, act_max)
 * TFLite sums (x + input_offset)·w and then adds the bias; the compiler folded input_offset·Σw into folded_bias
 * (as TFLite's optimized kernels and CMSIS-NN do), so the loops multiply the raw int8 x. A tap outside the input
 * reads the zero point −input_offset: its products cancel what the folded bias counted for it, so acc is TFLite's,
 * which skips the tap. mbqm (internal/fixed_point.h) is the rounding doubling high multiply and rounding right shift
 * of TFLite's MultiplyByQuantizedMultiplier; output_offset is added before the clamp to the fused activation.
 *
 * Overflow: |x| ≤ 128 and |w| ≤ 127, so a product is below 2^14 and |folded_bias| ≤ |bias| + 128·127·K; the int32
 * accumulator stays below 2^31 for K = kh·kw·c up to about 60,000 with a bias below 2^30, beyond every model's K.
 *
 * Weights are [K][out_c], so the innermost loop runs along a block of output channels with one input value
 * broadcast, and compilers vectorize it without horizontal sums.
 */
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"

/* Output channels per block of accumulators on the stack. */
#define BLOCK 64

/* acc[j] += Σ_{i<k} x[i]·w[i·out_c + j] for the block's len channels (w at the block's first channel). */
static inline void multiply_rows(int32_t *acc, int32_t len, const int8_t *x, int32_t k, const int8_t *w, int32_t out_c) {
  int32_t i, j;
  for (i = 0; i < k; i++) {
    const int32_t xv = x[i];
    const int8_t *wr = w + i * out_c;
    for (j = 0; j < len; j++) acc[j] += xv * wr[j];
  }
}

/* The same, a whole block spelled with a constant trip count so compilers keep acc in vector registers across i. */
static void multiply_block(int32_t *acc, int32_t len, const int8_t *x, int32_t k, const int8_t *w, int32_t out_c) {
  if (len == BLOCK) multiply_rows(acc, BLOCK, x, k, w, out_c);
  else multiply_rows(acc, len, x, k, w, out_c);
}

/* One row (output pixel) of the matrix product: y[0..out_c) = requantize(folded_bias + x[0..k) · w[k][out_c]). */
static void row_times_matrix(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t k, int32_t out_c,
                             const te_mac_params *p, int8_t *y) {
  int32_t acc[BLOCK];
  int32_t o0, j;
  for (o0 = 0; o0 < out_c; o0 += BLOCK) {
    const int32_t len = out_c - o0 < BLOCK ? out_c - o0 : BLOCK;
    for (j = 0; j < len; j++) acc[j] = folded_bias[o0 + j];
    multiply_block(acc, len, x, k, w + o0, out_c);
    te_requantize_channels(acc, len, p->multipliers + o0, p->shifts + o0, p->output_offset, p->act_min, p->act_max, y + o0);
  }
}

void te_matmul_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k, int32_t out_c,
                  const te_mac_params *p, int8_t *y) {
  int32_t r;
  for (r = 0; r < rows; r++) row_times_matrix(x + r * k, w, folded_bias, k, out_c, p, y + r * out_c);
}

/* `patch` holds one input pixel of zero points, which every tap outside the input reads. */
void te_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, const te_window *g, int32_t out_c,
                  const te_mac_params *p, int8_t *patch, int8_t *y) {
  int32_t acc[BLOCK];
  int32_t n, oy, ox, o0, ky, kx, j;
  for (j = 0; j < g->c; j++) patch[j] = (int8_t)(-p->input_offset);
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++) {
      for (ox = 0; ox < g->ow; ox++) {
        for (o0 = 0; o0 < out_c; o0 += BLOCK) {
          const int32_t len = out_c - o0 < BLOCK ? out_c - o0 : BLOCK;
          for (j = 0; j < len; j++) acc[j] = folded_bias[o0 + j];
          for (ky = 0; ky < g->kh; ky++) {
            const int32_t iy = oy * g->stride_h - g->pad_top + ky * g->dilation_h;
            for (kx = 0; kx < g->kw; kx++) {
              const int32_t ix = ox * g->stride_w - g->pad_left + kx * g->dilation_w;
              const int inside = iy >= 0 && iy < g->h && ix >= 0 && ix < g->w;
              const int8_t *xp = inside ? x + ((n * g->h + iy) * g->w + ix) * g->c : patch;
              multiply_block(acc, len, xp, g->c, w + (ky * g->kw + kx) * g->c * out_c + o0, out_c);
            }
          }
          te_requantize_channels(acc, len, p->multipliers + o0, p->shifts + o0, p->output_offset, p->act_min, p->act_max,
                                 y + o0);
        }
        y += out_c;
      }
    }
  }
}
