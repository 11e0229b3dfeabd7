/*
 * x86-64 AVX2 int8 depthwise convolution on [KH][KW][C·M] filters: per output pixel the taps inside the input are
 * listed once, then sixteen channels a step run over them: (x + input_offset) and the weights widened to int16 with
 * VPMOVSXBW, one VPMULLW per tap (exact: |x + input_offset| ≤ 255 and |w| ≤ 128, so a product is below 2^15), widened
 * into two int32x8 accumulators. Channels past the last multiple of 16, depth multipliers above one and windows of
 * more than TE_X86_DW_TAPS taps take the reference arithmetic (kernels/internal/depthwise.h).
 */
#if !defined(__x86_64__)
#error "kernels/x86-avx2 is for x86-64: the compiler keeps it only where `cc -march=native` defines __AVX2__"
#endif
#pragma GCC target("avx2")

#include <immintrin.h>
#include "tinyedge/kernels.h"
#include "../internal/depthwise.h"
#include "../internal/fixed_point.h"
#include "../internal/x86_requantize.h"

/* Taps a window may have for the vector path (7 × 7). */
#define TE_X86_DW_TAPS 49

/* Channels [c0, c0 + 16) of one pixel over its `taps` in-bounds taps: input offsets xo and filter offsets wo. */
static inline void te_x86_dw16(const int8_t *x, const int8_t *w, const int32_t *bias, const int32_t *xo, const int32_t *wo,
                               int32_t taps, const te_mac_params *p, int32_t c0, int8_t *y) {
  const __m256i off = _mm256_set1_epi16((int16_t)p->input_offset);
  __m256i lo = bias ? _mm256_loadu_si256((const __m256i *)(bias + c0)) : _mm256_setzero_si256();
  __m256i hi = bias ? _mm256_loadu_si256((const __m256i *)(bias + c0 + 8)) : _mm256_setzero_si256();
  te_x86_requant8 q;
  int32_t t;
  for (t = 0; t < taps; t++) {
    const __m256i xv = _mm256_add_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(x + xo[t] + c0))), off);
    const __m256i wv = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w + wo[t] + c0)));
    const __m256i prod = _mm256_mullo_epi16(xv, wv);
    lo = _mm256_add_epi32(lo, _mm256_cvtepi16_epi32(_mm256_castsi256_si128(prod)));
    hi = _mm256_add_epi32(hi, _mm256_cvtepi16_epi32(_mm256_extracti128_si256(prod, 1)));
  }
  q = te_x86_requant_load(p->multipliers + c0, p->shifts + c0, p->output_offset, p->act_min, p->act_max);
  lo = te_x86_requantize8(lo, &q);
  q = te_x86_requant_load(p->multipliers + c0 + 8, p->shifts + c0 + 8, p->output_offset, p->act_min, p->act_max);
  hi = te_x86_requantize8(hi, &q);
  _mm_storeu_si128((__m128i *)(y + c0), te_x86_narrow16(lo, hi));
}

void te_depthwise_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g,
                            int32_t multiplier, const te_mac_params *p, int8_t *y) {
  const int32_t out_c = g->c * multiplier;
  const int32_t vector_c = multiplier == 1 && g->kh * g->kw <= TE_X86_DW_TAPS ? out_c - out_c % 16 : 0;
  int32_t xo[TE_X86_DW_TAPS], wo[TE_X86_DW_TAPS];
  int32_t n, oy, ox, ky, kx, c0;
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++) {
      for (ox = 0; ox < g->ow; ox++, y += out_c) {
        int32_t taps = 0;
        for (ky = 0; ky < g->kh && vector_c; ky++) {
          const int32_t iy = oy * g->stride_h - g->pad_top + ky * g->dilation_h;
          if (iy < 0 || iy >= g->h) continue;
          for (kx = 0; kx < g->kw; kx++) {
            const int32_t ix = ox * g->stride_w - g->pad_left + kx * g->dilation_w;
            if (ix < 0 || ix >= g->w) continue;
            xo[taps] = ((n * g->h + iy) * g->w + ix) * g->c;
            wo[taps++] = (ky * g->kw + kx) * out_c;
          }
        }
        for (c0 = 0; c0 < vector_c; c0 += 16) te_x86_dw16(x, w, bias, xo, wo, taps, p, c0, y);
        if (vector_c < out_c) te_depthwise_channels(x, w, bias, g, multiplier, p, n, oy, ox, vector_c, out_c, y);
      }
    }
  }
}
