/*
 * tinyedge: the AArch64 matmul skeleton shared by kernels/arm-neon and kernels/arm-dotprod. Weights are
 * [out_c][k] (o-major), so each output is a dot product along k: sixteen k at a time, two rows (pixels) at once so
 * every weight vector loaded serves both, four outputs per pass; an eight-wide step takes k % 16 ≥ 8 (narrow
 * layers of small nets have k = 8 or 24). The including file defines TE_DOT16(acc, x, w): acc (int32x4) += the
 * products of the int8x16 x and w, summed into any lanes (the lanes are added at the end).
 * Offsets need no care here: the compiler folded input_offset·Σw into the bias, so x is the raw int8 input.
 */
#ifndef TINYEDGE_ARM_MATMUL_H
#define TINYEDGE_ARM_MATMUL_H

#include <arm_neon.h>
#include <stddef.h>
#include "tinyedge/kernels.h"
#include "fixed_point.h"
#include "patch.h"
#include "arm_requantize.h"

/* Σ x[i]·w[i] over the k % 16 tail. */
static inline int32_t te_dot_tail(const int8_t *x, const int8_t *w, int32_t from, int32_t k) {
  int32_t s = 0, i;
  for (i = from; i < k; i++) s += x[i] * w[i];
  return s;
}

/* Outputs [o, o + n) of two rows (x1 may equal x0; y1 NULL stores only row 0), n ≤ 4. */
static inline void te_arm_outputs(const int8_t *x0, const int8_t *x1, const int8_t *w, int32_t k, int32_t o, int32_t n,
                                  int32_t acc0[4], int32_t acc1[4]) {
  int32x4_t a0[4], a1[4];
  const int32_t k16 = k & ~15;
  int32_t i, j;
  for (j = 0; j < 4; j++) a0[j] = a1[j] = vdupq_n_s32(0);
  if (n == 4) {
    const int8_t *w0 = w + o * k, *w1 = w0 + k, *w2 = w1 + k, *w3 = w2 + k;
    for (i = 0; i < k16; i += 16) {
      const int8x16_t xa = vld1q_s8(x0 + i), xb = vld1q_s8(x1 + i);
      int8x16_t wv = vld1q_s8(w0 + i);
      TE_DOT16(a0[0], xa, wv);
      TE_DOT16(a1[0], xb, wv);
      wv = vld1q_s8(w1 + i);
      TE_DOT16(a0[1], xa, wv);
      TE_DOT16(a1[1], xb, wv);
      wv = vld1q_s8(w2 + i);
      TE_DOT16(a0[2], xa, wv);
      TE_DOT16(a1[2], xb, wv);
      wv = vld1q_s8(w3 + i);
      TE_DOT16(a0[3], xa, wv);
      TE_DOT16(a1[3], xb, wv);
    }
  } else {
    for (j = 0; j < n; j++) {
      const int8_t *wj = w + (o + j) * k;
      for (i = 0; i < k16; i += 16) {
        const int8x16_t wv = vld1q_s8(wj + i);
        TE_DOT16(a0[j], vld1q_s8(x0 + i), wv);
        TE_DOT16(a1[j], vld1q_s8(x1 + i), wv);
      }
    }
  }
  if (k - k16 >= 8) {
    /* Eight more: the high half of each vector is zero and adds nothing. */
    const int8x16_t xa = vcombine_s8(vld1_s8(x0 + k16), vdup_n_s8(0)), xb = vcombine_s8(vld1_s8(x1 + k16), vdup_n_s8(0));
    for (j = 0; j < n; j++) {
      const int8x16_t wv = vcombine_s8(vld1_s8(w + (o + j) * k + k16), vdup_n_s8(0));
      TE_DOT16(a0[j], xa, wv);
      TE_DOT16(a1[j], xb, wv);
    }
  }
  for (j = 0; j < n; j++) {
    const int8_t *wj = w + (o + j) * k;
    const int32_t done = k - k16 >= 8 ? k16 + 8 : k16;
    acc0[j] += vaddvq_s32(a0[j]) + te_dot_tail(x0, wj, done, k);
    acc1[j] += vaddvq_s32(a1[j]) + te_dot_tail(x1, wj, done, k);
  }
}

/* Two rows times the matrix into y0 and (unless NULL) y1. */
static inline void te_arm_two_rows(const int8_t *x0, const int8_t *x1, const int8_t *w, const int32_t *folded_bias, int32_t k,
                                   int32_t out_c, const te_mac_params *p, int8_t *y0, int8_t *y1) {
  int32_t o, j;
  for (o = 0; o < out_c; o += 4) {
    const int32_t n = out_c - o < 4 ? out_c - o : 4;
    int32_t acc0[4], acc1[4];
    for (j = 0; j < n; j++) acc0[j] = acc1[j] = folded_bias[o + j];
    te_arm_outputs(x0, x1, w, k, o, n, acc0, acc1);
    te_requantize_channels4(acc0, n, p->multipliers + o, p->shifts + o, p->output_offset, p->act_min, p->act_max, y0 + o);
    if (y1) te_requantize_channels4(acc1, n, p->multipliers + o, p->shifts + o, p->output_offset, p->act_min, p->act_max, y1 + o);
  }
}

void te_matmul_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k, int32_t out_c,
                  const te_mac_params *p, int8_t *y) {
  int32_t r;
  for (r = 0; r + 1 < rows; r += 2) te_arm_two_rows(x + r * k, x + (r + 1) * k, w, folded_bias, k, out_c, p, y + r * out_c, y + (r + 1) * out_c);
  if (r < rows) te_arm_two_rows(x + r * k, x + r * k, w, folded_bias, k, out_c, p, y + r * out_c, NULL);
}

void te_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, const te_window *g, int32_t out_c,
                  const te_mac_params *p, int8_t *patch, int8_t *y) {
  const int32_t k = g->kh * g->kw * g->c;
  const int8_t zero_point = (int8_t)(-p->input_offset);
  int32_t n, oy, ox;
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++) {
      for (ox = 0; ox + 1 < g->ow; ox += 2) {
        te_gather_patch(x, g, n, oy, ox, zero_point, patch);
        te_gather_patch(x, g, n, oy, ox + 1, zero_point, patch + k);
        te_arm_two_rows(patch, patch + k, w, folded_bias, k, out_c, p, y, y + out_c);
        y += 2 * out_c;
      }
      if (ox < g->ow) {
        te_gather_patch(x, g, n, oy, ox, zero_point, patch);
        te_arm_two_rows(patch, patch, w, folded_bias, k, out_c, p, y, NULL);
        y += out_c;
      }
    }
  }
}

#endif
