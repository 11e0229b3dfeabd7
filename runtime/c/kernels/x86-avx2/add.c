/*
 * x86-64 AVX2 int8 add, TFLite's arithmetic (kernels/internal/element_ops.h's te_add_element) on eight lanes: each
 * input widened with VPMOVSXBD, offset and scaled by 2^left_shift, rescaled with its (multiplier, shift) by
 * te_x86_mbqm8 (bit-exact with te_mbqm), summed, rescaled to the output, offset, clamped and narrowed. Operands of
 * one shape (residual adds) take this loop, sixteen elements a step; broadcasts and the last n % 16 elements the
 * reference's.
 */
#if !defined(__x86_64__)
#error "kernels/x86-avx2 is for x86-64: the compiler keeps it only where `cc -march=native` defines __AVX2__"
#endif
#pragma GCC target("avx2")

#include <immintrin.h>
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/element_ops.h"
#include "../internal/x86_requantize.h"

/* Eight bytes of x widened, offset and scaled by 2^left_shift. */
static inline __m256i te_x86_add_input(const int8_t *x, __m256i offset, __m128i left_shift) {
  const __m256i v = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)x));
  return _mm256_sll_epi32(_mm256_add_epi32(v, offset), left_shift);
}

/* The first n - n % 16 elements of a and b, of one shape, added into y. */
static int32_t te_x86_add_flat(const int8_t *a, const int8_t *b, int32_t n, const te_binary_params *p, int8_t *y) {
  const __m256i off1 = _mm256_set1_epi32(p->input1_offset), off2 = _mm256_set1_epi32(p->input2_offset);
  const __m128i left_shift = _mm_cvtsi32_si128(p->left_shift);
  const te_x86_requant8 q1 = te_x86_requant_same(p->input1_multiplier, p->input1_shift, 0, 0, 0);
  const te_x86_requant8 q2 = te_x86_requant_same(p->input2_multiplier, p->input2_shift, 0, 0, 0);
  const te_x86_requant8 qo =
      te_x86_requant_same(p->output_multiplier, p->output_shift, p->output_offset, p->act_min, p->act_max);
  __m256i half[2];
  int32_t i, h;
  for (i = 0; i + 16 <= n; i += 16) {
    for (h = 0; h < 2; h++) {
      const __m256i sa = te_x86_mbqm8(te_x86_add_input(a + i + 8 * h, off1, left_shift), &q1);
      const __m256i sb = te_x86_mbqm8(te_x86_add_input(b + i + 8 * h, off2, left_shift), &q2);
      half[h] = _mm256_add_epi32(sa, sb);
    }
    _mm_storeu_si128((__m128i *)(y + i), te_x86_requantize16(half[0], half[1], &qo, &qo));
  }
  return i;
}

void te_add_s8(const int8_t *a, const int8_t *b, const te_broadcast *s, const te_binary_params *p, int8_t *y) {
  const int32_t n = te_unbroadcast_count(s);
  int32_t i;
  if (n == 0) {
    te_binary_s8(a, b, s, p, y, te_add_element);
    return;
  }
  for (i = te_x86_add_flat(a, b, n, p, y); i < n; i++) y[i] = (int8_t)te_add_element(a[i], b[i], p);
}
