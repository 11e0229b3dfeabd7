/*
 * tinyedge: MultiplyByQuantizedMultiplier on eight int32 lanes with AVX2, bit-exact with te_mbqm (fixed_point.h),
 * and the narrowing stores of the x86 kernel folders. The including file enables AVX2 (its target pragma).
 * The doubling high multiply is floor((x·m + 2^30) / 2^31), as te_mbqm computes it: _mm256_mul_epi32 gives the
 * 64-bit products of the even lanes (the odd ones after a 32-bit shift), and bits 31..62 of the nudged product are
 * the result for either sign, so logical 64-bit shifts suffice. The rounding right shift is te_rdbpot's
 * remainder-against-threshold test per lane (shifts differ per channel), with per-lane variable shifts.
 * Requantized values are narrowed to int8 before the output offset and clamps (te_x86_requantize16).
 */
#ifndef TINYEDGE_X86_REQUANTIZE_H
#define TINYEDGE_X86_REQUANTIZE_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

/* Requantization constants of eight channels, split once per tile: the multipliers of the odd lanes already shifted
   down, the rounding shift's mask and half-mask, the output offset (int16) and clamps (int8) for the narrowing. */
typedef struct {
  __m256i m, m_odd, left, right, mask, half, offset;
  __m128i lo, hi;
} te_x86_requant8;

/* The constants of eight lanes from m and shift vectors. */
static inline te_x86_requant8 te_x86_requant_of(__m256i m, __m256i s, int32_t output_offset, int32_t act_min,
                                                int32_t act_max) {
  const __m256i zero = _mm256_setzero_si256(), one = _mm256_set1_epi32(1);
  te_x86_requant8 q;
  q.m = m;
  q.m_odd = _mm256_srli_epi64(m, 32);
  q.left = _mm256_max_epi32(s, zero);
  q.right = _mm256_max_epi32(_mm256_sub_epi32(zero, s), zero);
  q.mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, q.right), one);
  q.half = _mm256_srli_epi32(q.mask, 1);
  q.offset = _mm256_set1_epi16((int16_t)output_offset);
  q.lo = _mm_set1_epi8((int8_t)act_min);
  q.hi = _mm_set1_epi8((int8_t)act_max);
  return q;
}

/* The constants of channels [0, 8) of m and shift (eight readable values each). */
static inline te_x86_requant8 te_x86_requant_load(const int32_t *m, const int32_t *shift, int32_t output_offset,
                                                  int32_t act_min, int32_t act_max) {
  return te_x86_requant_of(_mm256_loadu_si256((const __m256i *)m), _mm256_loadu_si256((const __m256i *)shift),
                           output_offset, act_min, act_max);
}

/* The same constants in every lane: one multiplier and shift (elementwise ops). */
static inline te_x86_requant8 te_x86_requant_same(int32_t m, int32_t shift, int32_t output_offset, int32_t act_min,
                                                  int32_t act_max) {
  return te_x86_requant_of(_mm256_set1_epi32(m), _mm256_set1_epi32(shift), output_offset, act_min, act_max);
}

/* mbqm(x, m, shift) per lane, the shift split into left = max(shift, 0) and right = max(−shift, 0). */
static inline __m256i te_x86_mbqm8(__m256i x, const te_x86_requant8 *q) {
  const __m256i nudge = _mm256_set1_epi64x((int64_t)1 << 30);
  const __m256i shifted = _mm256_sllv_epi32(x, q->left); /* wraps like te_mbqm's unsigned shift */
  const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(shifted, q->m), nudge);
  const __m256i odd = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(shifted, 32), q->m_odd), nudge);
  const __m256i high = _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
  const __m256i threshold = _mm256_add_epi32(q->half, _mm256_srli_epi32(high, 31));
  return _mm256_sub_epi32(_mm256_srav_epi32(high, q->right),
                          _mm256_cmpgt_epi32(_mm256_and_si256(high, q->mask), threshold));
}

/*
 * Sixteen int8 outputs clamp(mbqm(acc) + output_offset, act_min, act_max) of a (the first eight, constants qa) and b
 * (qb; the offset and clamps are qa's). Offset and clamps act after narrowing, on 16 lanes at once: saturating to
 * int16, adding the offset with saturation and saturating to int8 keep every value that is out of int8 range out of
 * it on the same side (|offset| ≤ 128), and the clamps lie inside int8, so the result is the int32 one.
 */
static inline __m128i te_x86_requantize16(__m256i a, __m256i b, const te_x86_requant8 *qa, const te_x86_requant8 *qb) {
  const __m256i words = _mm256_adds_epi16(_mm256_packs_epi32(te_x86_mbqm8(a, qa), te_x86_mbqm8(b, qb)), qa->offset);
  const __m256i ordered = _mm256_permute4x64_epi64(words, 0xD8); /* a's eight words, then b's */
  const __m128i bytes = _mm_packs_epi16(_mm256_castsi256_si128(ordered), _mm256_extracti128_si256(ordered, 1));
  return _mm_min_epi8(_mm_max_epi8(bytes, qa->lo), qa->hi);
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
