/*
 * Cortex-M4/M7 (Armv7E-M DSP) int8 add. Operands laid out as the output (ResNet's residual adds) take a flat loop
 * whose rescalings need no 64-bit arithmetic: the output's, and each input's whose multiplier is below one half, are
 * the 'smmul' form of armv7em_dsp.h (SMMLAR, a sign fix-up, SMMLSR: TFLite's MultiplyByQuantizedMultiplier in
 * three instructions), the pairs computed once per call from TFLite's (multiplier, shift); the input of the larger
 * scale has the multiplier exactly one half (2^30, shift 0), and its value (x + offset)·2^20 is even, so
 * SaturatingRoundingDoublingHighMul halves it exactly: a shift. Broadcasts, and constants outside both forms, take
 * the reference's loop.
 */
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
  return half ? x >> 1 : te_smmul_requantize(x, k->m2, k->r, 0);
}

/* The flat loop, inlined once per (half1, half2) so the choice is made outside it. */
static inline __attribute__((always_inline)) void te_add_flat(const int8_t *a, const int8_t *b, int32_t n,
                                                              const te_binary_params *p, const te_rescale *k1,
                                                              const te_rescale *k2, const te_rescale *ko, int32_t half1,
                                                              int32_t half2, int8_t *y) {
  const int32_t scale = 1 << p->left_shift, off1 = p->input1_offset, off2 = p->input2_offset;
  const int32_t lo = p->act_min, hi = p->act_max, out = p->output_offset;
  int32_t i;
  for (i = 0; i < n; i++) {
    const int32_t sa = te_rescaled((a[i] + off1) * scale, half1, k1);
    const int32_t sb = te_rescaled((b[i] + off2) * scale, half2, k2);
    y[i] = (int8_t)te_clamp(te_smmul_requantize(sa + sb, ko->m2, ko->r, out), lo, hi);
  }
}

void te_add_s8(const int8_t *a, const int8_t *b, const te_broadcast *s, const te_binary_params *p, int8_t *y) {
  const int32_t n = te_unbroadcast_count(s);
  te_rescale k1 = {0, 0, 0}, k2 = {0, 0, 0}, ko = {0, 0, 0};
  if (n == 0 || !te_rescale_of(p->input1_multiplier, p->input1_shift, &k1) ||
      !te_rescale_of(p->input2_multiplier, p->input2_shift, &k2) ||
      !te_rescale_of(p->output_multiplier, p->output_shift, &ko) || ko.half) {
    te_binary_s8(a, b, s, p, y, te_add_element);
  } else if (k1.half) {
    te_add_flat(a, b, n, p, &k1, &k2, &ko, 1, 0, y);
  } else if (k2.half) {
    te_add_flat(a, b, n, p, &k1, &k2, &ko, 0, 1, y);
  } else {
    te_add_flat(a, b, n, p, &k1, &k2, &ko, 0, 0, y);
  }
}
