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

#define TE_S16_OPERANDS                                                                                          \
  : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2), [s3] "+r"(s3), [xp] "+r"(xp), [wp] "+r"(wp), [n] "+r"(n),       \
    [xe] "=&r"(xe), [xo] "+&r"(xo), [w0] "=&r"(w0), [w1] "=&r"(w1), [w2] "=&r"(w2), [w3] "=&r"(w3)              \
  :                                                                                                             \
  : "cc", "memory"

/* The r < 4 bytes at p, zero-extended into a word (the k % 4 tail: its weights are zero past k). */
static inline uint32_t te_load_tail(const int8_t *p, int32_t r) {
  uint32_t v = 0;
  memcpy(&v, p, (size_t)r);
  return v;
}

static void te_row_times_matrix(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t k, int32_t out_c,
                                const te_mac_params *p, int8_t *y) {
  const int32_t steps = k >> 2, r = k & 3;
  const uint32_t lo4 = te_splat4_s8(p->act_min), hi4 = te_splat4_s8(p->act_max);
  const int32_t clamp = p->act_min > -128 || p->act_max < 127;
  const int32_t *wp = (const int32_t *)(const void *)w; /* an int32 array (render-nodes.ts): word-aligned */
  int32_t acc[4], o, j;
  for (o = 0; o < out_c; o += 4) {
    const int32_t len = out_c - o < 4 ? out_c - o : 4;
    const int8_t *xp = x;
    int32_t s0, s1, s2, s3, n, xe;
    uint32_t xo = 0;
    register int32_t w0 __asm__("r8"), w1 __asm__("r9"), w2 __asm__("r10"), w3 __asm__("r11");
    for (j = 0; j < 4; j++) acc[j] = j < len ? folded_bias[o + j] : 0;
    s0 = acc[0];
    s1 = acc[1];
    s2 = acc[2];
    s3 = acc[3];
    n = steps >> 1;
    if (n > 0) __asm__ volatile("1:\n\t" TE_S16_STEP TE_S16_STEP "subs %[n], %[n], #1\n\tbne 1b" TE_S16_OPERANDS);
    if (steps & 1) __asm__ volatile(TE_S16_STEP TE_S16_OPERANDS);
    if (r) {
      xo = te_load_tail(xp, r);
      __asm__ volatile(TE_S16_STEP_MACS TE_S16_OPERANDS);
    }
    if (len == 4 && !p->shifts) {
      te_smmul_requantize4(s0, s1, s2, s3, p->multipliers + 2 * o, p->output_offset, clamp, lo4, hi4, y + o);
    } else {
      acc[0] = s0;
      acc[1] = s1;
      acc[2] = s2;
      acc[3] = s3;
      te_dsp_requantize(acc, len, p, o, y + o);
    }
  }
}

#include "../internal/row_drivers.h"
