/*
 * Cortex-M4/M7 (Armv7E-M DSP) int8 convolution and matrix product, weights 'o4-s16-pairs' (kernel-table.ts): int16,
 * per group of four output channels and per step of four k, each channel's pairs (w0, w2) and (w1, w3), K and the
 * last group zero-padded by the compiler. A step loads four int8 of x once, unpacks them into the same pairs with
 * SXTB16 (bytes 0, 2 and 1, 3), loads the group's eight weight words with two LDM and multiplies with eight SMLAD:
 * 16 MACs in 13 instructions, no weight sign-extension (the int8 layout needed 21).
 */
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/armv7em_dsp.h"

/* The multiplies of one step, x in %[xo] (raw). The LDM lists need ascending registers: w0..w3 are bound to r8..r11. */
#define TE_S16_STEP_MACS                           \
  "ldmia %[wp]!, {%[w0], %[w1], %[w2], %[w3]}\n\t" \
  "sxtb16 %[xe], %[xo]\n\t"                        \
  "sxtb16 %[xo], %[xo], ror #8\n\t"                \
  "smlad %[s0], %[xe], %[w0], %[s0]\n\t"           \
  "smlad %[s0], %[xo], %[w1], %[s0]\n\t"           \
  "smlad %[s1], %[xe], %[w2], %[s1]\n\t"           \
  "smlad %[s1], %[xo], %[w3], %[s1]\n\t"           \
  "ldmia %[wp]!, {%[w0], %[w1], %[w2], %[w3]}\n\t" \
  "smlad %[s2], %[xe], %[w0], %[s2]\n\t"           \
  "smlad %[s2], %[xo], %[w1], %[s2]\n\t"           \
  "smlad %[s3], %[xe], %[w2], %[s3]\n\t"           \
  "smlad %[s3], %[xo], %[w3], %[s3]\n\t"

/* One step reading its four x bytes at xp. */
#define TE_S16_STEP "ldr %[xo], [%[xp]], #4\n\t" TE_S16_STEP_MACS

#define TE_S16_OPERANDS                                                                                       \
  : [s0] "+r"(*s0), [s1] "+r"(*s1), [s2] "+r"(*s2), [s3] "+r"(*s3), [xp] "+r"(xp), [wp] "+r"(*wp), [n] "+r"(n), \
    [xe] "=&r"(xe), [xo] "+&r"(xo), [w0] "=&r"(w0), [w1] "=&r"(w1), [w2] "=&r"(w2), [w3] "=&r"(w3)           \
  :                                                                                                          \
  : "cc", "memory"

/* The k % 4 last bytes of x, zero-extended into a word (their weights are zero past k, so any value would do; the
   bytes past x are not read). */
static inline uint32_t te_tail_word(const int8_t *x, int32_t k) {
  uint32_t v = 0;
  int32_t i;
  for (i = k & ~3; i < k; i++) v |= (uint32_t)(uint8_t)x[i] << (8 * (i & 3));
  return v;
}

/* *s0..*s3 += x[0..k) times the four channels of the group at *wp, which is left at the next group; `tail` is
   te_tail_word(x, k). The k / 4 steps run in one asm block, two a pass, entered at the second step when their count
   is odd (LSRS puts the odd bit in C), so the accumulators stay in registers from the bias to the requantization. */
static inline __attribute__((always_inline)) void te_s16_group_dot(const int8_t *xp, const int32_t **wp, int32_t k,
                                                                    uint32_t tail, int32_t *s0, int32_t *s1,
                                                                    int32_t *s2, int32_t *s3) {
  int32_t n = k >> 2, xe;
  uint32_t xo = tail;
  register int32_t w0 __asm__("r8"), w1 __asm__("r9"), w2 __asm__("r10"), w3 __asm__("r11");
  __asm__ volatile("lsrs %[n], %[n], #1\n\t"
                   "bcs 2f\n\t"
                   "subs %[n], %[n], #1\n\t"
                   "bmi 3f\n"
                   "1:\n\t" TE_S16_STEP "2:\n\t" TE_S16_STEP "subs %[n], %[n], #1\n\t"
                   "bge 1b\n"
                   "3:" TE_S16_OPERANDS);
  if (k & 3) {
    xo = tail;
    __asm__ volatile(TE_S16_STEP_MACS TE_S16_OPERANDS);
  }
}

static inline __attribute__((always_inline)) void te_row_times_matrix(const int8_t *x, const int8_t *w,
                                                                      const int32_t *folded_bias, int32_t k,
                                                                      int32_t out_c, const te_row_constants *c,
                                                                      int8_t *y) {
  const te_mac_params *p = c->p;
  const int32_t *wp = (const int32_t *)(const void *)w; /* an int32 array (render-nodes.ts): word-aligned */
  const uint32_t tail = k & 3 ? te_tail_word(x, k) : 0;
  int32_t s[4], o, j;
  for (o = 0; o + 4 <= out_c; o += 4) {
    int32_t s0, s1, s2, s3;
    /* Two LDRD: gcc's four loads of the group's bias came with register moves. */
    __asm__("ldrd %0, %1, [%4]\n\tldrd %2, %3, [%4, #8]"
            : "=&r"(s0), "=&r"(s1), "=&r"(s2), "=r"(s3)
            : "r"(folded_bias + o), "m"(*(const int32_t(*)[4])(folded_bias + o)));
    te_s16_group_dot(x, &wp, k, tail, &s0, &s1, &s2, &s3);
    te_requantize_group4(s0, s1, s2, s3, c, o, y);
  }
  if (o < out_c) {
    /* The last out_c % 4 channels: their group is zero-padded to four. */
    for (j = 0; j < 4; j++) s[j] = o + j < out_c ? folded_bias[o + j] : 0;
    te_s16_group_dot(x, &wp, k, tail, &s[0], &s[1], &s[2], &s[3]);
    te_dsp_requantize(s, out_c - o, p, o, y + o);
  }
}

#include "../internal/row_drivers.h"
