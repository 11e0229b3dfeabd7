/*
 * Cortex-M4/M7 (Armv7E-M DSP) int8 add. Operands laid out as the output (ResNet's residual adds) take a flat loop
 * whose rescalings need no 64-bit arithmetic: the output's, and each input's whose multiplier is below one half, are
 * the 'smmul' form of armv7em_dsp.h (SMMLAR, a sign fix-up, SMMLSR: TFLite's MultiplyByQuantizedMultiplier in
 * three instructions), the pairs computed once per call from TFLite's (multiplier, shift); the input of the larger
 * scale has the multiplier exactly one half (2^30, shift 0), and its value (x + offset)·2^20 is even, so
 * SaturatingRoundingDoublingHighMul halves it exactly: a shift. With one input halved (int8's left shift of 20) the
 * loop is asm, thirteen instructions an element with every constant in a register (gcc's C form spills them: ~22).
 * Broadcasts, constants outside both forms, and both inputs halved (a tensor added to itself) take the reference's
 * loop.
 */
#include "../internal/asm_build.h"
#include "tinyedge/kernels.h"
#include "../internal/armv7em_dsp.h"
#include "../internal/element_ops.h"

/* How an input is rescaled: halved exactly, or through the 'smmul' pair (M2, R). */
typedef struct {
  int32_t half, m2, r;
} te_rescale;

/* The rescaling of (m, shift) for values that are multiples of 2^left_shift; 0 when neither form applies. */
static int te_rescale_of(int32_t m, int32_t shift, te_rescale *k) {
  k->half = m == (1 << 30) && shift == 0;
  if (k->half) return 1;
  if (m < (1 << 30) || shift > -1 || shift < -31) return 0;
  k->m2 = (int32_t)((uint32_t)m * 2u);           /* 2M − 2^32, as weight-layouts.ts's smmulPairs */
  k->r = (int32_t)(0u - (1u << (32 + shift))); /* −2^(32 + shift) */
  return 1;
}

/* One input's rescaled value; `half` is a constant in each inlined copy of te_add_flat. */
static inline int32_t te_rescaled(int32_t x, int32_t half, const te_rescale *k) {
  return half ? x >> 1 : te_smmul_requantize(x, k->m2, k->r, 0, 1);
}

/* The flat loop (input offsets off1, off2), inlined once per (half1, half2) so the choice is made outside it. */
static inline __attribute__((always_inline)) void te_add_flat(const int8_t *a, const int8_t *b, int32_t n,
                                                              int32_t off1, int32_t off2, const te_binary_params *p,
                                                              const te_rescale *k1, const te_rescale *k2,
                                                              const te_rescale *ko, int32_t half1, int32_t half2,
                                                              int8_t *y) {
  const int32_t scale = 1 << p->left_shift;
  const int32_t lo = p->act_min, hi = p->act_max, out = p->output_offset;
  int32_t i;
  for (i = 0; i < n; i++) {
    const int32_t sa = te_rescaled((a[i] + off1) * scale, half1, k1);
    const int32_t sb = te_rescaled((b[i] + off2) * scale, half2, k2);
    y[i] = (int8_t)te_clamp(te_smmul_requantize(sa + sb, ko->m2, ko->r, out, 1), lo, hi);
  }
}

#ifdef __OPTIMIZE__ /* -O0 keeps r7 for the frame: too few registers left for the asm */
/* One element of te_add_halved: a + off_a rescaled through its 'smmul' pair (SMMULR by −R for SMMLSR with no
   offset), b + off_b halved exactly ((b + off_b)·2^19), the sum requantized, saturated and stored. */
#define TE_ADD_HALVED_ONE                      \
  "ldrsb %[u], [%[a]], #1\n\t"                \
  "ldrsb %[v], [%[b]], #1\n\t"                \
  "add %[u], %[ca], %[u], lsl #20\n\t"        \
  "add %[v], %[v], %[ob]\n\t"                 \
  "smmlar %[u], %[u], %[ma], %[u]\n\t"        \
  "add %[u], %[u], %[u], asr #31\n\t"         \
  "smmulr %[u], %[u], %[na]\n\t"              \
  "add %[u], %[u], %[v], lsl #19\n\t"         \
  "smmlar %[u], %[u], %[mo], %[u]\n\t"        \
  "add %[u], %[u], %[u], asr #31\n\t"         \
  "smmlsr %[u], %[u], %[ro], %[out]\n\t"      \
  "ssat %[u], #8, %[u]\n\t"                   \
  "strb %[u], [%[y]], #1\n\t"

/* The flat loop's first n & ~3 elements when b's multiplier is one half (int8's left shift of 20) and a's R is not
   INT32_MIN (its negation must be an int32), four a pass, saturated to int8 only (the caller clamps): thirteen
   instructions an element, every constant in a register, against gcc's spills of the C form. */
static __attribute__((noinline)) void te_add_halved(const int8_t *a, const int8_t *b, int32_t n, int32_t off_a,
                                                    int32_t off_b, const te_rescale *ka, const te_rescale *ko,
                                                    int32_t out, int8_t *y) {
  const int8_t *end = y + (n & ~3);
  const int32_t ca = (int32_t)((uint32_t)off_a << 20), ma = ka->m2, na = -ka->r, mo = ko->m2, ro = ko->r;
  int32_t u, v;
  if (y == end) return;
  /* volatile: its only effect is the stores */
  __asm__ volatile("1:\n\t" TE_ADD_HALVED_ONE TE_ADD_HALVED_ONE TE_ADD_HALVED_ONE TE_ADD_HALVED_ONE
                   "cmp %[y], %[end]\n\t"
                   "bne 1b\n\t"
                   : [u] "=&r"(u), [v] "=&r"(v), [a] "+r"(a), [b] "+r"(b), [y] "+r"(y)
                   : [end] "r"(end), [ca] "r"(ca), [ob] "r"(off_b), [ma] "r"(ma), [na] "r"(na), [mo] "r"(mo),
                     [ro] "r"(ro), [out] "r"(out)
                   : "cc", "memory");
}
#endif

/* The flat loop with one input halved, that one as b: the asm for the whole words when it applies, then the rest
   and the activation clamp in C. */
static void te_add_one_halved(const int8_t *a, const int8_t *b, int32_t n, int32_t off_a, int32_t off_b,
                              const te_binary_params *p, const te_rescale *ka, const te_rescale *kb,
                              const te_rescale *ko, int8_t *y) {
  int32_t i = 0;
#ifdef __OPTIMIZE__
  if (p->left_shift == 20 && ka->r != INT32_MIN) {
    const uint32_t lo4 = te_splat4_s8(p->act_min), hi4 = te_splat4_s8(p->act_max);
    te_add_halved(a, b, n, off_a, off_b, ka, ko, p->output_offset, y);
    i = n & ~3;
    if (p->act_min > -128 || p->act_max < 127) {
      int32_t j;
      for (j = 0; j < i; j += 4) {
        const uint32_t w = te_clamp4_s8(te_load32(y + j), lo4, hi4);
        memcpy(y + j, &w, 4);
      }
    }
  }
#endif
  te_add_flat(a + i, b + i, n - i, off_a, off_b, p, ka, kb, ko, 0, 1, y + i);
}

void te_add_s8(const int8_t *a, const int8_t *b, const te_broadcast *s, const te_binary_params *p, int8_t *y) {
  const int32_t n = te_unbroadcast_count(s);
  te_rescale k1 = {0, 0, 0}, k2 = {0, 0, 0}, ko = {0, 0, 0};
  if (n == 0 || !te_rescale_of(p->input1_multiplier, p->input1_shift, &k1) ||
      !te_rescale_of(p->input2_multiplier, p->input2_shift, &k2) ||
      !te_rescale_of(p->output_multiplier, p->output_shift, &ko) || ko.half || (k1.half && k2.half)) {
    te_binary_s8(a, b, s, p, y, te_add_element);
  } else if (k1.half) {
    te_add_one_halved(b, a, n, p->input2_offset, p->input1_offset, p, &k2, &k1, &ko, y);
  } else if (k2.half) {
    te_add_one_halved(a, b, n, p->input1_offset, p->input2_offset, p, &k1, &k2, &ko, y);
  } else {
    te_add_flat(a, b, n, p->input1_offset, p->input2_offset, p, &k1, &k2, &ko, 0, 0, y);
  }
}
