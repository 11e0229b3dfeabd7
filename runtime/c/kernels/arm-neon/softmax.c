/*
 * AArch64 Advanced SIMD int8 softmax, bit-exact with kernels/ref/softmax.c. A row's output depends only on
 * d = max − x (0..255), so per row the kernel makes two 256-entry tables from exp_table instead of working per
 * element: the exponentials in Q12.19 (URSHR by 12: te_rdbpot of a non-negative value rounds half up, as URSHR does),
 * summed by a scalar gather (three instructions an element), and after the reciprocal
 * (kernels/internal/softmax_reciprocal.h) the int8 outputs (SQRDMULH is te_srdhm, SRSHL by −exponent its te_rdbpot on
 * non-negative values, −128 and the clamp by saturating narrows), which four TBL/TBX on sixteen registers look up for
 * sixteen elements at a time.
 */
#include <arm_neon.h>
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/softmax_reciprocal.h"

/* The row's largest element. */
static int8_t te_row_max(const int8_t *x, int32_t depth) {
  int8x16_t m = vdupq_n_s8(-128);
  int8_t max;
  int32_t i;
  for (i = 0; i + 16 <= depth; i += 16) m = vmaxq_s8(m, vld1q_s8(x + i));
  max = vmaxvq_s8(m);
  for (; i < depth; i++) max = x[i] > max ? x[i] : max;
  return max;
}

/* out[d] = clamp(rdbpot(srdhm(scale, exp_table[d]), exponent) − 128) for every d. */
static void te_output_table(const int32_t exp_table[256], te_softmax_reciprocal q, int8_t out[256]) {
  const int32x4_t scale = vdupq_n_s32(q.scale), shift = vdupq_n_s32(-q.exponent);
  const int16x8_t bias = vdupq_n_s16(128);
  int32_t d, j;
  for (d = 0; d < 256; d += 8) {
    int32x4_t v[2];
    for (j = 0; j < 2; j++) v[j] = vrshlq_s32(vqrdmulhq_s32(scale, vld1q_s32(exp_table + d + 4 * j)), shift);
    vst1_s8(out + d, vqmovn_s16(vqsubq_s16(vcombine_s16(vqmovn_s32(v[0]), vqmovn_s32(v[1])), bias)));
  }
}

void te_softmax_s8(const int8_t *x, int32_t rows, int32_t depth, const int32_t exp_table[256], int8_t *y) {
  uint32_t e12[256];
  int8_t out[256];
  int32_t r, i, d;
  for (d = 0; d < 256; d += 4) vst1q_u32(e12 + d, vrshrq_n_u32(vreinterpretq_u32_s32(vld1q_s32(exp_table + d)), 12));
  for (r = 0; r < rows; r++) {
    const int8_t *xr = x + r * depth;
    int8_t *yr = y + r * depth;
    const int8_t max = te_row_max(xr, depth);
    uint32_t sum = 0;
    te_softmax_reciprocal q;
    /* Q12.19 sum; at most 4095 classes of at most 2^19 each keep it below 2^31, and the max adds 2^19 (not 0). */
    for (i = 0; i < depth; i++) sum += e12[max - xr[i]];
    q = te_softmax_reciprocal_of((int32_t)sum);
    if (q.exponent > 31) {
      /* Every quotient rounds to 0 (TFLM aborts there): outputs −128. */
      for (i = 0; i < depth; i++) yr[i] = -128;
      continue;
    }
    te_output_table(exp_table, q, out);
    {
      const int8x16x4_t t0 = vld1q_s8_x4(out), t1 = vld1q_s8_x4(out + 64), t2 = vld1q_s8_x4(out + 128),
                        t3 = vld1q_s8_x4(out + 192);
      const uint8x16_t max16 = vdupq_n_u8((uint8_t)max), step = vdupq_n_u8(64);
      for (i = 0; i + 16 <= depth; i += 16) {
        /* d = max − x as bytes; TBX leaves lanes whose index (d − 64·k, wrapped) is past its 64 bytes alone. */
        const uint8x16_t d0 = vsubq_u8(max16, vreinterpretq_u8_s8(vld1q_s8(xr + i)));
        const uint8x16_t d1 = vsubq_u8(d0, step), d2 = vsubq_u8(d1, step), d3 = vsubq_u8(d2, step);
        int8x16_t v = vqtbl4q_s8(t0, d0);
        v = vqtbx4q_s8(v, t1, d1);
        v = vqtbx4q_s8(v, t2, d2);
        vst1q_s8(yr + i, vqtbx4q_s8(v, t3, d3));
      }
      for (; i < depth; i++) yr[i] = out[max - xr[i]];
    }
  }
}
