/*
 * tinyedge: Armv7E-M DSP helpers for the cortex-m-dsp kernels (Cortex-M4/M7): int8 unpacking, and TFLite's
 * MultiplyByQuantizedMultiplier in three instructions per output, bit-exact with te_mbqm (fixed_point.h).
 *
 * The requantization reads constants the compiler lays out per channel as pairs (M2, R), with p->shifts NULL
 * (compiler/backends/c/kernel-table.ts, requantize 'smmul'), for layers whose every channel has a Q31 multiplier
 * M ≥ 2^30 and a right shift s in 1..31 (no left shift), or M = 0; other layers keep TFLite's (M, shift) arrays.
 *   SRDHM(x, M) = floor((2xM + 2^31) / 2^32) = SMMLAR(x, M2, x) with M2 = 2M − 2^32 (an int32 for M ≥ 2^30): the
 *     x·2^32 of the accumulate operand supplies the missing 2^32·x, and the 64-bit sum never overflows, so any int32
 *     x is exact.
 *   RoundingDivideByPOT(y, s) + offset = floor((y' + 2^(s−1)) / 2^s) + offset with y' = y − [y < 0] (ties away
 *     from zero), = SMMLSR(y', R, offset) with R = −2^(32−s), an int32 for s in 1..31 (s = 1 gives INT32_MIN).
 *     y > INT32_MIN (|y| ≤ |x|·M/2^31 + 1), so y' does not wrap.
   Where te_mac_params.no_sign_fixup is set (int8 conv and pointwise layers through the row-pair kernels), the pairs
     hold an R that needs no fix-up, SMMLSR(y, R', offset): R − 1, exact for every y in [−2^(32−s), 2^(32−s)) and,
     s ≤ 12, wherever it is not (both saturate), or one solved for a channel of one accumulator value; the compiler
     proves it per channel (compiler/backends/c/sign-fixup.ts), so every reader of those pairs skips the fix-up.
 *   A channel with M = 0 (TFLite's dead channels: QuantizeMultiplier(0) gives shift 0) outputs offset + 0 whatever its
 *     shift; its pair (0, 0) gives y = x and SMMLSR(y', 0, offset) = offset (R = 0 drops the product; the rounding
 *     constant 2^31 stays below one unit of the high word), so any x, even one whose y' wraps, is exact.
 */
#ifndef TINYEDGE_ARMV7EM_DSP_H
#define TINYEDGE_ARMV7EM_DSP_H

#include <arm_acle.h>
#include <stdint.h>
#include <string.h>
#include "tinyedge/kernels.h"
#include "fixed_point.h"

static inline uint32_t te_load32(const int8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4); /* unaligned int8 data: one LDR on Cortex-M4/M7 */
  return v;
}

/* Bytes 1 and 3 sign-extended to halfwords. gcc emits a separate ROR for __sxtb16(ror(v)); the asm folds it. */
static inline int32_t te_sxtb16_ror8(uint32_t v) {
  int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
  return r;
}

/* a + bytes 0 and 2 of v, halfword-wise (SXTAB16): unpacks int8 pairs and adds the input offset in one step. */
static inline int32_t te_sxtab16(int32_t a, uint32_t v) {
  int32_t r;
  __asm__("sxtab16 %0, %1, %2" : "=r"(r) : "r"(a), "r"(v));
  return r;
}

/* a + bytes 1 and 3 of v, halfword-wise. */
static inline int32_t te_sxtab16_ror8(int32_t a, uint32_t v) {
  int32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(v));
  return r;
}

/* One channel of the 'smmul' layout: offset + RoundingDivideByPOT(SRDHM(acc, M), s) from (M2, R), with the sign
   fix-up where `fixup` (te_mac_params.no_sign_fixup clear; set, the pairs hold R − 1 and need none). */
static inline int32_t te_smmul_requantize(int32_t acc, int32_t m2, int32_t r, int32_t offset, int32_t fixup) {
  int32_t y, z;
  __asm__("smmlar %0, %1, %2, %1" : "=r"(y) : "r"(acc), "r"(m2));
  if (fixup) y += y >> 31;
  __asm__("smmlsr %0, %1, %2, %3" : "=r"(z) : "r"(y), "r"(r), "r"(offset));
  return z;
}

/* Bits [lsb, lsb + 8) of w replaced by the low byte of v (BFI; gcc spells the C form in four instructions). */
#define TE_BFI8(w, v, lsb) __asm__("bfi %0, %1, #" #lsb ", #8" : "+r"(w) : "r"(v))

/* Four int32 values saturated to int8 and packed little-endian (SSAT, then BFI into the first). */
static inline uint32_t te_pack4_s8(int32_t z0, int32_t z1, int32_t z2, int32_t z3) {
  uint32_t w = (uint32_t)__ssat(z0, 8);
  TE_BFI8(w, __ssat(z1, 8), 8);
  TE_BFI8(w, __ssat(z2, 8), 16);
  TE_BFI8(w, __ssat(z3, 8), 24);
  return w;
}

/* Two consecutive words from a word-aligned address, p advanced past them (one LDRD). */
#define TE_LDRD_POST(a, b, p) __asm__("ldrd %0, %1, [%2], #8" : "=r"(a), "=r"(b), "+r"(p) : : "memory")

/* Byte-wise max(w, lo4) then min(·, hi4) with SSUB8's GE flags and SEL (one asm: the flags must not be split). */
static inline uint32_t te_clamp4_s8(uint32_t w, uint32_t lo4, uint32_t hi4) {
  uint32_t t;
  __asm__("ssub8 %1, %0, %2\n\tsel %0, %0, %2\n\tssub8 %1, %0, %3\n\tsel %0, %3, %0"
          : "+r"(w), "=&r"(t)
          : "r"(lo4), "r"(hi4)
          : "cc");
  return w;
}

/* act_min or act_max in each byte. */
static inline uint32_t te_splat4_s8(int32_t v) {
  return ((uint32_t)v & 0xffu) * 0x01010101u;
}

/* Four requantized channels, (M2, R) pairs at mr, stored as four bytes at y; clamped to [lo4, hi4] bytewise when
   `clamp` (the activation range is narrower than int8's, which SSAT already gives). */
static inline void te_smmul_requantize4(int32_t a0, int32_t a1, int32_t a2, int32_t a3, const int32_t *mr, int32_t offset,
                                        int32_t fixup, int32_t clamp, uint32_t lo4, uint32_t hi4, int8_t *y) {
  int32_t m0, r0, m1, r1, m2, r2, m3, r3;
  uint32_t w;
  TE_LDRD_POST(m0, r0, mr);
  TE_LDRD_POST(m1, r1, mr);
  TE_LDRD_POST(m2, r2, mr);
  TE_LDRD_POST(m3, r3, mr);
  w = te_pack4_s8(te_smmul_requantize(a0, m0, r0, offset, fixup), te_smmul_requantize(a1, m1, r1, offset, fixup),
                  te_smmul_requantize(a2, m2, r2, offset, fixup), te_smmul_requantize(a3, m3, r3, offset, fixup));
  if (clamp) w = te_clamp4_s8(w, lo4, hi4);
  memcpy(y, &w, 4);
}

/* Requantizes len ≤ 4 accumulators of channels [o, o + len) in whichever layout p holds. */
static inline void te_dsp_requantize(const int32_t *acc, int32_t len, const te_mac_params *p, int32_t o, int8_t *y) {
  int32_t j;
  if (p->shifts) {
    te_requantize_channels(acc, len, p->multipliers + o, p->shifts + o, p->output_offset, p->act_min, p->act_max, y);
    return;
  }
  for (j = 0; j < len; j++) {
    const int32_t z = te_smmul_requantize(acc[j], p->multipliers[2 * (o + j)], p->multipliers[2 * (o + j) + 1],
                                          p->output_offset, !p->no_sign_fixup);
    y[j] = (int8_t)te_clamp(z, p->act_min, p->act_max);
  }
}

/* What every row of a call shares, read from p once per call rather than once per group (the asm's memory clobber
   makes gcc reload p's fields after every group). */
typedef struct {
  const te_mac_params *p;
  uint32_t lo4, hi4;
  int32_t clamp, fixup;
} te_row_constants;

static inline te_row_constants te_row_constants_of(const te_mac_params *p) {
  te_row_constants c;
  c.p = p;
  c.lo4 = te_splat4_s8(p->act_min);
  c.hi4 = te_splat4_s8(p->act_max);
  c.clamp = p->act_min > -128 || p->act_max < 127;
  c.fixup = !p->no_sign_fixup;
  return c;
}

/* The four channels [o, o + 4) of a conv group requantized into y + o, in whichever layout p holds (always inlined:
   a call, or gcc's inlining heuristics, cost the conv kernels' register allocation 2% of VWW's instructions). */
static inline __attribute__((always_inline)) void te_requantize_group4(int32_t s0, int32_t s1, int32_t s2, int32_t s3,
                                                                       const te_row_constants *c, int32_t o, int8_t *y) {
  const te_mac_params *p = c->p;
  if (!p->shifts) {
    te_smmul_requantize4(s0, s1, s2, s3, p->multipliers + 2 * o, p->output_offset, c->fixup, c->clamp, c->lo4, c->hi4,
                         y + o);
  } else {
    const int32_t s[4] = {s0, s1, s2, s3};
    te_requantize_channels(s, 4, p->multipliers + o, p->shifts + o, p->output_offset, p->act_min, p->act_max, y + o);
  }
}

#endif
