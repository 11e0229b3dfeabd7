/*
 * x86-64 AVX2 int8 convolution and matrix product on 'o8-k4-u8' weights (kernels/internal/x86_matmul.h). Without
 * VNNI, a step's four unsigned-by-signed byte products per lane are two VPMADDWD on 16-bit halves: the even bytes
 * (masked, and sign-extended by a shift pair for the weights) and the odd bytes (shifted down), each a pair sum
 * exactly in int32 (no VPMADDUBSW, whose int16 sums saturate). Bit-exact with kernels/ref.
 */
#if !defined(__x86_64__)
#error "kernels/x86-avx2 is for x86-64: the compiler keeps it only where `cc -march=native` defines __AVX2__"
#endif
#pragma GCC target("avx2")

#include <immintrin.h>

/* acc += per lane Σ of the four products u8(xu)·s8(w). */
static inline __m256i te_dot4_madd(__m256i acc, __m256i xu, __m256i w) {
  const __m256i low_bytes = _mm256_set1_epi16(0x00FF);
  const __m256i even = _mm256_madd_epi16(_mm256_and_si256(xu, low_bytes), _mm256_srai_epi16(_mm256_slli_epi16(w, 8), 8));
  const __m256i odd = _mm256_madd_epi16(_mm256_srli_epi16(xu, 8), _mm256_srai_epi16(w, 8));
  return _mm256_add_epi32(acc, _mm256_add_epi32(even, odd));
}

#define TE_DOT4(acc, xu, w) te_dot4_madd((acc), (xu), (w))

#include "../internal/x86_matmul.h"
