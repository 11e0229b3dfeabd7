/*
 * x86-64 AVX-VNNI int8 convolution and matrix product on 'o8-k4' weights (kernels/internal/x86_matmul.h): one
 * VPDPBUSD adds 32 unsigned-by-signed byte products into eight int32 lanes, without saturation. Bit-exact with
 * kernels/ref.
 */
#if !defined(__x86_64__)
#error "kernels/x86-avxvnni is for x86-64: the compiler keeps it only where `cc -march=native` defines __AVXVNNI__"
#endif
#pragma GCC target("avx2,avxvnni")

#include <immintrin.h>

#define TE_DOT4(acc, xu, w) _mm256_dpbusd_avx_epi32((acc), (xu), (w))

#include "../internal/x86_matmul.h"
