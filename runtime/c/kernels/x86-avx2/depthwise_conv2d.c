/*
 * x86-64 AVX2 int8 depthwise convolution on [KH][KW][C·M] filters: per output pixel the taps inside the input are
 * listed once (once a row for the pixels away from the left and right edges), then sixteen channels a step run over
 * them, for four or two neighbouring pixels at once away from the edges: (x + input_offset) and the weights widened to int16
 * with VPMOVSXBW, two VPMADDWD per tap against the even and odd channels' weights (exact: |x + input_offset| ≤ 255
 * and |w| ≤ 128). Channels past the last multiple of 16, depth multipliers above one and windows of more than
 * TE_X86_DW_TAPS taps take the reference arithmetic (kernels/internal/depthwise.h).
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

/* Neighbouring output pixels that share each tap's weights and the requantization constants. */
#define TE_X86_DW_PIXELS 4

/*
 * Channels [c0, c0 + 16) of `pixels` (1, 2 or 4, a constant where inlined) output pixels with the same filter taps
 * (`taps` of them, in bounds): pixel j reads x at base[j] + xo[t] for tap t, whose weights are at wo[t], and writes
 * y[j]. Each tap's weights, widened once for both pixels, are split into the even and odd channels' int16 halves of
 * 32-bit lanes, so VPMADDWD gives the products of even and odd channels exactly in int32 without widening them; the
 * lanes are put back in order once a pixel.
 */
static inline __attribute__((always_inline)) void te_x86_dw16(const int8_t *x, const int8_t *w, const int32_t *bias,
                                                              const int32_t *base, const int32_t *xo, const int32_t *wo,
                                                              int32_t taps, const te_mac_params *p, int32_t c0,
                                                              int8_t *const *y, int pixels) {
  const __m256i off = _mm256_set1_epi16((int16_t)p->input_offset), low_half = _mm256_set1_epi32(0xFFFF);
  const __m256i bias_lo = bias ? _mm256_loadu_si256((const __m256i *)(bias + c0)) : _mm256_setzero_si256();
  const __m256i bias_hi = bias ? _mm256_loadu_si256((const __m256i *)(bias + c0 + 8)) : _mm256_setzero_si256();
  const te_x86_requant8 q_lo =
      te_x86_requant_load(p->multipliers + c0, p->shifts + c0, p->output_offset, p->act_min, p->act_max);
  const te_x86_requant8 q_hi =
      te_x86_requant_load(p->multipliers + c0 + 8, p->shifts + c0 + 8, p->output_offset, p->act_min, p->act_max);
  __m256i even[TE_X86_DW_PIXELS], odd[TE_X86_DW_PIXELS];
  int32_t t;
  int j;
  for (j = 0; j < pixels; j++) even[j] = odd[j] = _mm256_setzero_si256();
  for (t = 0; t < taps; t++) {
    const __m256i wv = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w + wo[t] + c0)));
    const __m256i w_even = _mm256_and_si256(wv, low_half), w_odd = _mm256_andnot_si256(low_half, wv);
    for (j = 0; j < pixels; j++) {
      const __m128i bytes = _mm_loadu_si128((const __m128i *)(x + (base[j] + xo[t]) + c0));
      const __m256i xv = _mm256_add_epi16(_mm256_cvtepi8_epi16(bytes), off);
      even[j] = _mm256_add_epi32(even[j], _mm256_madd_epi16(xv, w_even));
      odd[j] = _mm256_add_epi32(odd[j], _mm256_madd_epi16(xv, w_odd));
    }
  }
  for (j = 0; j < pixels; j++) {
    const __m256i lo = _mm256_unpacklo_epi32(even[j], odd[j]), hi = _mm256_unpackhi_epi32(even[j], odd[j]);
    const __m256i first = _mm256_add_epi32(_mm256_permute2x128_si256(lo, hi, 0x20), bias_lo);
    const __m256i second = _mm256_add_epi32(_mm256_permute2x128_si256(lo, hi, 0x31), bias_hi);
    _mm_storeu_si128((__m128i *)(y[j] + c0), te_x86_requantize16(first, second, &q_lo, &q_hi));
  }
}

/* The in-bounds taps of a window whose first tap is at input row iy0, column ix0: offsets from that tap's pixel in
   the input (xo) and in the filter (wo); returns their count. */
static int32_t te_x86_dw_taps(const te_window *g, int32_t out_c, int32_t iy0, int32_t ix0, int32_t *xo, int32_t *wo) {
  int32_t taps = 0, ky, kx;
  for (ky = 0; ky < g->kh; ky++) {
    const int32_t dy = ky * g->dilation_h;
    if (iy0 + dy < 0 || iy0 + dy >= g->h) continue;
    for (kx = 0; kx < g->kw; kx++) {
      const int32_t dx = kx * g->dilation_w;
      if (ix0 + dx < 0 || ix0 + dx >= g->w) continue;
      xo[taps] = (dy * g->w + dx) * g->c;
      wo[taps++] = (ky * g->kw + kx) * out_c;
    }
  }
  return taps;
}

static void te_x86_dw16_one(const int8_t *x, const int8_t *w, const int32_t *bias, const int32_t *base,
                            const int32_t *xo, const int32_t *wo, int32_t taps, const te_mac_params *p, int32_t c0,
                            int8_t *const *y) {
  te_x86_dw16(x, w, bias, base, xo, wo, taps, p, c0, y, 1);
}

static void te_x86_dw16_two(const int8_t *x, const int8_t *w, const int32_t *bias, const int32_t *base,
                            const int32_t *xo, const int32_t *wo, int32_t taps, const te_mac_params *p, int32_t c0,
                            int8_t *const *y) {
  te_x86_dw16(x, w, bias, base, xo, wo, taps, p, c0, y, 2);
}

static void te_x86_dw16_four(const int8_t *x, const int8_t *w, const int32_t *bias, const int32_t *base,
                             const int32_t *xo, const int32_t *wo, int32_t taps, const te_mac_params *p, int32_t c0,
                             int8_t *const *y) {
  te_x86_dw16(x, w, bias, base, xo, wo, taps, p, c0, y, 4);
}

/*
 * Per output row, the taps of the pixels whose windows lie inside the input's columns are listed once, and those
 * pixels go four (or two) at a time; pixels at the left and right edges list their own taps and go one at a time.
 */
void te_depthwise_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g,
                            int32_t multiplier, const te_mac_params *p, int8_t *y) {
  const int32_t out_c = g->c * multiplier;
  const int32_t vector_c = multiplier == 1 && g->kh * g->kw <= TE_X86_DW_TAPS ? out_c - out_c % 16 : 0;
  const int32_t span_w = (g->kw - 1) * g->dilation_w;
  int32_t xo_inner[TE_X86_DW_TAPS], wo_inner[TE_X86_DW_TAPS], xo_edge[TE_X86_DW_TAPS], wo_edge[TE_X86_DW_TAPS];
  int32_t base[TE_X86_DW_PIXELS];
  int8_t *yp[TE_X86_DW_PIXELS];
  int32_t n, oy, ox, c0, j, inner_taps, pixels;
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++) {
      const int32_t iy0 = oy * g->stride_h - g->pad_top;
      inner_taps = vector_c ? te_x86_dw_taps(g, out_c, iy0, 0, xo_inner, wo_inner) : 0;
      for (ox = 0; ox < g->ow; ox += pixels, y += pixels * out_c) {
        const int32_t ix0 = ox * g->stride_w - g->pad_left;
        const int inner = ix0 >= 0 && ix0 + span_w < g->w;
        const int32_t edge_taps = vector_c && !inner ? te_x86_dw_taps(g, out_c, iy0, ix0, xo_edge, wo_edge) : 0;
        /* The inner pixels from ox on: four, two or one of them. */
        pixels = 1;
        while (inner && pixels < TE_X86_DW_PIXELS && ox + pixels < g->ow &&
               ix0 + pixels * g->stride_w + span_w < g->w)
          pixels++;
        pixels = pixels == 3 ? 2 : pixels;
        for (j = 0; j < pixels; j++) {
          base[j] = ((n * g->h + iy0) * g->w + ix0 + j * g->stride_w) * g->c;
          yp[j] = y + j * out_c;
        }
        for (c0 = 0; c0 < vector_c; c0 += 16) {
          if (pixels == 4)
            te_x86_dw16_four(x, w, bias, base, xo_inner, wo_inner, inner_taps, p, c0, yp);
          else if (pixels == 2)
            te_x86_dw16_two(x, w, bias, base, xo_inner, wo_inner, inner_taps, p, c0, yp);
          else if (inner)
            te_x86_dw16_one(x, w, bias, base, xo_inner, wo_inner, inner_taps, p, c0, yp);
          else
            te_x86_dw16_one(x, w, bias, base, xo_edge, wo_edge, edge_taps, p, c0, yp);
        }
        for (j = 0; j < pixels && vector_c < out_c; j++)
          te_depthwise_channels(x, w, bias, g, multiplier, p, n, oy, ox + j, vector_c, out_c, y + j * out_c);
      }
    }
  }
}
