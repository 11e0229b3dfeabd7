/*
 * Cortex-M4/M7 (Armv7E-M DSP) 16×8 MAC kernels (family int16_mac): int16 activations, int8 weights widened to the
 * int16 pairs of the int8 kernels (matmul and conv 'o4-s16-pairs', depthwise 'c4-int16': kernel-table.ts), int64
 * biases, and the reference's requantization (internal/mac_s16.h), so they are bit-exact with kernels/ref/int16_mac.c.
 * The activations are already int16: two LDR and a PKHBT/PKHTB make the pairs (x[k], x[k + 2]) and
 * (x[k + 1], x[k + 3]) the weights are stored against, and SMLAD does two MACs, so a step of four k × four channels
 * is two LDR, two PKH, four LDRD and eight SMLAD.
 * Exactness: |x·w| ≤ 2^15·2^7 = 2^22, so an int32 sum of at most 508 products (TE_S16_CHUNK_STEPS steps of four k
 * and a k % 4 tail step, or 504 depthwise taps) is below 2^31 and exact; each chunk's sum is added to the int64 bias
 * (in int64, or from registers for the usual layer of one chunk) and requantized as the reference does (an int32
 * SMMULR where that is the same: te_s16_requantize_fast). A layer that is not `wide` narrows that total modulo 2^32
 * as the reference does.
 * p->input_offset is not read: int16 activations have zero point 0 (the importer and the quantizer ensure it), so
 * padded taps are zeros.
 */
#include "../internal/asm_build.h"
#include <string.h>
#include "tinyedge/kernels.h"
#include "../internal/armv7em_dsp.h"
#include "../internal/mac_s16.h"
#include "../internal/mac_s16_smmulr.h"

/* Steps of four k per int32 partial sum: a chunk and a k % 4 tail step, 4·127 = 508 products of at most 2^22, stay
   below 2^31. */
#define TE_S16_CHUNK_STEPS 126

/* The pairs (x[0], x[2]) and (x[1], x[3]) of four int16 inputs (unaligned LDR, then PKHBT and PKHTB). */
static inline void te_s16_pairs(const int16_t *x, int32_t *even, int32_t *odd) {
  uint32_t a, b;
  memcpy(&a, x, 4);
  memcpy(&b, x + 2, 4);
  /* gcc spells these in four or five instructions. */
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(*even) : "r"(a), "r"(b));
  __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(*odd) : "r"(b), "r"(a));
}

/* s[0..4) += one group of four channels' sums of 4·steps inputs x against its 'o4-s16-pairs' words w. */
static inline __attribute__((always_inline)) void te_s16_sums(const int16_t *x, const int32_t *w, int32_t steps,
                                                              int32_t s[4]) {
  int32_t s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
  for (; steps > 0; steps--) {
    int32_t e, o, a, b;
    te_s16_pairs(x, &e, &o);
    x += 4;
    TE_LDRD_POST(a, b, w);
    s0 = __smlad(e, a, s0);
    s0 = __smlad(o, b, s0);
    TE_LDRD_POST(a, b, w);
    s1 = __smlad(e, a, s1);
    s1 = __smlad(o, b, s1);
    TE_LDRD_POST(a, b, w);
    s2 = __smlad(e, a, s2);
    s2 = __smlad(o, b, s2);
    TE_LDRD_POST(a, b, w);
    s3 = __smlad(e, a, s3);
    s3 = __smlad(o, b, s3);
  }
  s[0] = s0;
  s[1] = s1;
  s[2] = s2;
  s[3] = s3;
}

/* te_s16_row_outputs's group of four channels past one chunk: each chunk's sums and the tail's added into int64 accumulators. */
static void te_s16_long_group_outputs(const int16_t *x, const int16_t *tail, const int32_t *wg, int32_t full,
                                      int32_t steps, const int64_t *bias, int32_t o0, int32_t len,
                                      const te_mac_params *p, int32_t wide, int16_t *y) {
  int64_t acc[4];
  int32_t c, j;
  te_s16_start_block(acc, len, bias, o0);
  for (c = 0; c < steps; c += TE_S16_CHUNK_STEPS) {
    int32_t s[4] = {0, 0, 0, 0};
    if (c < full) te_s16_sums(x + 4 * c, wg + 8 * c, full - c < TE_S16_CHUNK_STEPS ? full - c : TE_S16_CHUNK_STEPS, s);
    if (c + TE_S16_CHUNK_STEPS >= steps && steps > full) te_s16_sums(tail, wg + 8 * full, 1, s);
    for (j = 0; j < len; j++) acc[j] += s[j];
  }
  te_s16_requantize_channels(acc, len, o0, p, wide, y);
}

/* y[0..out_c): the outputs of a row (or gathered window) of 4·full inputs x and, when steps > full, its k % 4 tail
   zero-padded, four channels at a time. Up to one chunk and the tail (504 k and 3) the sums go to the bias from
   registers; longer rows take te_s16_long_group_outputs. */
static void te_s16_row_outputs(const int16_t *x, const int16_t *tail, const int32_t *words, int32_t full,
                               int32_t steps, const int64_t *bias, int32_t out_c, const te_mac_params *p,
                               int32_t wide, int16_t *y) {
  const te_s16_output_range c = te_s16_output_range_of(p);
  const int32_t *m = p->multipliers, *shift = p->shifts;
  int32_t o0, j;
  for (o0 = 0; o0 < out_c; o0 += 4) {
    const int32_t *wg = words + o0 / 4 * steps * 8;
    const int32_t len = out_c - o0 < 4 ? out_c - o0 : 4;
    int32_t s[4] = {0, 0, 0, 0};
    if (full > TE_S16_CHUNK_STEPS) {
      te_s16_long_group_outputs(x, tail, wg, full, steps, bias, o0, len, p, wide, y);
      continue;
    }
    te_s16_sums(x, wg, full, s);
    if (steps > full) te_s16_sums(tail, wg + 8 * full, 1, s);
    for (j = 0; j < len; j++)
      y[o0 + j] = te_s16_requantize_fast(s[j] + (bias ? bias[o0 + j] : 0), m[o0 + j], shift[o0 + j], c, p, wide);
  }
}

void te_matmul_s16(const int16_t *x, const int8_t *w, const int64_t *bias, int32_t rows, int32_t k, int32_t out_c,
                   const te_mac_params *p, int32_t wide, int16_t *y) {
  const int32_t *words = (const int32_t *)(const void *)w;
  const int32_t full = k / 4, steps = (k + 3) / 4;
  int16_t tail[4];
  int32_t r, i;
  for (r = 0; r < rows; r++) {
    const int16_t *xr = x + r * k;
    /* The k % 4 last inputs, zero-padded as the weights are, so no read passes the row. */
    for (i = 0; i < 4; i++) tail[i] = 4 * full + i < k ? xr[4 * full + i] : 0;
    te_s16_row_outputs(xr, tail, words, full, steps, bias, out_c, p, wide, y + r * out_c);
  }
}

/* The window gathered in chunks: a patch of TE_S16_CHUNK_STEPS steps on the stack (1008 bytes) holds most layers'
   whole window (K ≤ 504), whose outputs then come four channels at a time from registers; longer windows add each
   chunk's sums into int64 accumulators for TE_S16_BLOCK channels. */
void te_conv2d_s16(const int16_t *x, const int8_t *w, const int64_t *bias, const te_window *g, int32_t out_c,
                   const te_mac_params *p, int32_t wide, int16_t *y) {
  const int32_t *words = (const int32_t *)(const void *)w;
  const int32_t steps = (g->kh * g->kw * g->c + 3) / 4;
  int16_t patch[4 * TE_S16_CHUNK_STEPS];
  int64_t acc[TE_S16_BLOCK];
  int32_t n, oy, ox, o0, s, j;
  for (n = 0; n < g->n; n++) {
    const int16_t *xn = x + n * g->h * g->w * g->c;
    for (oy = 0; oy < g->oh; oy++) {
      for (ox = 0; ox < g->ow; ox++) {
        if (steps <= TE_S16_CHUNK_STEPS) {
          te_s16_gather(xn, g, oy, ox, 0, steps, patch);
          te_s16_row_outputs(patch, patch, words, steps, steps, bias, out_c, p, wide, y);
        } else {
          for (o0 = 0; o0 < out_c; o0 += TE_S16_BLOCK) {
            const int32_t len = out_c - o0 < TE_S16_BLOCK ? out_c - o0 : TE_S16_BLOCK;
            te_s16_start_block(acc, len, bias, o0);
            for (s = 0; s < steps; s += TE_S16_CHUNK_STEPS) {
              const int32_t m = steps - s < TE_S16_CHUNK_STEPS ? steps - s : TE_S16_CHUNK_STEPS;
              te_s16_gather(xn, g, oy, ox, s, m, patch);
              for (j = 0; j < len; j += 4) {
                int32_t sums[4] = {0, 0, 0, 0};
                te_s16_sums(patch, words + ((o0 + j) / 4 * steps + s) * 8, m, sums);
                acc[j] += sums[0];
                if (len - j > 1) acc[j + 1] += sums[1];
                if (len - j > 2) acc[j + 2] += sums[2];
                if (len - j > 3) acc[j + 3] += sums[3];
              }
            }
            te_s16_requantize_channels(acc, len, o0, p, wide, y);
          }
        }
        y += out_c;
      }
    }
  }
}

/* The 'c4-int16' weight of tap t, output channel j (taps per channel `taps`). */
static inline int32_t te_s16_dw_weight(const int32_t *words, int32_t taps, int32_t t, int32_t j) {
  const int32_t word = words[((j / 4) * taps + t) * 2 + (j & 1)];
  return (j & 2) ? word >> 16 : (int16_t)word;
}

/* y[0..paired): one output pixel's channels with multiplier 1, four at a time, over its inside taps (rows
   [k[0], k[1]), columns [k[2], k[3]); x0 the input at tap (k[0], k[2])): per tap the pairs of four inputs by
   SMLABB/SMLATT against the tap's two weight words (taps ≤ 504: the sums stay in int32), then the bias and the
   requantization. */
static void te_s16_dw_pixel(const int16_t *x0, const int32_t *words, const te_window *g, const int32_t k[4],
                            int32_t paired, const int64_t *bias, const te_mac_params *p, int32_t wide, int16_t *y) {
  const te_s16_output_range c = te_s16_output_range_of(p);
  const int32_t taps = g->kh * g->kw, rows = k[1] - k[0], cols = k[3] - k[2];
  const int32_t row_step = g->dilation_h * g->w * g->c, col_step = g->dilation_w * g->c, w_row = 2 * g->kw;
  int32_t o0, j, r, q;
  for (o0 = 0; o0 < paired; o0 += 4) {
    const int32_t *wrow = words + ((o0 / 4) * taps + k[0] * g->kw + k[2]) * 2;
    const int16_t *xrow = x0 + o0;
    int32_t s[4];
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (r = 0; r < rows; r++, xrow += row_step, wrow += w_row) {
      const int16_t *xp = xrow;
      const int32_t *wt = wrow;
      for (q = 0; q < cols; q++, xp += col_step) {
        int32_t e, o, a, b;
        te_s16_pairs(xp, &e, &o);
        TE_LDRD_POST(a, b, wt);
        s0 = __smlabb(e, a, s0);
        s2 = __smlatt(e, a, s2);
        s1 = __smlabb(o, b, s1);
        s3 = __smlatt(o, b, s3);
      }
    }
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
    for (j = 0; j < 4; j++)
      y[o0 + j] = te_s16_requantize_fast(s[j] + (bias ? bias[o0 + j] : 0), p->multipliers[o0 + j], p->shifts[o0 + j],
                                         c, p, wide);
  }
}

void te_depthwise_conv2d_s16(const int16_t *x, const int8_t *w, const int64_t *bias, const te_window *g,
                             int32_t multiplier, const te_mac_params *p, int32_t wide, int16_t *y) {
  const int32_t *words = (const int32_t *)(const void *)w;
  const int32_t out_c = g->c * multiplier, taps = g->kh * g->kw;
  /* The paired path: multiplier 1 and few enough taps for int32 sums; the rest one channel at a time in int64. */
  const int32_t paired = multiplier == 1 && taps <= 4 * TE_S16_CHUNK_STEPS ? out_c & ~3 : 0;
  int64_t acc[4];
  int32_t n, oy, ox, o0, j, ky, kx, k[4];
  for (n = 0; n < g->n; n++) {
    const int16_t *xn = x + n * g->h * g->w * g->c;
    for (oy = 0; oy < g->oh; oy++) {
      const int32_t iy = oy * g->stride_h - g->pad_top;
      te_s16_inside(iy, g->kh, g->dilation_h, g->h, &k[0], &k[1]);
      for (ox = 0; ox < g->ow; ox++) {
        const int32_t ix = ox * g->stride_w - g->pad_left;
        te_s16_inside(ix, g->kw, g->dilation_w, g->w, &k[2], &k[3]);
        te_s16_dw_pixel(xn + ((iy + k[0] * g->dilation_h) * g->w + ix + k[2] * g->dilation_w) * g->c, words, g, k,
                        paired, bias, p, wide, y);
        for (o0 = paired; o0 < out_c; o0 += 4) {
          const int32_t len = out_c - o0 < 4 ? out_c - o0 : 4;
          te_s16_start_block(acc, len, bias, o0);
          for (ky = k[0]; ky < k[1]; ky++)
            for (kx = k[2]; kx < k[3]; kx++) {
              const int16_t *xp = xn + ((iy + ky * g->dilation_h) * g->w + ix + kx * g->dilation_w) * g->c;
              for (j = 0; j < len; j++)
                acc[j] += xp[(o0 + j) / multiplier] * te_s16_dw_weight(words, taps, ky * g->kw + kx, o0 + j);
            }
          te_s16_requantize_channels(acc, len, o0, p, wide, y);
        }
        y += out_c;
      }
    }
  }
}
