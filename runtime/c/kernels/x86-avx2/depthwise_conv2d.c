/*
 * x86-64 AVX2 int8 depthwise convolution on [KH][KW][C·M] filters: sixteen channels a step, (x + input_offset) and
 * the weights widened to int16 with VPMOVSXBW, one VPMULLO16 per tap (exact: |x + input_offset| ≤ 255 and
 * |w| ≤ 128, so a product is below 2^15), widened into two int32x8 accumulators. Channels past the last multiple of
 * 16 and depth multipliers above one take the reference arithmetic (kernels/internal/depthwise_driver.h).
 */
#if !defined(__x86_64__)
#error "kernels/x86-avx2 is for x86-64: the compiler keeps it only where `cc -march=native` defines __AVX2__"
#endif
#pragma GCC target("avx2")

#include <immintrin.h>
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/x86_requantize.h"

/* Channels [c0, c0 + 16) of pixel (n, oy, ox), multiplier 1. */
static void te_vector_channels(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g,
                               const te_mac_params *p, int32_t n, int32_t oy, int32_t ox, int32_t c0, int8_t *y) {
  const __m256i off = _mm256_set1_epi16((int16_t)p->input_offset);
  __m256i lo = bias ? _mm256_loadu_si256((const __m256i *)(bias + c0)) : _mm256_setzero_si256();
  __m256i hi = bias ? _mm256_loadu_si256((const __m256i *)(bias + c0 + 8)) : _mm256_setzero_si256();
  te_x86_requant8 q;
  int32_t ky, kx;
  for (ky = 0; ky < g->kh; ky++) {
    const int32_t iy = oy * g->stride_h - g->pad_top + ky * g->dilation_h;
    if (iy < 0 || iy >= g->h) continue;
    for (kx = 0; kx < g->kw; kx++) {
      const int32_t ix = ox * g->stride_w - g->pad_left + kx * g->dilation_w;
      __m256i xv, wv, prod;
      if (ix < 0 || ix >= g->w) continue;
      xv = _mm256_add_epi16(
          _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(x + ((n * g->h + iy) * g->w + ix) * g->c + c0))), off);
      wv = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w + (ky * g->kw + kx) * g->c + c0)));
      prod = _mm256_mullo_epi16(xv, wv);
      lo = _mm256_add_epi32(lo, _mm256_cvtepi16_epi32(_mm256_castsi256_si128(prod)));
      hi = _mm256_add_epi32(hi, _mm256_cvtepi16_epi32(_mm256_extracti128_si256(prod, 1)));
    }
  }
  q = te_x86_requant_load(p->multipliers + c0, p->shifts + c0, p->output_offset, p->act_min, p->act_max);
  lo = te_x86_requantize8(lo, &q);
  q = te_x86_requant_load(p->multipliers + c0 + 8, p->shifts + c0 + 8, p->output_offset, p->act_min, p->act_max);
  hi = te_x86_requantize8(hi, &q);
  _mm_storeu_si128((__m128i *)(y + c0), te_x86_narrow16(lo, hi));
}

#define TE_DW_VECTOR 16
#include "../internal/depthwise_driver.h"
