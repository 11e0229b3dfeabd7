/*
 * tinyedge: what every 16×8 MAC kernel (family int16_mac: ref, cortex-m-dsp) shares around its products: the int64
 * accumulators' start from the bias and TFLite's requantization of them, so the fast kernels stay bit-exact with
 * the reference by calling the same code.
 */
#ifndef TINYEDGE_MAC_S16_H
#define TINYEDGE_MAC_S16_H

#include <stdint.h>
#include "tinyedge/kernels.h"
#include "fixed_point.h"

/* Output channels per block of accumulators on the stack. */
#define TE_S16_BLOCK 64

/* acc[j] = bias[o0 + j] (or 0) for j < len. */
static inline void te_s16_start_block(int64_t *acc, int32_t len, const int64_t *bias, int32_t o0) {
  int32_t j;
  for (j = 0; j < len; j++) acc[j] = bias ? bias[o0 + j] : 0;
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

#endif
