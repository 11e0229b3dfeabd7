/*
 * Cortex-M4/M7 (Armv7E-M DSP) 16×8 MAC kernels (family int16_mac): int16 activations, int8 weights widened to the
 * int16 pairs of the int8 kernels (matmul and conv 'o4-s16-pairs', depthwise 'c4-int16': kernel-table.ts), int64
 * biases, and the reference's requantization (internal/mac_s16.h), so they are bit-exact with kernels/ref/int16_mac.c.
 * The activations are already int16: two LDR and a PKHBT/PKHTB make the pairs (x[k], x[k + 2]) and
 * (x[k + 1], x[k + 3]) the weights are stored against, and SMLAD does two MACs, so a step of four k × four channels
 * is two LDR, two PKH, four LDRD and eight SMLAD.
 * Exactness: |x·w| ≤ 2^15·2^7 = 2^22, so an int32 sum of at most 508 products (TE_S16_CHUNK_STEPS steps of four k)
 * is below 2^31 and exact; each chunk's sum is added into the int64 accumulator that starts at the int64 bias. A
 * layer that is not `wide` narrows that total modulo 2^32 as the reference does.
 * p->input_offset is not read: int16 activations have zero point 0 (the importer and the quantizer ensure it), so
 * padded taps are zeros.
 */
#include <string.h>
#include "tinyedge/kernels.h"
#include "../internal/armv7em_dsp.h"
#include "../internal/mac_s16.h"

/* Steps of four k per int32 partial sum: 4·127 = 508 products of at most 2^22 stay below 2^31. */
#define TE_S16_CHUNK_STEPS 127

/* The pairs (x[0], x[2]) and (x[1], x[3]) of four int16 inputs (unaligned LDR, then PKHBT and PKHTB). */
static inline void te_s16_pairs(const int16_t *x, int32_t *even, int32_t *odd) {
  uint32_t a, b;
  memcpy(&a, x, 4);
  memcpy(&b, x + 2, 4);
  *even = (int32_t)((a & 0xffffu) | (b << 16));
  *odd = (int32_t)((b & 0xffff0000u) | (a >> 16));
}

/* acc[0..len) += one group of four channels' sums of 4·steps inputs x against its 'o4-s16-pairs' words w
   (steps ≤ TE_S16_CHUNK_STEPS). */
static void te_s16_group(const int16_t *x, const int32_t *w, int32_t steps, int64_t *acc, int32_t len) {
  int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
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
  acc[0] += s0;
  if (len > 1) acc[1] += s1;
  if (len > 2) acc[2] += s2;
  if (len > 3) acc[3] += s3;
}

/* acc[0..len) += the channels [o0, o0 + len) (o0 a multiple of four) of x's steps [s0, s0 + n) in chunks. */
static void te_s16_channels(const int16_t *x, const int32_t *w, int32_t steps, int32_t s0, int32_t n, int32_t o0,
                            int64_t *acc, int32_t len) {
  int32_t j;
  for (j = 0; j < len; j += 4)
    te_s16_group(x, w + ((o0 + j) / 4 * steps + s0) * 8, n, acc + j, len - j < 4 ? len - j : 4);
}

void te_matmul_s16(const int16_t *x, const int8_t *w, const int64_t *bias, int32_t rows, int32_t k, int32_t out_c,
                   const te_mac_params *p, int32_t wide, int16_t *y) {
  const int32_t *words = (const int32_t *)(const void *)w;
  const int32_t full = k / 4, steps = (k + 3) / 4;
  int64_t acc[4];
  int16_t tail[4];
  int32_t r, o0, s, i;
  for (r = 0; r < rows; r++) {
    const int16_t *xr = x + r * k;
    /* The k % 4 last inputs, zero-padded as the weights are, so no read passes the row. */
    for (i = 0; i < 4; i++) tail[i] = 4 * full + i < k ? xr[4 * full + i] : 0;
    for (o0 = 0; o0 < out_c; o0 += 4) {
      const int32_t len = out_c - o0 < 4 ? out_c - o0 : 4;
      te_s16_start_block(acc, len, bias, o0);
      for (s = 0; s < full; s += TE_S16_CHUNK_STEPS) {
        const int32_t n = full - s < TE_S16_CHUNK_STEPS ? full - s : TE_S16_CHUNK_STEPS;
        te_s16_channels(xr + 4 * s, words, steps, s, n, o0, acc, len);
      }
      if (steps > full) te_s16_channels(tail, words, steps, full, 1, o0, acc, len);
      te_s16_requantize_block(acc, len, o0, p, wide, y + r * out_c);
    }
  }
}

/* patch[0..4n) = the window of output pixel (oy, ox) at k in [4·s0, 4·(s0 + n)): each tap's c inputs where the tap
   is inside the input, zeros for padded taps and past the window's k. */
static void te_s16_gather(const int16_t *x, const te_window *g, int32_t oy, int32_t ox, int32_t s0, int32_t n,
                          int16_t *patch) {
  const int32_t lo = 4 * s0, hi = 4 * (s0 + n);
  int32_t ky, kx;
  memset(patch, 0, (size_t)(hi - lo) * sizeof(int16_t));
  for (ky = 0; ky < g->kh; ky++) {
    const int32_t iy = oy * g->stride_h - g->pad_top + ky * g->dilation_h;
    if (iy < 0 || iy >= g->h) continue;
    for (kx = 0; kx < g->kw; kx++) {
      const int32_t ix = ox * g->stride_w - g->pad_left + kx * g->dilation_w;
      const int32_t t0 = (ky * g->kw + kx) * g->c;
      const int32_t from = t0 > lo ? t0 : lo, to = t0 + g->c < hi ? t0 + g->c : hi;
      if (ix < 0 || ix >= g->w || from >= to) continue;
      memcpy(patch + (from - lo), x + (iy * g->w + ix) * g->c + (from - t0), (size_t)(to - from) * sizeof(int16_t));
    }
  }
}

void te_conv2d_s16(const int16_t *x, const int8_t *w, const int64_t *bias, const te_window *g, int32_t out_c,
                   const te_mac_params *p, int32_t wide, int16_t *y) {
  const int32_t *words = (const int32_t *)(const void *)w;
  const int32_t steps = (g->kh * g->kw * g->c + 3) / 4;
  int16_t patch[4 * TE_S16_CHUNK_STEPS];
  int64_t acc[TE_S16_BLOCK];
  int32_t n, oy, ox, o0, s;
  for (n = 0; n < g->n; n++) {
    const int16_t *xn = x + n * g->h * g->w * g->c;
    for (oy = 0; oy < g->oh; oy++) {
      for (ox = 0; ox < g->ow; ox++) {
        for (o0 = 0; o0 < out_c; o0 += TE_S16_BLOCK) {
          const int32_t len = out_c - o0 < TE_S16_BLOCK ? out_c - o0 : TE_S16_BLOCK;
          te_s16_start_block(acc, len, bias, o0);
          for (s = 0; s < steps; s += TE_S16_CHUNK_STEPS) {
            const int32_t m = steps - s < TE_S16_CHUNK_STEPS ? steps - s : TE_S16_CHUNK_STEPS;
            te_s16_gather(xn, g, oy, ox, s, m, patch);
            te_s16_channels(patch, words, steps, s, m, o0, acc, len);
          }
          te_s16_requantize_block(acc, len, o0, p, wide, y);
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

/* One output pixel's channels [o0, o0 + 4) with multiplier 1, every channel inside the input's c: per tap, the
   pairs of four inputs by SMLABB/SMLATT against the tap's two weight words (taps ≤ 508: the sums stay in int32). */
static void te_s16_dw_group(const int16_t *x, const int32_t *words, const te_window *g, int32_t oy, int32_t ox,
                            int32_t o0, int64_t *acc) {
  const int32_t taps = g->kh * g->kw;
  const int32_t *wg = words + (o0 / 4) * taps * 2;
  int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, ky, kx;
  for (ky = 0; ky < g->kh; ky++) {
    const int32_t iy = oy * g->stride_h - g->pad_top + ky * g->dilation_h;
    if (iy < 0 || iy >= g->h) continue;
    for (kx = 0; kx < g->kw; kx++) {
      const int32_t ix = ox * g->stride_w - g->pad_left + kx * g->dilation_w;
      const int32_t *wt = wg + (ky * g->kw + kx) * 2;
      int32_t e, o;
      if (ix < 0 || ix >= g->w) continue;
      te_s16_pairs(x + (iy * g->w + ix) * g->c + o0, &e, &o);
      s0 = __smlabb(e, wt[0], s0);
      s2 = __smlatt(e, wt[0], s2);
      s1 = __smlabb(o, wt[1], s1);
      s3 = __smlatt(o, wt[1], s3);
    }
  }
  acc[0] += s0;
  acc[1] += s1;
  acc[2] += s2;
  acc[3] += s3;
}

void te_depthwise_conv2d_s16(const int16_t *x, const int8_t *w, const int64_t *bias, const te_window *g,
                             int32_t multiplier, const te_mac_params *p, int32_t wide, int16_t *y) {
  const int32_t *words = (const int32_t *)(const void *)w;
  const int32_t out_c = g->c * multiplier, taps = g->kh * g->kw;
  /* The paired path: multiplier 1 and few enough taps for int32 sums; the rest one channel at a time in int64. */
  const int32_t paired = multiplier == 1 && taps <= 4 * TE_S16_CHUNK_STEPS ? out_c & ~3 : 0;
  int64_t acc[4];
  int32_t n, oy, ox, o0, j, ky, kx;
  for (n = 0; n < g->n; n++) {
    const int16_t *xn = x + n * g->h * g->w * g->c;
    for (oy = 0; oy < g->oh; oy++) {
      for (ox = 0; ox < g->ow; ox++) {
        for (o0 = 0; o0 < out_c; o0 += 4) {
          const int32_t len = out_c - o0 < 4 ? out_c - o0 : 4;
          te_s16_start_block(acc, len, bias, o0);
          if (o0 < paired) {
            te_s16_dw_group(xn, words, g, oy, ox, o0, acc);
          } else {
            for (ky = 0; ky < g->kh; ky++) {
              const int32_t iy = oy * g->stride_h - g->pad_top + ky * g->dilation_h;
              if (iy < 0 || iy >= g->h) continue;
              for (kx = 0; kx < g->kw; kx++) {
                const int32_t ix = ox * g->stride_w - g->pad_left + kx * g->dilation_w;
                const int16_t *xp = xn + (iy * g->w + ix) * g->c;
                if (ix < 0 || ix >= g->w) continue;
                for (j = 0; j < len; j++)
                  acc[j] += xp[(o0 + j) / multiplier] * te_s16_dw_weight(words, taps, ky * g->kw + kx, o0 + j);
              }
            }
          }
          te_s16_requantize_block(acc, len, o0, p, wide, y);
        }
        y += out_c;
      }
    }
  }
}
