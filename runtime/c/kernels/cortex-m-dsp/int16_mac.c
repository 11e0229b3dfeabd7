/*
 * Cortex-M4/M7 (Armv7E-M DSP) 16×8 MAC kernels (family int16_mac): int16 activations, int8 weights widened to int16
 * pairs (matmul and conv 'o4-k2-s16', depthwise 'c4-int16': kernel-table.ts), int64 biases, and the reference's
 * requantization (internal/mac_s16.h), so they are bit-exact with kernels/ref/int16_mac.c.
 * Matmul and conv run two rows (or two windows gathered whole into the compiler's patch: te_conv2d_patch_s16) × four
 * channels a step (internal/armv7em_s16_pairs.h): one LDR of an int16 row is the pair (x[k], x[k + 1]) the weights
 * are stored against, so each weight word loaded feeds two rows' SMLAD. Depthwise reads four channels a tap as two words and picks their halves by SMLAxy against 'c4-int16'
 * taps (internal/armv7em_s16_dw.h: a whole 3×3 window in asm).
 * Exactness: |x·w| ≤ 2^15·2^7 = 2^22, so an int32 sum of at most 511 products (matmul, conv) or 504 taps
 * (depthwise) is below 2^31 and exact; each chunk's sum is added to the int64 bias (in int64 for longer rows) and
 * requantized as the reference does (an int32 SMMULR where that is the same: te_s16_requantize_fast). A layer that
 * is not `wide` narrows that total modulo 2^32 as the reference does.
 * p->input_offset is not read: int16 activations have zero point 0 (the importer and the quantizer ensure it), so
 * padded taps are zeros.
 */
#include "../internal/asm_build.h"
#include <string.h>
#include "tinyedge/kernels.h"
#include "../internal/armv7em_dsp.h"
#include "../internal/mac_s16.h"
#include "../internal/mac_s16_smmulr.h"
#include "../internal/armv7em_s16_pairs.h"
#include "../internal/armv7em_s16_dw.h"

/* Pairs of k per int32 partial sum: |x·w| ≤ 2^15·2^7 = 2^22, so a chunk of 255 pairs and an odd K's last k, 511
   products, stays below 2^31 and is exact. */
#define TE_S16_CHUNK_PAIRS 255
/* Depthwise's paired path: at most 4·126 = 504 taps, so its int32 sums are exact. */
#define TE_S16_CHUNK_STEPS 126
/* k per window chunk of te_conv2d_s16: two windows' chunks on the stack (1 KB). */
#define TE_S16_PATCH_K 256
/* Output channels per block of te_conv2d_s16's int64 accumulators for windows past one chunk (two windows: 512 B). */
#define TE_S16_CONV_BLOCK 32

/* s[0..4) = one group's sums of one row x over `pairs` pairs of k against its 'o4-k2-s16' words w: per pair one LDR
   of x, two LDRD of weights, four SMLAD (a row alone: dense layers, an odd last row or window). */
static inline void te_s16_row_sums(const int16_t *x, const int32_t *w, int32_t pairs, int32_t s[4]) {
  int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (; pairs > 0; pairs--) {
    int32_t xv, a, b;
    memcpy(&xv, x, 4);
    x += 2;
    TE_LDRD_POST(a, b, w);
    s0 = __smlad(xv, a, s0);
    s1 = __smlad(xv, b, s1);
    TE_LDRD_POST(a, b, w);
    s2 = __smlad(xv, a, s2);
    s3 = __smlad(xv, b, s3);
  }
  s[0] = s0;
  s[1] = s1;
  s[2] = s2;
  s[3] = s3;
}

/* s[0..8) = one group's sums of k ≤ 511 inputs of rows a (xa) and b (stride bytes on; 0: row a alone, its sums
   twice) against its 'o4-k2-s16' words wg: the pairs of k, then an odd k's last input against its word's low half. */
static inline void te_s16_group_sums(const int16_t *xa, int32_t stride, int32_t k, const int32_t *wg, int32_t s[8]) {
  const int32_t pairs = k >> 1;
  int32_t j;
  if (!stride) {
    te_s16_row_sums(xa, wg, pairs, s);
    if (k & 1)
      for (j = 0; j < 4; j++) s[j] += xa[k - 1] * (int16_t)wg[4 * pairs + j];
    for (j = 0; j < 4; j++) s[4 + j] = s[j];
    return;
  }
  if (pairs)
    te_s16_pair_sums(xa, wg, pairs, stride, s);
  else
    for (j = 0; j < 8; j++) s[j] = 0;
  if (k & 1) {
    const int32_t a = xa[k - 1], b = *(const int16_t *)(const void *)((const char *)(xa + k - 1) + stride);
    for (j = 0; j < 4; j++) {
      const int32_t wj = (int16_t)wg[4 * pairs + j];
      s[j] += a * wj;
      s[4 + j] += b * wj;
    }
  }
}

/*
 * A block of channels' requantization constants, computed once per call and block: where every channel of it takes
 * te_s16_requantize_fast's SMMULR (a wide layer, shifts −17..−1, output offset 0) and its bias is small enough that
 * bias + an int32 sum of k ≤ 511 products (|·| ≤ k·2^22) stays within int32, per channel the bias narrowed and the
 * SMMULR multiplier (br, interleaved as te_s16_pair_groups reads them); else `fast` is 0 and the block requantizes
 * through te_s16_requantize_fast per output.
 */
typedef struct {
  int32_t fast;
  int32_t br[2 * TE_S16_BLOCK];
} te_s16_block_constants;

static void te_s16_block_constants_of(const int64_t *bias, const te_mac_params *p, int32_t wide, int32_t k,
                                      int32_t o0, int32_t len, te_s16_block_constants *c) {
  const int64_t room = k <= 2 * TE_S16_CHUNK_PAIRS + 1 ? (int64_t)0x7FFFFFFF - ((int64_t)k << 22) : -1;
  int32_t j;
  c->fast = wide && room >= 0 && p->output_offset == 0 && p->act_min >= -32768 && p->act_max <= 32767;
  for (j = 0; j < len && c->fast; j++) {
    const int64_t b = bias ? bias[o0 + j] : 0;
    const int32_t m = p->multipliers[o0 + j], shift = p->shifts[o0 + j];
    c->fast = b <= room && b >= -room && shift <= -1 && shift >= -17;
    if (!c->fast) break; /* (and no shift by 17 + shift outside 0..16) */
    c->br[2 * j] = (int32_t)b;
    c->br[2 * j + 1] = (m < 0x7FFF0000 ? (m + (1 << 15)) >> 16 : 0x7FFF) << (17 + shift);
  }
}

/* te_s16_requantize_fast's SMMULR path on an int32 total (te_s16_block_constants: exact). */
static inline int16_t te_s16_smmulr_output(int32_t total, int32_t r, te_s16_output_range c) {
  int32_t z;
  __asm__("smmulr %0, %1, %2" : "=r"(z) : "r"(total), "r"(r));
  z += c.offset;
  return (int16_t)(z < c.lo ? c.lo : z > c.hi ? c.hi : z);
}

/* Channels [o0, o0 + len) of rows a and, with yb, b from one group's sums s (row a's s[0..4), b's s[4..8)), the
   block's channels starting at ob. */
static inline void te_s16_store_pair(const int32_t s[8], int32_t o0, int32_t len, int32_t ob,
                                     const te_s16_block_constants *kc, const int64_t *bias, const te_mac_params *p,
                                     int32_t wide, te_s16_output_range c, int16_t *ya, int16_t *yb) {
  int32_t j;
  if (kc->fast) {
    const int32_t *br = kc->br + 2 * (o0 - ob);
    for (j = 0; j < len; j++) ya[o0 + j] = te_s16_smmulr_output(s[j] + br[2 * j], br[2 * j + 1], c);
    if (yb)
      for (j = 0; j < len; j++) yb[o0 + j] = te_s16_smmulr_output(s[4 + j] + br[2 * j], br[2 * j + 1], c);
    return;
  }
  for (j = 0; j < len; j++) {
    const int64_t b = bias ? bias[o0 + j] : 0;
    const int32_t m = p->multipliers[o0 + j], shift = p->shifts[o0 + j];
    ya[o0 + j] = te_s16_requantize_fast(s[j] + b, m, shift, c, p, wide);
    if (yb) yb[o0 + j] = te_s16_requantize_fast(s[4 + j] + b, m, shift, c, p, wide);
  }
}

/* Channels [ob, ob + blen) of rows a (xa, k inputs) and, with yb, b (stride bytes on), four at a time, with the
   block's constants kc. Up to 511 k the sums go to the bias as they are; longer rows add 510-k chunks' into int64. */
static void te_s16_pair_outputs(const int16_t *xa, int32_t stride, int32_t k, const int32_t *words,
                                const int64_t *bias, int32_t ob, int32_t blen, const te_s16_block_constants *kc,
                                const te_mac_params *p, int32_t wide, int16_t *ya, int16_t *yb) {
  const te_s16_output_range c = te_s16_output_range_of(p);
  const int32_t group_words = 4 * ((k + 1) >> 1), chunk = 2 * TE_S16_CHUNK_PAIRS;
  int32_t o0 = ob, i, j, s[8];
  if (kc->fast && yb && !(k & 1) && k >= 2 && blen >= 4) {
    /* The full groups in asm (te_s16_pair_groups); an odd k, a row alone or the out_c % 4 last channels below. */
    const int32_t groups = blen >> 2;
    te_s16_pair_job job;
    job.xa = xa;
    job.end = xa + k;
    job.stride = stride;
    job.entry = (k >> 1) & 3;
    job.br = kc->br;
    job.ya = ya + ob;
    job.y_stride = (int32_t)((yb - ya) * 2);
    job.ya_end = ya + ob + 4 * groups;
    job.lo2 = ((uint32_t)p->act_min & 0xFFFF) | ((uint32_t)p->act_min << 16);
    job.hi2 = ((uint32_t)p->act_max & 0xFFFF) | ((uint32_t)p->act_max << 16);
    te_s16_pair_groups(&job, words + ob / 4 * group_words);
    o0 = ob + 4 * groups;
  }
  for (; o0 < ob + blen; o0 += 4) {
    const int32_t *wg = words + o0 / 4 * group_words;
    const int32_t len = ob + blen - o0 < 4 ? ob + blen - o0 : 4;
    int64_t acc[8];
    if (k <= chunk + 1) {
      te_s16_group_sums(xa, stride, k, wg, s);
      te_s16_store_pair(s, o0, len, ob, kc, bias, p, wide, c, ya, yb);
      continue;
    }
    te_s16_start_block(acc, len, bias, o0);
    te_s16_start_block(acc + 4, len, bias, o0);
    for (i = 0; i < k; i += chunk) {
      te_s16_group_sums(xa + i, stride, k - i < chunk ? k - i : chunk, wg + 2 * i, s);
      for (j = 0; j < len; j++) {
        acc[j] += s[j];
        acc[4 + j] += s[4 + j];
      }
    }
    te_s16_requantize_channels(acc, len, o0, p, wide, ya);
    if (yb) te_s16_requantize_channels(acc + 4, len, o0, p, wide, yb);
  }
}

/* Blocks of TE_S16_BLOCK channels (their constants once), in each two rows at a time, the second k inputs after
   the first; an odd last row alone (stride 0: its sums twice). */
void te_matmul_s16(const int16_t *x, const int8_t *w, const int64_t *bias, int32_t rows, int32_t k, int32_t out_c,
                   const te_mac_params *p, int32_t wide, int16_t *y) {
  const int32_t *words = (const int32_t *)(const void *)w;
  te_s16_block_constants kc;
  int32_t ob, r;
  for (ob = 0; ob < out_c; ob += TE_S16_BLOCK) {
    const int32_t blen = out_c - ob < TE_S16_BLOCK ? out_c - ob : TE_S16_BLOCK;
    te_s16_block_constants_of(bias, p, wide, k, ob, blen, &kc);
    for (r = 0; r + 1 < rows; r += 2)
      te_s16_pair_outputs(x + r * k, 2 * k, k, words, bias, ob, blen, &kc, p, wide, y + r * out_c,
                          y + (r + 1) * out_c);
    if (r < rows) te_s16_pair_outputs(x + r * k, 0, k, words, bias, ob, blen, &kc, p, wide, y + r * out_c, 0);
  }
}

/* n int16 from src to dst: 16 bytes a step (four unaligned LDR and STR, as gcc inlines the fixed memcpy), then
   words, then a last int16. */
static inline void te_s16_copy_run(int16_t *dst, const int16_t *src, int32_t n) {
  for (; n >= 8; n -= 8, src += 8, dst += 8) memcpy(dst, src, 16);
  for (; n >= 2; n -= 2, src += 2, dst += 2) memcpy(dst, src, 4);
  if (n) *dst = *src;
}

/* Windows of two neighbouring pixels of one output row whose taps all lie inside the input (dilation_w 1), src at
   the first one's top-left tap, into pa and pb: kh runs of kw·c int16 each, no bounds tests (te_s16_gather tests
   every tap and zeroes the patch first). */
static void te_s16_gather_inner_pair(const int16_t *src, const te_window *g, int16_t *pa, int16_t *pb) {
  const int32_t run = g->kw * g->c, next = g->stride_w * g->c, pitch = g->dilation_h * g->w * g->c;
  int32_t ky;
  for (ky = 0; ky < g->kh; ky++, src += pitch, pa += run, pb += run) {
    te_s16_copy_run(pa, src, run);
    te_s16_copy_run(pb, src + next, run);
  }
}

/* Whole windows two at a time (output pixels in order, across rows) into patch and patch + patch_k (patch_k: k
   padded to a multiple of four, as te_s16_gather writes it), then both through te_s16_pair_outputs, a block of
   TE_S16_BLOCK channels at a time (its constants once per call; past 511 k in int32 chunks added into int64). An odd
   K's windows carry one more k, the zero the patch holds after them (set once: the gathers write only the window's k,
   or zero the rest), so they take the even-K asm path; the weights' pad is zero too. A pair wholly inside the input
   is copied in runs without bounds tests. */
static void te_conv2d_s16_patched(const int16_t *x, const int32_t *words, const int64_t *bias, const te_window *g,
                                  int32_t out_c, const te_mac_params *p, int16_t *patch, int32_t patch_k,
                                  int32_t wide, int16_t *y) {
  const int32_t k = g->kh * g->kw * g->c, even_k = k + (k & 1), pixels = g->oh * g->ow, ow = g->ow;
  const int32_t stride = 2 * patch_k, last_iy = (g->kh - 1) * g->dilation_h;
  const int32_t last_ix = g->stride_w + g->kw - 1;
  te_s16_block_constants kc;
  int32_t n, q, oy, ox, ob;
  if (k & 1) patch[k] = patch[patch_k + k] = 0;
  for (ob = 0; ob < out_c; ob += TE_S16_BLOCK) {
    const int32_t blen = out_c - ob < TE_S16_BLOCK ? out_c - ob : TE_S16_BLOCK;
    te_s16_block_constants_of(bias, p, wide, k, ob, blen, &kc);
    for (n = 0; n < g->n; n++) {
      const int16_t *xn = x + n * g->h * g->w * g->c;
      int16_t *yn = y + n * pixels * out_c;
      for (q = 0, oy = 0, ox = 0; q < pixels; q += 2) {
        const int32_t both = q + 1 < pixels;
        const int32_t iy = oy * g->stride_h - g->pad_top, ix = ox * g->stride_w - g->pad_left;
        int16_t *ya = yn + q * out_c, *yb = both ? ya + out_c : 0;
        if (ox + 1 < ow && g->dilation_w == 1 && iy >= 0 && iy + last_iy < g->h && ix >= 0 && ix + last_ix < g->w) {
          te_s16_gather_inner_pair(xn + (iy * g->w + ix) * g->c, g, patch, patch + patch_k);
        } else {
          te_s16_gather(xn, g, oy, ox, 0, (k + 3) / 4, patch);
          if (both)
            te_s16_gather(xn, g, ox + 1 < ow ? oy : oy + 1, ox + 1 < ow ? ox + 1 : 0, 0, (k + 3) / 4, patch + patch_k);
        }
        te_s16_pair_outputs(patch, both ? stride : 0, even_k, words, bias, ob, blen, &kc, p, wide, ya, yb);
        ox += 2;
        if (ox >= ow) ox -= ow, oy++;
      }
    }
  }
}

/* The compiler's call where it planned the patch (two windows of k padded to a multiple of four). */
void te_conv2d_patch_s16(const int16_t *x, const int8_t *w, const int64_t *bias, const te_window *g, int32_t out_c,
                         const te_mac_params *p, int16_t *patch, int32_t wide, int16_t *y) {
  te_conv2d_s16_patched(x, (const int32_t *)(const void *)w, bias, g, out_c, p, patch,
                        4 * ((g->kh * g->kw * g->c + 3) / 4), wide, y);
}

/* The library's entry without a planned patch (the compiler plans one and calls te_conv2d_patch_s16): windows of up
   to TE_S16_PATCH_K k through te_conv2d_s16_patched with a patch on the stack; longer ones two at a time, a chunk of each window at a time, each chunk's sums added into int64 accumulators
   for TE_S16_CONV_BLOCK channels. */
void te_conv2d_s16(const int16_t *x, const int8_t *w, const int64_t *bias, const te_window *g, int32_t out_c,
                   const te_mac_params *p, int32_t wide, int16_t *y) {
  const int32_t *words = (const int32_t *)(const void *)w;
  const int32_t k = g->kh * g->kw * g->c, pixels = g->oh * g->ow, group_words = 4 * ((k + 1) >> 1);
  const int32_t stride = 2 * TE_S16_PATCH_K;
  int16_t patch[2 * TE_S16_PATCH_K];
  int64_t acc[2 * TE_S16_CONV_BLOCK];
  int32_t n, q, e, o0, i, j, s[8];
  if (k <= TE_S16_PATCH_K) {
    te_conv2d_s16_patched(x, words, bias, g, out_c, p, patch, TE_S16_PATCH_K, wide, y);
    return;
  }
  for (n = 0; n < g->n; n++) {
    const int16_t *xn = x + n * g->h * g->w * g->c;
    int16_t *yn = y + n * pixels * out_c;
    for (q = 0; q < pixels; q += 2) {
      const int32_t both = q + 1 < pixels;
      int16_t *ya = yn + q * out_c, *yb = both ? ya + out_c : 0;
      for (o0 = 0; o0 < out_c; o0 += TE_S16_CONV_BLOCK) {
        const int32_t len = out_c - o0 < TE_S16_CONV_BLOCK ? out_c - o0 : TE_S16_CONV_BLOCK;
        te_s16_start_block(acc, len, bias, o0);
        te_s16_start_block(acc + TE_S16_CONV_BLOCK, len, bias, o0);
        for (i = 0; i < k; i += TE_S16_PATCH_K) {
          const int32_t m = k - i < TE_S16_PATCH_K ? k - i : TE_S16_PATCH_K;
          for (e = 0; e <= both; e++)
            te_s16_gather(xn, g, (q + e) / g->ow, (q + e) % g->ow, i / 4, (m + 3) / 4, patch + e * TE_S16_PATCH_K);
          for (j = 0; j < len; j += 4) {
            const int32_t t = len - j < 4 ? len - j : 4;
            int32_t r;
            te_s16_group_sums(patch, both ? stride : 0, m, words + (o0 + j) / 4 * group_words + 2 * i, s);
            for (r = 0; r < t; r++) {
              acc[j + r] += s[r];
              acc[TE_S16_CONV_BLOCK + j + r] += s[4 + r];
            }
          }
        }
        te_s16_requantize_channels(acc, len, o0, p, wide, ya);
        if (yb) te_s16_requantize_channels(acc + TE_S16_CONV_BLOCK, len, o0, p, wide, yb);
      }
    }
  }
}

/* The 'c4-int16' weight of tap t, output channel j (taps per channel `taps`). */
static inline int32_t te_s16_dw_weight(const int32_t *words, int32_t taps, int32_t t, int32_t j) {
  const int32_t word = words[((j / 4) * taps + t) * 2 + (j & 1)];
  return (j & 2) ? word >> 16 : (int16_t)word;
}

/* A block's requantization constants for the depthwise kernel, per group of four channels (te_s16_block_constants_of
   over the group: a layer's far-right shifts, below −17, take only their own groups off the SMMULR path). */
typedef struct {
  int32_t all_fast;
  int32_t fast[TE_S16_BLOCK / 4];
  int32_t br[2 * TE_S16_BLOCK];
} te_s16_dw_constants;

static void te_s16_dw_constants_of(const int64_t *bias, const te_mac_params *p, int32_t wide, int32_t taps,
                                   int32_t ob, int32_t blen, te_s16_dw_constants *c) {
  te_s16_block_constants group;
  int32_t o0;
  c->all_fast = 1;
  for (o0 = ob; o0 < ob + blen; o0 += 4) {
    te_s16_block_constants_of(bias, p, wide, taps, o0, 4, &group);
    c->fast[(o0 - ob) / 4] = group.fast;
    c->all_fast &= group.fast;
    memcpy(c->br + 2 * (o0 - ob), group.br, sizeof(int32_t) * 8);
  }
}

/* Channels [ob, ob + blen) (a multiple of 4, multiplier 1) of one output pixel over its inside taps (rows
   [k[0], k[1]), columns [k[2], k[3]); x0 the input at tap (k[0], k[2]), channel 0), with the block's constants kc: a
   3×3 filter's windows in asm (te_s16_dw_window), others tap by tap (taps ≤ 504: the sums stay in int32), then the
   bias and the requantization (in asm where kc found one SMMULR exact for the group; lo2, hi2: the activation range
   in both halves). */
static inline void te_s16_dw_pixel(const int16_t *x0, const int32_t *words, const te_window *g, const int32_t k[4],
                                   int32_t ob, int32_t blen, const te_s16_dw_constants *kc, uint32_t lo2,
                                   uint32_t hi2, const int64_t *bias, const te_mac_params *p, int32_t wide,
                                   int16_t *y) {
  const int32_t taps = g->kh * g->kw, rows = k[1] - k[0], cols = k[3] - k[2];
  const int32_t row_step = g->dilation_h * g->w * g->c, col_step = g->dilation_w * g->c, w_row = 2 * g->kw;
  const int32_t shape = g->kh == 3 && g->kw == 3 ? 3 * rows + cols : 0;
  const int32_t *wg = words + (ob / 4) * taps * 2, first = (k[0] * g->kw + k[2]) * 2;
  int32_t o0, j, r, q, s0, s1, s2, s3;
  if (kc->all_fast && te_s16_dw_fast_groups(shape, x0 + ob, wg + first, 2 * col_step, 2 * row_step, kc->br, lo2,
                                            hi2, y + ob, y + ob + blen))
    return;
  for (o0 = ob; o0 < ob + blen; o0 += 4, wg += 2 * taps) {
    if (!te_s16_dw_window(shape, x0 + o0, wg + first, 2 * col_step, 2 * row_step, &s0, &s1, &s2, &s3)) {
      const int32_t *wrow = wg + first;
      const int16_t *xrow = x0 + o0;
      s0 = s1 = s2 = s3 = 0;
      for (r = 0; r < rows; r++, xrow += row_step, wrow += w_row)
        for (q = 0; q < cols; q++) te_s16_dw_tap(xrow + q * col_step, wrow + 2 * q, &s0, &s1, &s2, &s3);
    }
    if (kc->fast[(o0 - ob) / 4]) {
      te_s16_dw_store4(s0, s1, s2, s3, kc->br + 2 * (o0 - ob), lo2, hi2, y + o0);
    } else {
      const te_s16_output_range c = te_s16_output_range_of(p);
      const int32_t s[4] = {s0, s1, s2, s3};
      for (j = 0; j < 4; j++)
        y[o0 + j] = te_s16_requantize_fast(s[j] + (bias ? bias[o0 + j] : 0), p->multipliers[o0 + j],
                                           p->shifts[o0 + j], c, p, wide);
    }
  }
}

/* A run of `pixels` output pixels of one row whose 3×3 windows are whole and whose block takes the SMMULR path
   throughout: each pixel's groups in one asm loop (te_s16_dw_fast_groups), x and y stepped by x_step and y_step
   int16s, without te_s16_dw_pixel's window clipping. */
static __attribute__((noinline)) void te_s16_dw_run(const int16_t *x, int32_t x_step, const int32_t *w, int32_t xs,
                                                    int32_t ys, const int32_t *br, uint32_t lo2, uint32_t hi2,
                                                    int16_t *y, int32_t y_step, int32_t blen, int32_t pixels) {
  for (; pixels > 0; pixels--, x += x_step, y += y_step)
    te_s16_dw_fast_groups(12, x, w, xs, ys, br, lo2, hi2, y, y + blen);
}

/* The paired channels (multiplier 1, few enough taps for int32 sums) a block of TE_S16_BLOCK at a time, its
   constants once per call (te_s16_dw_constants_of); the rest one channel at a time in int64. */
void te_depthwise_conv2d_s16(const int16_t *x, const int8_t *w, const int64_t *bias, const te_window *g,
                             int32_t multiplier, const te_mac_params *p, int32_t wide, int16_t *y) {
  const int32_t *words = (const int32_t *)(const void *)w;
  const int32_t out_c = g->c * multiplier, taps = g->kh * g->kw;
  const int32_t paired = multiplier == 1 && taps <= 4 * TE_S16_CHUNK_STEPS ? out_c & ~3 : 0;
  const uint32_t lo2 = ((uint32_t)p->act_min & 0xFFFF) | ((uint32_t)p->act_min << 16);
  const uint32_t hi2 = ((uint32_t)p->act_max & 0xFFFF) | ((uint32_t)p->act_max << 16);
  /* The columns [run_from, run_from + run_len) whose windows lie inside the input's width (a 3×3 filter's). */
  const int32_t run_from = (g->pad_left + g->stride_w - 1) / g->stride_w;
  const int32_t last = g->w - 1 - 2 * g->dilation_w + g->pad_left;
  const int32_t run_to = last < 0 ? -1 : last / g->stride_w < g->ow - 1 ? last / g->stride_w : g->ow - 1;
  const int32_t run_len = run_to - run_from + 1;
  te_s16_dw_constants kc;
  int64_t acc[4];
  int32_t n, oy, ox, ob, o0, j, ky, kx, k[4], runs;
  for (ob = 0; ob < out_c; ob += TE_S16_BLOCK) {
    const int32_t blen = paired - ob < TE_S16_BLOCK ? paired - ob : TE_S16_BLOCK;
    if (blen <= 0) break;
    te_s16_dw_constants_of(bias, p, wide, taps, ob, blen, &kc);
    runs = kc.all_fast && g->kh == 3 && g->kw == 3 && run_len > 0;
    for (n = 0; n < g->n; n++) {
      const int16_t *xn = x + n * g->h * g->w * g->c;
      int16_t *yp = y + n * g->oh * g->ow * out_c;
      for (oy = 0; oy < g->oh; oy++) {
        const int32_t iy = oy * g->stride_h - g->pad_top;
        te_s16_inside(iy, g->kh, g->dilation_h, g->h, &k[0], &k[1]);
        for (ox = 0; ox < g->ow; ox++, yp += out_c) {
          const int32_t ix = ox * g->stride_w - g->pad_left;
          if (ox == run_from && runs && k[1] - k[0] == 3) {
            te_s16_dw_run(xn + (iy * g->w + ix) * g->c + ob, g->stride_w * g->c, words + (ob / 4) * taps * 2,
                          2 * g->dilation_w * g->c, 2 * g->dilation_h * g->w * g->c, kc.br, lo2, hi2, yp + ob,
                          out_c, blen, run_len);
            ox += run_len - 1;
            yp += (run_len - 1) * out_c;
            continue;
          }
          te_s16_inside(ix, g->kw, g->dilation_w, g->w, &k[2], &k[3]);
          te_s16_dw_pixel(xn + ((iy + k[0] * g->dilation_h) * g->w + ix + k[2] * g->dilation_w) * g->c, words, g,
                          k, ob, blen, &kc, lo2, hi2, bias, p, wide, yp);
        }
      }
    }
  }
  if (paired == out_c) return;
  for (n = 0; n < g->n; n++) {
    const int16_t *xn = x + n * g->h * g->w * g->c;
    for (oy = 0; oy < g->oh; oy++) {
      const int32_t iy = oy * g->stride_h - g->pad_top;
      te_s16_inside(iy, g->kh, g->dilation_h, g->h, &k[0], &k[1]);
      for (ox = 0; ox < g->ow; ox++) {
        const int32_t ix = ox * g->stride_w - g->pad_left;
        te_s16_inside(ix, g->kw, g->dilation_w, g->w, &k[2], &k[3]);
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
