/*
 * tinyedge: the x86-64 matmul skeleton shared by kernels/x86-avx2 and kernels/x86-avxvnni, on MatmulLayout 'o8-k4-u8'
 * weights: per group of eight output channels (out_c zero-padded to a multiple of eight, as are the folded bias,
 * multipliers and shifts), per step of four k (K zero-padded to a multiple of four), a 32-byte vector [8 channels][4 k].
 * A tile of up to TE_X86_ROWS rows (pixels) by sixteen channels keeps 2·TE_X86_ROWS int32x8 accumulators: each step
 * broadcasts four input bytes of a row to every lane and multiplies them with the two weight vectors, so every weight
 * loaded serves TE_X86_ROWS rows and every input word sixteen channels, with no horizontal sums. TE_X86_ROWS is 4 (16
 * vector registers) unless the including file sets 8 (32 registers with AVX-512VL); a last tile of at most four rows
 * then takes the four-row form, and one of at most two rows the two-row form.
 *
 * The including file enables its ISA (target pragma) and defines TE_DOT4(acc, xu, w): acc (int32x8) += per lane the
 * sum of the four products of the unsigned bytes of xu and the signed bytes of w (VPDPBUSD's arithmetic). Inputs are
 * made unsigned by flipping their sign bit (x + 128); the compiler took 128·Σw off the folded bias for this layout
 * (weight-layouts.ts, layMatmulBias), so the sums are TFLite's. |x + 128| ≤ 255 and |w| ≤ 128: no int32 overflow
 * below K ≈ 65,000, as for the reference.
 *
 * In-place contract: a tile reads its rows' inputs and writes its rows' outputs, rows in raster order, at most eight.
 */
#ifndef TINYEDGE_X86_MATMUL_H
#define TINYEDGE_X86_MATMUL_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>
#include "tinyedge/kernels.h"
#include "patch.h"
#include "x86_requantize.h"

#ifndef TE_X86_ROWS
#define TE_X86_ROWS 4
#endif
#ifndef TE_X86_GROUPS
#define TE_X86_GROUPS 2
#endif

/* The four input bytes x[i..i+4) (only `n` of them read, the others zero) with sign bits flipped, in every lane. */
static inline __m256i te_x86_broadcast4(const int8_t *x, int32_t n) {
  int32_t word = 0;
  memcpy(&word, x, (size_t)n);
  return _mm256_xor_si256(_mm256_set1_epi32(word), _mm256_set1_epi8(-128));
}

/* One step of four k (`bytes` of them in the inputs) of mr rows by nv groups of eight channels. */
static inline __attribute__((always_inline)) void te_x86_step(__m256i acc[TE_X86_ROWS][TE_X86_GROUPS],
                                                              const int8_t *const *xr, int mr, int nv, const int8_t *wg,
                                                              int32_t k4, int32_t i, int32_t bytes) {
  __m256i wv[TE_X86_GROUPS];
  int32_t j, v;
  for (v = 0; v < nv; v++) wv[v] = _mm256_loadu_si256((const __m256i *)(wg + v * 8 * k4 + i * 8));
  for (j = 0; j < mr; j++) {
    const __m256i xu = te_x86_broadcast4(xr[j] + i, bytes);
    for (v = 0; v < nv; v++) acc[j][v] = TE_DOT4(acc[j][v], xu, wv[v]);
  }
}

/*
 * Channels [o, o + 8·nv) of mr rows: xr[j] the rows' inputs, yr[j] their outputs (NULL: computed, not stored), wg the
 * group of channel o; `n` of the channels exist. mr and nv are constants where it is inlined, so the accumulators
 * stay in registers.
 */
static inline __attribute__((always_inline)) void te_x86_block(const int8_t *const *xr, int8_t *const *yr, int mr, int nv,
                                                               const int8_t *wg, const int32_t *folded_bias, int32_t k,
                                                               int32_t o, int32_t n, const te_mac_params *p) {
  const int32_t k4 = (k + 3) & ~3, kmain = k & ~3;
  __m256i acc[TE_X86_ROWS][TE_X86_GROUPS];
  te_x86_requant8 q[TE_X86_GROUPS];
  int32_t i, j, v;
  for (j = 0; j < mr; j++)
    for (v = 0; v < nv; v++) acc[j][v] = _mm256_loadu_si256((const __m256i *)(folded_bias + o + 8 * v));
  for (i = 0; i < kmain; i += 4) te_x86_step(acc, xr, mr, nv, wg, k4, i, 4);
  if (kmain < k) te_x86_step(acc, xr, mr, nv, wg, k4, kmain, k - kmain);
  for (v = 0; v < nv; v++)
    q[v] = te_x86_requant_load(p->multipliers + o + 8 * v, p->shifts + o + 8 * v, p->output_offset, p->act_min,
                               p->act_max);
  for (j = 0; j < mr; j++) {
    /* Sixteen channels a store (eight for a last odd group, requantized once: the pair's halves are the same). */
    for (v = 0; v < nv && yr[j]; v += 2) {
      const int second = v + 1 < nv ? v + 1 : v;
      const int32_t left = n - 8 * v, stored = 8 * (second - v + 1);
      const __m128i bytes = te_x86_requantize16(acc[j][v], acc[j][second], &q[v], &q[second]);
      te_x86_store_bytes(yr[j] + o + 8 * v, bytes, left < stored ? left : stored);
    }
  }
}

/* Every output channel of mr rows, TE_X86_GROUPS groups of eight channels a block, then the groups left. */
static inline __attribute__((always_inline)) void te_x86_rows(const int8_t *const *xr, int8_t *const *yr, int mr,
                                                              const int8_t *w, const int32_t *folded_bias, int32_t k,
                                                              int32_t out_c, const te_mac_params *p) {
  const int32_t group = 8 * ((k + 3) & ~3), groups = (out_c + 7) / 8;
  int32_t g;
  for (g = 0; g + TE_X86_GROUPS <= groups; g += TE_X86_GROUPS)
    te_x86_block(xr, yr, mr, TE_X86_GROUPS, w + g * group, folded_bias, k, 8 * g, out_c - 8 * g, p);
  if (TE_X86_GROUPS > 2 && groups - g == 2)
    te_x86_block(xr, yr, mr, 2, w + g * group, folded_bias, k, 8 * g, out_c - 8 * g, p);
  else if (g < groups)
    te_x86_block(xr, yr, mr, 1, w + g * group, folded_bias, k, 8 * g, out_c - 8 * g, p);
}

static void te_x86_rows4(const int8_t *const *xr, int8_t *const *yr, const int8_t *w, const int32_t *folded_bias, int32_t k,
                         int32_t out_c, const te_mac_params *p) {
  te_x86_rows(xr, yr, 4, w, folded_bias, k, out_c, p);
}

#if TE_X86_ROWS == 8
static void te_x86_rows8(const int8_t *const *xr, int8_t *const *yr, const int8_t *w, const int32_t *folded_bias, int32_t k,
                         int32_t out_c, const te_mac_params *p) {
  te_x86_rows(xr, yr, 8, w, folded_bias, k, out_c, p);
}
#endif

static void te_x86_rows2(const int8_t *const *xr, int8_t *const *yr, const int8_t *w, const int32_t *folded_bias, int32_t k,
                         int32_t out_c, const te_mac_params *p) {
  te_x86_rows(xr, yr, 2, w, folded_bias, k, out_c, p);
}

void te_matmul_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k, int32_t out_c,
                  const te_mac_params *p, int8_t *y) {
  int32_t r, j;
  for (r = 0; r < rows; r += TE_X86_ROWS) {
    const int8_t *xr[TE_X86_ROWS];
    int8_t *yr[TE_X86_ROWS];
    /* Rows past the end repeat the last one and are not stored. */
    for (j = 0; j < TE_X86_ROWS; j++) {
      xr[j] = x + (r + j < rows ? r + j : rows - 1) * k;
      yr[j] = r + j < rows ? y + (r + j) * out_c : NULL;
    }
#if TE_X86_ROWS == 8
    if (rows - r > 4) {
      te_x86_rows8(xr, yr, w, folded_bias, k, out_c, p);
      continue;
    }
#endif
    /* A last row or two (49 pixels of a 7×7 layer, a band's end) in the two-row form: the four-row one costs twice. */
    if (rows - r <= 2) {
      te_x86_rows2(xr, yr, w, folded_bias, k, out_c, p);
      continue;
    }
    te_x86_rows4(xr, yr, w, folded_bias, k, out_c, p);
  }
}

/* Output pixels two at a time through the two windows the patch holds. */
void te_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, const te_window *g, int32_t out_c,
                  const te_mac_params *p, int8_t *patch, int8_t *y) {
  const int32_t k = g->kh * g->kw * g->c;
  const int8_t zero_point = (int8_t)(-p->input_offset);
  const int8_t *xr[2];
  int8_t *yr[2];
  int32_t n, oy, ox;
  xr[0] = patch;
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++) {
      for (ox = 0; ox < g->ow; ox += 2) {
        const int two = ox + 1 < g->ow;
        te_gather_patch(x, g, n, oy, ox, zero_point, patch);
        if (two) te_gather_patch(x, g, n, oy, ox + 1, zero_point, patch + k);
        xr[1] = two ? patch + k : patch;
        yr[0] = y;
        yr[1] = two ? y + out_c : NULL;
        te_x86_rows2(xr, yr, w, folded_bias, k, out_c, p);
        y += (two ? 2 : 1) * out_c;
      }
    }
  }
}

#endif
