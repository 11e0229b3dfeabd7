/*
 * tinyedge: the AArch64 NEON matrix product along k (kernels/arm-neon's te_matmul_pairs_s8), for weights in 'o4-k16'
 * ([out_c / 4][K16 / 16][4][16], out_c padded to 8 and K to 16 with zeros) of which every one lies in [-127, 127] (the
 * compiler checks): per row, channel and sixteen k, SMULL of k 0..7 and SMLAL2 of k 8..15 give int16 sums of two
 * products, exact because |x·w| ≤ 128·127, and SADALP adds their pairs into the channel's int32x4 (three instructions
 * for sixteen MACs). A tile of two rows × eight channels holds sixteen accumulators; per sixteen k it loads two input
 * vectors and two four-register weight vectors: 256 MACs for 52 instructions. Each channel's four lanes are reduced by
 * pairwise adds once per tile. A row's K % 16 tail is read from a zero-padded copy (its weights are zero), so no load
 * passes the row's end. Rows are written in raster order, a tile's channels in blocks of eight (kernels.h's in-place
 * contract).
 */
#ifndef TINYEDGE_NEON_MATMUL_PAIRS_H
#define TINYEDGE_NEON_MATMUL_PAIRS_H

#include <arm_neon.h>
#include <string.h>
#include "tinyedge/kernels.h"
#include "arm_requantize.h"

/* The int16 sums x[i]·w[i] + x[i + 8]·w[i + 8]. Written out with an early-clobbered result: from intrinsics gcc
   writes SMULL over a weight register and copies the weights first (a MOV per channel). */
static inline __attribute__((always_inline)) int16x8_t te_mull_pairs(int8x16_t x, int8x16_t w) {
  int16x8_t t;
  __asm__("smull %0.8h, %1.8b, %2.8b\n\tsmlal2 %0.8h, %1.16b, %2.16b" : "=&w"(t) : "w"(x), "w"(w));
  return t;
}

/* acc[r][j] += row r's sixteen k (xv[r]) times channel j's (a.val[j], then b.val[j − 4]), R rows. */
static inline __attribute__((always_inline)) void te_pairs_step(int32x4_t acc[2][8], const int8x16_t xv[2], int8x16x4_t a,
                                                               int8x16x4_t b, const int R) {
  int32_t r, j;
  for (r = 0; r < R; r++)
    for (j = 0; j < 4; j++) {
      acc[r][j] = vpadalq_s16(acc[r][j], te_mull_pairs(xv[r], a.val[j]));
      acc[r][j + 4] = vpadalq_s16(acc[r][j + 4], te_mull_pairs(xv[r], b.val[j]));
    }
}

/* The rows of a tile: where each starts, and its K % 16 tail zero-padded to sixteen bytes. */
typedef struct {
  const int8_t *x[2];
  int8_t tail[2][16];
} te_pairs_rows;

/* Channels [o, o + 8) of R rows into yr (the channels below out_c); `right`: every shift is a right shift. */
static inline __attribute__((always_inline)) void te_pairs_block(const te_pairs_rows *t, const int R, const int8_t *w,
                                                                const int32_t *bias, int32_t k, int32_t out_c,
                                                                int32_t o, const te_mac_params *p, int right,
                                                                int8_t *const yr[2]) {
  const int32_t steps = (k + 15) / 16, full = k / 16;
  const int8_t *wa = w + o * 16 * steps, *wb = wa + 64 * steps;
  const int16x8_t offset = vdupq_n_s16((int16_t)p->output_offset);
  const int8x8_t lo = vdup_n_s8((int8_t)p->act_min), hi = vdup_n_s8((int8_t)p->act_max);
  int32x4_t acc[2][8];
  int8x16_t xv[2];
  int32_t r, j, s;
  for (r = 0; r < R; r++)
    for (j = 0; j < 8; j++) acc[r][j] = vdupq_n_s32(0);
  for (s = 0; s < full; s++) {
    for (r = 0; r < R; r++) xv[r] = vld1q_s8(t->x[r] + 16 * s);
    te_pairs_step(acc, xv, vld1q_s8_x4(wa + 64 * s), vld1q_s8_x4(wb + 64 * s), R);
  }
  if (full < steps) {
    for (r = 0; r < R; r++) xv[r] = vld1q_s8(t->tail[r]);
    te_pairs_step(acc, xv, vld1q_s8_x4(wa + 64 * s), vld1q_s8_x4(wb + 64 * s), R);
  }
  for (r = 0; r < R; r++) {
    const int32x4_t sum_lo = vpaddq_s32(vpaddq_s32(acc[r][0], acc[r][1]), vpaddq_s32(acc[r][2], acc[r][3]));
    const int32x4_t sum_hi = vpaddq_s32(vpaddq_s32(acc[r][4], acc[r][5]), vpaddq_s32(acc[r][6], acc[r][7]));
    const int32x4_t v_lo = vaddq_s32(sum_lo, vld1q_s32(bias + o)), v_hi = vaddq_s32(sum_hi, vld1q_s32(bias + o + 4));
    int8x8_t v;
    if (right)
      v = te_offset_narrow8(te_mbqm4_right(v_lo, vld1q_s32(p->multipliers + o), vld1q_s32(p->shifts + o)),
                            te_mbqm4_right(v_hi, vld1q_s32(p->multipliers + o + 4), vld1q_s32(p->shifts + o + 4)), offset);
    else
      v = te_offset_narrow8(te_mbqm4(v_lo, te_requant4_load(p->multipliers + o, p->shifts + o)),
                            te_mbqm4(v_hi, te_requant4_load(p->multipliers + o + 4, p->shifts + o + 4)), offset);
    v = vmin_s8(vmax_s8(v, lo), hi);
    if (o + 8 <= out_c) {
      vst1_s8(yr[r] + o, v);
    } else {
      int8_t last[8];
      vst1_s8(last, v);
      memcpy(yr[r] + o, last, (size_t)(out_c - o));
    }
  }
}

/* Every channel of R rows from row r0. */
static inline __attribute__((always_inline)) void te_pairs_rows_of(const int8_t *x, const int8_t *w, const int32_t *bias,
                                                                  int32_t r0, const int R, int32_t k, int32_t out_c,
                                                                  const te_mac_params *p, int right, int8_t *y) {
  const int32_t full = k / 16;
  te_pairs_rows t;
  int8_t *yr[2];
  int32_t r, o;
  for (r = 0; r < R; r++) {
    t.x[r] = x + (r0 + r) * k;
    yr[r] = y + (r0 + r) * out_c;
    memset(t.tail[r], 0, 16);
    memcpy(t.tail[r], t.x[r] + 16 * full, (size_t)(k - 16 * full));
  }
  for (o = 0; o < out_c; o += 8) te_pairs_block(&t, R, w, bias, k, out_c, o, p, right, yr);
}

/* rows × k times the weights: tiles of two rows, then the last row alone. */
static void te_neon_matmul_pairs(const int8_t *x, const int8_t *w, const int32_t *bias, int32_t rows, int32_t k,
                                 int32_t out_c, const te_mac_params *p, int8_t *y) {
  const int right = te_right_shifts_only(p->shifts, out_c);
  int32_t r0;
  for (r0 = 0; r0 + 2 <= rows; r0 += 2) te_pairs_rows_of(x, w, bias, r0, 2, k, out_c, p, right, y);
  if (r0 < rows) te_pairs_rows_of(x, w, bias, r0, 1, k, out_c, p, right, y);
}

#endif
