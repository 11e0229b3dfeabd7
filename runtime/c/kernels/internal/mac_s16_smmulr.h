/*
 * tinyedge: the 16×8 MAC kernels' requantization by SMMULR (Armv7E-M DSP and Armv8.1-M with the DSP extension:
 * cortex-m-dsp and arm-mve int16_mac.c), bit-exact with te_s16_requantize_one (internal/mac_s16.h), which it falls
 * back to where the one SMMULR is not the same.
 */
#ifndef TINYEDGE_MAC_S16_SMMULR_H
#define TINYEDGE_MAC_S16_SMMULR_H

#include <stdint.h>
#include "tinyedge/kernels.h"
#include "mac_s16.h"

/* te_s16_requantize_one out of line: the accumulators and shifts te_s16_requantize_fast leaves to it are rare, and
   its int64 arithmetic would take the registers of the loops that inline the fast path. */
static __attribute__((noinline, cold, unused)) int16_t te_s16_requantize_slow(int64_t acc, int32_t m, int32_t shift,
                                                                               const te_mac_params *p,
                                                                               int32_t wide) {
  return te_s16_requantize_one(acc, m, shift, p, wide);
}

/*
 * te_s16_requantize_one as one SMMULR where it can be: TFLite's int64 formula (acc·r + 2^(t−1)) >> t, r the
 * multiplier rounded to Q15 and t = 15 − shift, equals (acc·R + 2^31) >> 32 with R = r·2^(32−t) when acc lies within
 * int32 and t in 16..32 (shift −17..−1, where 16×8 layers' shifts lie): R < 2^15·2^16 is an int32 and acc·R needs
 * at most 62 bits, so the one rounding is the same. The result is below 2^30: adding the offset cannot wrap. The
 * output offset and activation range come in registers (c), read from p once per call.
 */
typedef struct {
  int32_t offset, lo, hi;
} te_s16_output_range;

static inline int16_t te_s16_requantize_fast(int64_t acc, int32_t m, int32_t shift, te_s16_output_range c,
                                             const te_mac_params *p, int32_t wide) {
  const int32_t x = (int32_t)acc;
  int32_t z;
  if (!wide || (int64_t)x != acc || shift > -1 || shift < -17) return te_s16_requantize_slow(acc, m, shift, p, wide);
  __asm__("smmulr %0, %1, %2"
          : "=r"(z)
          : "r"(x), "r"((m < 0x7FFF0000 ? (m + (1 << 15)) >> 16 : 0x7FFF) << (17 + shift)));
  z += c.offset;
  return (int16_t)(z < c.lo ? c.lo : z > c.hi ? c.hi : z);
}

static inline te_s16_output_range te_s16_output_range_of(const te_mac_params *p) {
  te_s16_output_range c;
  c.offset = p->output_offset;
  c.lo = p->act_min;
  c.hi = p->act_max;
  return c;
}

/* y[o0 + j] = te_s16_requantize_fast(acc[j]) with channel o0 + j's multiplier and shift, for j < len. */
static inline void te_s16_requantize_channels(const int64_t *acc, int32_t len, int32_t o0, const te_mac_params *p,
                                       int32_t wide, int16_t *y) {
  const te_s16_output_range c = te_s16_output_range_of(p);
  int32_t j;
  for (j = 0; j < len; j++)
    y[o0 + j] = te_s16_requantize_fast(acc[j], p->multipliers[o0 + j], p->shifts[o0 + j], c, p, wide);
}

#endif
