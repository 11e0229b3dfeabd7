/*
 * Cortex-M4/M7 (Armv7E-M DSP) 16×8 add (family int16_add), bit-exact with ref/int16_add.c: TFLite's int16
 * AddElementwise, left shift 15, zero points 0. Its Prepare gives the input of the larger scale the multiplier one
 * half (2^30, shift 0) and the other one M in [2^30, 2^31) with a right shift s in 1..31. Operands laid out as the
 * output (ResNet's residual adds) take asm on two elements a word, four a pass, 12.5 instructions an element:
 *   the rescaled input: SRDHM(x·2^15, M) = floor((x·2^15·M + 2^30) / 2^31) = floor((x·2^16·M + 2^31) / 2^32)
 *     = SMMULR(x·2^16, M), and x·2^16 is the halfword itself at the top of a register (LSL #16 for the low one, BFC
 *     of the low bits for the high one; −2^15 gives INT32_MIN, still exact: M < 2^31 keeps the product below 2^62);
 *     then RoundingDivideByPOT by s through the fix-up and SMMLSR of armv7em_dsp.h (R = −2^(32−s), offset 0);
 *   the halved input: SRDHM(x·2^15, 2^30) = x·2^14 exactly, ASR #2 of x·2^16 in the add's shifted operand;
 *   their sum: |·| ≤ 2^29 each, an int32; the output's rescaling te_smmul_requantize's three instructions (its M ≥
 *     2^30, a right shift); SSAT #16, or USAT #15 for ReLU's [0, 32767]; PKHBT packs the pair for one STR.
 * Other activation ranges clamp after the asm, the last n % 4 elements take the reference's formula, and
 * broadcasts, other constants (both inputs halved: a tensor added to itself) and -O0 builds the reference's loop.
 */
#include "../internal/asm_build.h"
#include "tinyedge/kernels.h"
#include "../internal/armv7em_dsp.h"
#include "../internal/element_ops.h"

#ifdef __OPTIMIZE__ /* -O0 keeps r7 for the frame: too few registers left for the asm */
/* One element from the halfword at the top of `x` (the rescaled input) and of `z` (the halved one, its low bits
   clear), saturated by `sat` into x. */
#define TE_ADD16_ONE(x, z, sat)                          \
  "smmulr %[" x "], %[" x "], %[ma]\n\t"                 \
  "add %[" x "], %[" x "], %[" x "], asr #31\n\t"        \
  "smmlsr %[" x "], %[" x "], %[ra], %[zero]\n\t"        \
  "add %[" x "], %[" x "], %[" z "], asr #2\n\t"         \
  "smmlar %[" x "], %[" x "], %[mo], %[" x "]\n\t"       \
  "add %[" x "], %[" x "], %[" x "], asr #31\n\t"        \
  "smmlsr %[" x "], %[" x "], %[ro], %[zero]\n\t" sat(x)

/* Two elements: a word of each input, the low halfwords through u and v, the high ones in place. */
#define TE_ADD16_PAIR(sat)                                                                 \
  "ldr %[A], [%[a]], #4\n\t"                                                              \
  "ldr %[B], [%[b]], #4\n\t"                                                              \
  "lsl %[u], %[A], #16\n\t"                                                               \
  "lsl %[v], %[B], #16\n\t" TE_ADD16_ONE("u", "v", sat) "bfc %[A], #0, #16\n\t"           \
  "bfc %[B], #0, #16\n\t" TE_ADD16_ONE("A", "B", sat) "pkhbt %[u], %[u], %[A], lsl #16\n\t" \
  "str %[u], [%[y]], #4\n\t"

#define TE_SSAT16(x) "ssat %[" x "], #16, %[" x "]\n\t"
#define TE_USAT15(x) "usat %[" x "], #15, %[" x "]\n\t"

/* `name`: the first n & ~3 elements, a rescaled by (ma, ra), b halved, the output by (mo, ro), saturated by `sat`. */
#define TE_DEFINE_ADD16_WORDS(name, sat)                                                                          \
  static __attribute__((noinline)) void name(const int16_t *a, const int16_t *b, int32_t n, int32_t ma, int32_t ra, \
                                             int32_t mo, int32_t ro, int16_t *y) {                                \
    const int16_t *end = y + (n & ~3);                                                                            \
    const int32_t zero = 0;                                                                                       \
    int32_t u, v, A, B;                                                                                           \
    /* volatile: its only effect is the stores */                                                                 \
    __asm__ volatile("1:\n\t" TE_ADD16_PAIR(sat) TE_ADD16_PAIR(sat) "cmp %[y], %[end]\n\t"                        \
                     "bne 1b\n\t"                                                                                 \
                     : [u] "=&r"(u), [v] "=&r"(v), [A] "=&r"(A), [B] "=&r"(B), [a] "+r"(a), [b] "+r"(b),          \
                       [y] "+r"(y)                                                                                \
                     : [end] "r"(end), [ma] "r"(ma), [ra] "r"(ra), [mo] "r"(mo), [ro] "r"(ro), [zero] "r"(zero)   \
                     : "cc", "memory");                                                                           \
  }
TE_DEFINE_ADD16_WORDS(te_add16_words, TE_SSAT16)
TE_DEFINE_ADD16_WORDS(te_add16_words_relu, TE_USAT15)

/* Whether (m, shift) is a multiplier in [1/2, 1) with a right shift, the form SMMULR and SMMLSR take. */
static int te_right_shifting(int32_t m, int32_t shift) {
  return m >= (1 << 30) && shift <= -1 && shift >= -31;
}

/* The elements the asm did (a multiple of four; 0: none, its constants or layout do not apply). */
static int32_t te_add16_fast(const int16_t *a, const int16_t *b, int32_t n, const te_binary_params *p, int16_t *y) {
  const int halved1 = p->input1_multiplier == (1 << 30) && p->input1_shift == 0;
  const int halved2 = p->input2_multiplier == (1 << 30) && p->input2_shift == 0;
  const int32_t m = halved2 ? p->input1_multiplier : p->input2_multiplier;
  const int32_t shift = halved2 ? p->input1_shift : p->input2_shift;
  const int32_t done = n & ~3;
  int32_t mo, ro, ra;
  if (done == 0 || p->left_shift != 15 || p->input1_offset != 0 || p->input2_offset != 0 || p->output_offset != 0 ||
      halved1 == halved2 || !te_right_shifting(m, shift) ||
      !te_right_shifting(p->output_multiplier, p->output_shift))
    return 0;
  /* The 'smmul' pairs (armv7em_dsp.h): 2M − 2^32 and −2^(32 − s). */
  mo = (int32_t)((uint32_t)p->output_multiplier * 2u);
  ro = (int32_t)(0u - (1u << (32 + p->output_shift)));
  ra = (int32_t)(0u - (1u << (32 + shift)));
  if (p->act_min == 0 && p->act_max == 32767) {
    te_add16_words_relu(halved2 ? a : b, halved2 ? b : a, n, m, ra, mo, ro, y);
  } else {
    te_add16_words(halved2 ? a : b, halved2 ? b : a, n, m, ra, mo, ro, y);
    if (p->act_min > -32768 || p->act_max < 32767) {
      int32_t i;
      for (i = 0; i < done; i++) y[i] = (int16_t)te_clamp(y[i], p->act_min, p->act_max);
    }
  }
  return done;
}
#endif

void te_add_s16(const int16_t *a, const int16_t *b, const te_broadcast *s, const te_binary_params *p, int16_t *y) {
  const int32_t n = te_unbroadcast_count(s);
  int32_t i = 0;
#ifdef __OPTIMIZE__
  i = te_add16_fast(a, b, n, p, y);
#endif
  if (i == 0) {
    te_binary_s16(a, b, s, p, y, te_add_element);
    return;
  }
  for (; i < n; i++) y[i] = (int16_t)te_add_element(a[i], b[i], p);
}
