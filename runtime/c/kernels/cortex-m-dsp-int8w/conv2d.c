/*
 * Cortex-M4/M7 (Armv7E-M DSP) int8 convolution and matrix product on int8 weights, for models whose int16 weight
 * pairs (kernels/cortex-m-dsp/conv2d.c) would not fit the part's flash; weights 'o4-interleaved' (kernel-table.ts):
 * each group of four output channels is [K/4][4 channels][4 k], so one pointer walks them with two LDRD per four
 * k. Four int8 of x and of each weight word are unpacked into int16 pairs with SXTB16 (bytes 0, 2 and 1, 3) and
 * multiplied pairwise by SMLAD, two MACs per instruction; x is unpacked once for the four channels.
 */
#include "../internal/asm_build.h"
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/armv7em_dsp.h"

/* One step of four k for the four channels of a group: x unpacked once (SXTB16), each weight word unpacked and
   multiplied pairwise (SMLAD). gcc's scheduler spills when the loop is C, so the step is asm. */
#define TE_GROUP4_STEP                     \
  "ldr %[xo], [%[xp]], #4\n\t"             \
  "ldrd %[wa], %[wb], [%[wp]], #16\n\t"    \
  "sxtb16 %[xe], %[xo]\n\t"                \
  "sxtb16 %[xo], %[xo], ror #8\n\t"        \
  "sxtb16 %[t], %[wa]\n\t"                 \
  "smlad %[s0], %[xe], %[t], %[s0]\n\t"    \
  "sxtb16 %[t], %[wa], ror #8\n\t"         \
  "smlad %[s0], %[xo], %[t], %[s0]\n\t"    \
  "sxtb16 %[t], %[wb]\n\t"                 \
  "smlad %[s1], %[xe], %[t], %[s1]\n\t"    \
  "sxtb16 %[t], %[wb], ror #8\n\t"         \
  "smlad %[s1], %[xo], %[t], %[s1]\n\t"    \
  "ldrd %[wa], %[wb], [%[wp], #-8]\n\t"    \
  "sxtb16 %[t], %[wa]\n\t"                 \
  "smlad %[s2], %[xe], %[t], %[s2]\n\t"    \
  "sxtb16 %[t], %[wa], ror #8\n\t"         \
  "smlad %[s2], %[xo], %[t], %[s2]\n\t"    \
  "sxtb16 %[t], %[wb]\n\t"                 \
  "smlad %[s3], %[xe], %[t], %[s3]\n\t"    \
  "sxtb16 %[t], %[wb], ror #8\n\t"         \
  "smlad %[s3], %[xo], %[t], %[s3]\n\t"

#define TE_GROUP4_OPERANDS                                                                                      \
  : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2), [s3] "+r"(s3), [xp] "+r"(xp), [wp] "+r"(wp), [n] "+r"(n),      \
    [xe] "=&r"(xe), [xo] "=&r"(xo), [wa] "=&r"(wa), [wb] "=&r"(wb), [t] "=&r"(t)                                \
  :                                                                                                            \
  : "cc", "memory"

/* Dot product of x with one plain weight row (the out_c % 4 last channels). */
static int32_t te_row_dot(const int8_t *x, const int8_t *w, int32_t k, int32_t s) {
  const int32_t k4 = k & ~3;
  int32_t i;
  for (i = 0; i < k4; i += 4) {
    const uint32_t xv = te_load32(x + i), wv = te_load32(w + i);
    s = __smlad(__sxtb16(xv), __sxtb16(wv), s);
    s = __smlad(te_sxtb16_ror8(xv), te_sxtb16_ror8(wv), s);
  }
  for (; i < k; i++) s += x[i] * w[i];
  return s;
}

static void te_row_times_matrix(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t k, int32_t out_c,
                                const te_row_constants *c, int8_t *y) {
  const te_mac_params *p = c->p;
  const int32_t groups = out_c >> 2, r = k & 3;
  const int32_t *wp = (const int32_t *)(const void *)w; /* an int32 array (render-nodes.ts): word-aligned */
  int32_t acc[4], o, j, i;
  for (o = 0; o < 4 * groups; o += 4) {
    const int8_t *xp = x;
    const int8_t *tail;
    int32_t s0 = folded_bias[o], s1 = folded_bias[o + 1], s2 = folded_bias[o + 2], s3 = folded_bias[o + 3];
    int32_t n, xe, xo, wa, wb, t;
    n = k >> 3;
    if (n > 0) __asm__ volatile("1:\n\t" TE_GROUP4_STEP TE_GROUP4_STEP "subs %[n], %[n], #1\n\tbne 1b" TE_GROUP4_OPERANDS);
    if (k & 4) __asm__ volatile(TE_GROUP4_STEP TE_GROUP4_OPERANDS);
    tail = (const int8_t *)wp;
    for (i = 0; i < r; i++) {
      const int32_t xi = xp[i];
      s0 += xi * tail[i];
      s1 += xi * tail[r + i];
      s2 += xi * tail[2 * r + i];
      s3 += xi * tail[3 * r + i];
    }
    wp = (const int32_t *)(const void *)(tail + 4 * r);
    te_requantize_group4(s0, s1, s2, s3, c, o, y);
  }
  for (j = 0; o + j < out_c; j++) acc[j] = te_row_dot(x, w + (o + j) * k, k, folded_bias[o + j]);
  if (o < out_c) te_dsp_requantize(acc, out_c - o, p, o, y + o);
}

#include "../internal/row_drivers.h"
