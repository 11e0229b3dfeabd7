/*
 * x86-64 AVX-512 VNNI int8 convolution and matrix product on 'o8-k4-u8' weights (kernels/internal/x86_matmul.h): the
 * EVEX form of VPDPBUSD on 256-bit vectors, whose 32 registers hold tiles of eight rows by 24 channels (24
 * accumulators), twice AVX-VNNI's four rows: every weight loaded serves eight rows, every input word 24 channels.
 * Bit-exact with kernels/ref.
 */
#if !defined(__x86_64__)
#error "kernels/x86-avx512vnni is for x86-64: the compiler keeps it only where `cc -march=native` defines __AVX512VNNI__"
#endif
#pragma GCC target("avx2,avx512f,avx512vl,avx512vnni")

#include <immintrin.h>

/* acc += VPDPBUSD(xu, w), EVEX-encoded on any of the 32 registers; asm with acc tied to its register, for the reason
   kernels/x86-avxvnni gives. */
static inline __m256i te_dpbusd(__m256i acc, __m256i xu, __m256i w) {
  __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(xu), "vm"(w));
  return acc;
}

#define TE_DOT4(acc, xu, w) te_dpbusd((acc), (xu), (w))
#define TE_X86_ROWS 8
#define TE_X86_GROUPS 3

#include "../internal/x86_matmul.h"
