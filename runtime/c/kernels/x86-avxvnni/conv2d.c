/*
 * x86-64 AVX-VNNI int8 convolution and matrix product on 'o8-k4-u8' weights (kernels/internal/x86_matmul.h): one
 * VPDPBUSD adds 32 unsigned-by-signed byte products into eight int32 lanes, without saturation. Bit-exact with
 * kernels/ref.
 */
#if !defined(__x86_64__)
#error "kernels/x86-avxvnni is for x86-64: the compiler keeps it only where `cc -march=native` defines __AVXVNNI__"
#endif
#pragma GCC target("avx2,avxvnni")

#include <immintrin.h>

/* acc += VPDPBUSD(xu, w), VEX-encoded. Written as asm with acc tied to its register: with AVX-512 also enabled
   (-march=native), gcc 12 copies each accumulator through another register around _mm256_dpbusd_avx_epi32, doubling
   the inner loop. */
static inline __m256i te_dpbusd(__m256i acc, __m256i xu, __m256i w) {
  __asm__("%{vex%} vpdpbusd %2, %1, %0" : "+x"(acc) : "x"(xu), "xm"(w));
  return acc;
}

#define TE_DOT4(acc, xu, w) te_dpbusd((acc), (xu), (w))

#include "../internal/x86_matmul.h"
