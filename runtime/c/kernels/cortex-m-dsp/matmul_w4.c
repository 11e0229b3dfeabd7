/*
 * Cortex-M4/M7 (Armv7E-M DSP) int8 matrix product with int4 weights (kernel family matmul_w4), weights
 * 'o4-k4-u4-lanes' (compiler/backends/c/kernel-table.ts): per group of four output channels and step of four k, two
 * words of two channels each, every nibble w + 8 (0..15), ordered so that one AND (with a shifted operand) turns a
 * word into an SMLAD-ready pair of halfwords: (word >> 4j) & 0x000F000F is (w[k], w[k + 2]) + 8 for j = 0,
 * (w[k + 1], w[k + 3]) + 8 for j = 1, then the second channel's. x is unpacked once per step into the pairs SXTB16
 * makes (x[k], x[k + 2]) and (x[k + 1], x[k + 3]), so a step of 16 MACs is three LDR, two SXTB16, eight AND and
 * eight SMLAD (21 instructions), against 21 on int8 weights ('o4-interleaved': eight SXTB16 for the eight AND) and
 * about 13 on the int16 pairs of kernels/cortex-m-dsp/conv2d.c (no unpacking, twice int8's flash).
 * The stored offset adds 8·Σx to every channel's sum; it is computed once a row and subtracted.
 * Overflow: |x·(w + 8)| ≤ 128·15, so the sums stay far from 2^31 for any model's k.
 */
#include "../internal/asm_build.h"
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/armv7em_dsp.h"

/* The halfword lanes (bits 0–3 and 16–19) one shifted weight word gives. */
#define TE_U4_LANES 0x000F000Fu

/* Σ x[0..k), by SMLAD of the SXTB16 pairs with (1, 1). */
static int32_t te_row_sum(const int8_t *x, int32_t k) {
  const int32_t k4 = k & ~3;
  int32_t i, s = 0;
  for (i = 0; i < k4; i += 4) {
    const uint32_t v = te_load32(x + i);
    s = __smlad(__sxtb16(v), 0x00010001, s);
    s = __smlad(te_sxtb16_ror8(v), 0x00010001, s);
  }
  for (; i < k; i++) s += x[i];
  return s;
}

/* Four channels' sums over one step (the k % 4 tail): x as the pairs ue, uo, the two weight words at wp. */
#define TE_W4_STEP(xv)                                   \
  do {                                                   \
    const int32_t ue = __sxtb16(xv), uo = te_sxtb16_ror8(xv); \
    const uint32_t wa = wp[0], wb = wp[1];               \
    wp += 2;                                             \
    s0 = __smlad(ue, (int32_t)(wa & m), s0);             \
    s0 = __smlad(uo, (int32_t)((wa >> 4) & m), s0);      \
    s1 = __smlad(ue, (int32_t)((wa >> 8) & m), s1);      \
    s1 = __smlad(uo, (int32_t)((wa >> 12) & m), s1);     \
    s2 = __smlad(ue, (int32_t)(wb & m), s2);             \
    s2 = __smlad(uo, (int32_t)((wb >> 4) & m), s2);      \
    s3 = __smlad(ue, (int32_t)((wb >> 8) & m), s3);      \
    s3 = __smlad(uo, (int32_t)((wb >> 12) & m), s3);     \
  } while (0)

/* The same step in asm for the loop (as C, gcc spills a sum once the loop is unrolled): x unpacked in place, the
   two weight words loaded one after the other into one register, the mask in a register so that each AND takes
   its shifted operand. */
#define TE_W4_ASM_HALF(sa, sb)                      \
  "ldr %[w], [%[wp]], #4\n\t"                     \
  "and %[t], %[m], %[w]\n\t"                      \
  "smlad %[" sa "], %[xe], %[t], %[" sa "]\n\t"   \
  "and %[t], %[m], %[w], lsr #4\n\t"              \
  "smlad %[" sa "], %[xo], %[t], %[" sa "]\n\t"   \
  "and %[t], %[m], %[w], lsr #8\n\t"              \
  "smlad %[" sb "], %[xe], %[t], %[" sb "]\n\t"   \
  "and %[t], %[m], %[w], lsr #12\n\t"             \
  "smlad %[" sb "], %[xo], %[t], %[" sb "]\n\t"
#define TE_W4_ASM_STEP                 \
  "ldr %[xo], [%[xp]], #4\n\t"        \
  "sxtb16 %[xe], %[xo]\n\t"           \
  "sxtb16 %[xo], %[xo], ror #8\n\t"   \
  TE_W4_ASM_HALF("s0", "s1") TE_W4_ASM_HALF("s2", "s3")
#define TE_W4_ASM_OPERANDS                                                                                  \
  : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2), [s3] "+r"(s3), [xp] "+r"(xp), [wp] "+r"(wp), [n] "+r"(n), \
    [xe] "=&r"(xe), [xo] "=&r"(xo), [w] "=&r"(wv), [t] "=&r"(t)                                            \
  : [m] "r"(m)                                                                                             \
  : "cc", "memory"

/* One row times every channel, four at a time; `w` is the int32 array the compiler wrote (word-aligned). */
static void te_row_times_nibbles(const int8_t *x, const uint32_t *w, const int32_t *folded_bias, int32_t k, int32_t out_c,
                                 const te_row_constants *c, int8_t *y) {
  const uint32_t m = TE_U4_LANES;
  const int32_t k4 = k & ~3, offset = 8 * te_row_sum(x, k);
  const uint32_t *wp = w;
  int32_t o, j;
  for (o = 0; o < out_c; o += 4) {
    const int8_t *xp = x;
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, n = k4 >> 3, xe, xo, t;
    uint32_t wv;
    if (n > 0) __asm__ volatile("1:\n\t" TE_W4_ASM_STEP TE_W4_ASM_STEP "subs %[n], %[n], #1\n\tbne 1b" TE_W4_ASM_OPERANDS);
    if (k & 4) __asm__ volatile(TE_W4_ASM_STEP TE_W4_ASM_OPERANDS);
    if (k4 < k) {
      uint32_t xv = 0; /* the k % 4 last inputs, zeros after them (their padded weights are 0 + 8) */
      memcpy(&xv, xp, (size_t)(k - k4));
      TE_W4_STEP(xv);
    }
    if (o + 4 <= out_c) {
      te_requantize_group4(folded_bias[o] + s0 - offset, folded_bias[o + 1] + s1 - offset,
                           folded_bias[o + 2] + s2 - offset, folded_bias[o + 3] + s3 - offset, c, o, y);
    } else {
      const int32_t s[3] = {s0, s1, s2};
      int32_t acc[3];
      for (j = 0; o + j < out_c; j++) acc[j] = folded_bias[o + j] + s[j] - offset;
      te_dsp_requantize(acc, out_c - o, c->p, o, y + o);
    }
  }
}

void te_matmul_w4_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k,
                     int32_t out_c, const te_mac_params *p, int8_t *y) {
  const te_row_constants c = te_row_constants_of(p);
  const uint32_t *words = (const uint32_t *)(const void *)w;
  int32_t r;
  for (r = 0; r < rows; r++) te_row_times_nibbles(x + r * k, words, folded_bias, k, out_c, &c, y + r * out_c);
}
