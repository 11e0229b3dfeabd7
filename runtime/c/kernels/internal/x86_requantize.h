/*
 * tinyedge: MultiplyByQuantizedMultiplier on eight int32 lanes with AVX2, bit-exact with te_mbqm (fixed_point.h),
 * and the narrowing stores of the x86 kernel folders. The including file enables AVX2 (its target pragma).
 * The doubling high multiply is floor((x·m + 2^30) / 2^31), as te_mbqm computes it: _mm256_mul_epi32 gives the
 * 64-bit products of the even lanes (the odd ones after a 32-bit shift), and bits 31..62 of the nudged product are
 * the result for either sign, so logical 64-bit shifts suffice. The rounding right shift is te_rdbpot's
 * remainder-against-threshold test per lane (shifts differ per channel), with per-lane variable shifts.
 */
#ifndef TINYEDGE_X86_REQUANTIZE_H
#define TINYEDGE_X86_REQUANTIZE_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

/* Requantization constants of eight channels, split once per tile. */
typedef struct {
  __m256i m, left, right, offset, lo, hi;
} te_x86_requant8;

/* The constants of channels [0, 8) of m and shift (eight readable values each). */
static inline te_x86_requant8 te_x86_requant_load(const int32_t *m, const int32_t *shift, int32_t output_offset,
                                                  int32_t act_min, int32_t act_max) {
  const __m256i s = _mm256_loadu_si256((const __m256i *)shift), zero = _mm256_setzero_si256();
  te_x86_requant8 q;
  q.m = _mm256_loadu_si256((const __m256i *)m);
  q.left = _mm256_max_epi32(s, zero);
  q.right = _mm256_max_epi32(_mm256_sub_epi32(zero, s), zero);
  q.offset = _mm256_set1_epi32(output_offset);
  q.lo = _mm256_set1_epi32(act_min);
  q.hi = _mm256_set1_epi32(act_max);
  return q;
}

/* The same constants in every lane: one multiplier and shift (elementwise ops). */
static inline te_x86_requant8 te_x86_requant_same(int32_t m, int32_t shift, int32_t output_offset, int32_t act_min,
                                                  int32_t act_max) {
  te_x86_requant8 q;
  q.m = _mm256_set1_epi32(m);
  q.left = _mm256_set1_epi32(shift > 0 ? shift : 0);
  q.right = _mm256_set1_epi32(shift > 0 ? 0 : -shift);
  q.offset = _mm256_set1_epi32(output_offset);
  q.lo = _mm256_set1_epi32(act_min);
  q.hi = _mm256_set1_epi32(act_max);
  return q;
}

/* mbqm(x, m, shift) per lane, the shift split into left = max(shift, 0) and right = max(−shift, 0). */
static inline __m256i te_x86_mbqm8(__m256i x, __m256i m, __m256i left, __m256i right) {
  const __m256i nudge = _mm256_set1_epi64x((int64_t)1 << 30), one = _mm256_set1_epi32(1);
  const __m256i shifted = _mm256_sllv_epi32(x, left); /* wraps like te_mbqm's unsigned shift */
  const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(shifted, m), nudge);
  const __m256i odd = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(shifted, 32), _mm256_srli_epi64(m, 32)), nudge);
  const __m256i high = _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
  const __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, right), one);
  const __m256i threshold = _mm256_add_epi32(_mm256_srli_epi32(mask, 1), _mm256_srli_epi32(high, 31));
  return _mm256_sub_epi32(_mm256_srav_epi32(high, right), _mm256_cmpgt_epi32(_mm256_and_si256(high, mask), threshold));
}

/* clamp(mbqm(acc, m, shift) + output_offset, act_min, act_max) per lane. */
static inline __m256i te_x86_requantize8(__m256i acc, const te_x86_requant8 *q) {
  const __m256i rounded = te_x86_mbqm8(acc, q->m, q->left, q->right);
  return _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(rounded, q->offset), q->lo), q->hi);
}

/* Sixteen int8 of two vectors of values already in int8 range (a: the first eight). */
static inline __m128i te_x86_narrow16(__m256i a, __m256i b) {
  const __m128i a16 = _mm_packs_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
  const __m128i b16 = _mm_packs_epi32(_mm256_castsi256_si128(b), _mm256_extracti128_si256(b, 1));
  return _mm_packs_epi16(a16, b16);
}

/* Stores the first n (≤ 16) bytes of v at y. */
static inline void te_x86_store_bytes(int8_t *y, __m128i v, int32_t n) {
  if (n == 16) {
    _mm_storeu_si128((__m128i *)y, v);
  } else if (n == 8) {
    _mm_storel_epi64((__m128i *)y, v);
  } else {
    int8_t bytes[16];
    _mm_storeu_si128((__m128i *)bytes, v);
    memcpy(y, bytes, (size_t)n);
  }
}

#endif
