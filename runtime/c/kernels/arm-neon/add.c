/*
 * AArch64 Advanced SIMD int8 add, TFLite's arithmetic (kernels/internal/element_ops.h's te_add_element) sixteen
 * elements a step: (x + offset) widened exactly to int16 by SADDW, to int32 and scaled by 2^left_shift together with
 * its multiplier's own left shift (one SSHL), each input rescaled as te_mbqm4 does after that shift (arm_requantize.h:
 * bit-exact with te_mbqm for every shift), summed, rescaled to the output,
 * offset, narrowed and clamped (te_offset_narrow8). Operands of one shape only; broadcasts take the reference loop,
 * as do the last n % 16 elements. The usual add has a fast form: the input with the larger scale has multiplier 1/2
 * and shift 0 (no rounding shift: SQRDMULH alone), the other shifts right and so does the output (three instructions
 * each, te_mbqm4_right); the operands swap when the larger scale is the second's (the sum is the same).
 */
#include <arm_neon.h>
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/element_ops.h"
#include "../internal/arm_requantize.h"

/* The per-element constants of one add as vectors: each input's whole left shift (left_shift plus its multiplier's
   own, one SSHL), multiplier and right shift; the output's requantization. */
typedef struct {
  int16x8_t off1, off2, out_offset;
  int32x4_t shl1, shl2, m1, m2, right1, right2;
  te_requant4 qo;
} te_add_vectors;

/* te_mbqm4 after its left shift (done by the caller): SQRDMULH, then the rounding right shift by `right` (≤ 0). The
   fast form (constant after inlining) knows the shift: 0 for the first input (SQRDMULH alone), < 0 for the second
   and the output (every lane rounds, so the fixup needs no mask: te_mbqm4_right). */
static inline __attribute__((always_inline)) int32x4_t te_add_rescale(int32x4_t shifted, int32x4_t m, int32x4_t right,
                                                                      const int fast, const int first) {
  int32x4_t x;
  if (fast) return first ? vqrdmulhq_s32(shifted, m) : te_mbqm4_right(shifted, m, right);
  x = vqrdmulhq_s32(shifted, m);
  return vrshlq_s32(vsraq_n_s32(x, vandq_s32(x, right), 31), right);
}

/* The sum's requantization (the fast form: the output shifts right). */
static inline __attribute__((always_inline)) int32x4_t te_add_out(int32x4_t sum, te_requant4 q, const int fast) {
  return fast ? te_mbqm4_right(sum, q.m, q.right) : te_mbqm4(sum, q);
}

/* Eight elements of int16 (a + offset) and (b + offset) into int8 y. */
static inline __attribute__((always_inline)) int8x8_t te_add8(int16x8_t a, int16x8_t b, const te_add_vectors *v,
                                                              const int fast) {
  const int32x4_t sa_lo = te_add_rescale(vshlq_s32(vmovl_s16(vget_low_s16(a)), v->shl1), v->m1, v->right1, fast, 1);
  const int32x4_t sa_hi = te_add_rescale(vshlq_s32(vmovl_high_s16(a), v->shl1), v->m1, v->right1, fast, 1);
  const int32x4_t sb_lo = te_add_rescale(vshlq_s32(vmovl_s16(vget_low_s16(b)), v->shl2), v->m2, v->right2, fast, 0);
  const int32x4_t sb_hi = te_add_rescale(vshlq_s32(vmovl_high_s16(b), v->shl2), v->m2, v->right2, fast, 0);
  return te_offset_narrow8(te_add_out(vaddq_s32(sa_lo, sb_lo), v->qo, fast),
                           te_add_out(vaddq_s32(sa_hi, sb_hi), v->qo, fast), v->out_offset);
}

/* The first n − n % 16 elements. */
static inline __attribute__((always_inline)) void te_add16s(const int8_t *a, const int8_t *b, int32_t n,
                                                            const te_add_vectors *v, int8x16_t lo, int8x16_t hi,
                                                            const int fast, int8_t *y) {
  int32_t i;
  for (i = 0; i + 16 <= n; i += 16) {
    const int8x16_t va = vld1q_s8(a + i), vb = vld1q_s8(b + i);
    const int8x8_t low = te_add8(vaddw_s8(v->off1, vget_low_s8(va)), vaddw_s8(v->off2, vget_low_s8(vb)), v, fast);
    const int8x8_t high = te_add8(vaddw_high_s8(v->off1, va), vaddw_high_s8(v->off2, vb), v, fast);
    vst1q_s8(y + i, vminq_s8(vmaxq_s8(vcombine_s8(low, high), lo), hi));
  }
}

/* A requantization constant broadcast to four lanes. */
static te_requant4 te_requant4_splat(int32_t m, int32_t shift) {
  const int32_t ms[4] = {m, m, m, m}, ss[4] = {shift, shift, shift, shift};
  return te_requant4_load(ms, ss);
}

/* The vectors of operands `a` (offset, multiplier, shift: o1, m1, s1) and `b` (o2, m2, s2). */
static void te_add_vectors_of(te_add_vectors *v, const te_binary_params *p, int32_t o1, int32_t m1, int32_t s1,
                              int32_t o2, int32_t m2, int32_t s2) {
  v->off1 = vdupq_n_s16((int16_t)o1);
  v->off2 = vdupq_n_s16((int16_t)o2);
  v->out_offset = vdupq_n_s16((int16_t)p->output_offset);
  v->shl1 = vdupq_n_s32(p->left_shift + (s1 > 0 ? s1 : 0));
  v->shl2 = vdupq_n_s32(p->left_shift + (s2 > 0 ? s2 : 0));
  v->m1 = vdupq_n_s32(m1);
  v->m2 = vdupq_n_s32(m2);
  v->right1 = vdupq_n_s32(s1 < 0 ? s1 : 0);
  v->right2 = vdupq_n_s32(s2 < 0 ? s2 : 0);
  v->qo = te_requant4_splat(p->output_multiplier, p->output_shift);
}

void te_add_s8(const int8_t *a, const int8_t *b, const te_broadcast *s, const te_binary_params *p, int8_t *y) {
  const int32_t n = te_unbroadcast_count(s);
  const int8x16_t lo = vdupq_n_s8((int8_t)p->act_min), hi = vdupq_n_s8((int8_t)p->act_max);
  te_add_vectors v;
  int32_t i;
  if (n == 0) {
    te_binary_s8(a, b, s, p, y, te_add_element);
    return;
  }
  if (p->output_shift < 0 && p->input1_shift >= 0 && p->input2_shift < 0) {
    te_add_vectors_of(&v, p, p->input1_offset, p->input1_multiplier, p->input1_shift, p->input2_offset,
                      p->input2_multiplier, p->input2_shift);
    te_add16s(a, b, n, &v, lo, hi, 1, y);
  } else if (p->output_shift < 0 && p->input2_shift >= 0 && p->input1_shift < 0) {
    te_add_vectors_of(&v, p, p->input2_offset, p->input2_multiplier, p->input2_shift, p->input1_offset,
                      p->input1_multiplier, p->input1_shift);
    te_add16s(b, a, n, &v, lo, hi, 1, y);
  } else {
    te_add_vectors_of(&v, p, p->input1_offset, p->input1_multiplier, p->input1_shift, p->input2_offset,
                      p->input2_multiplier, p->input2_shift);
    te_add16s(a, b, n, &v, lo, hi, 0, y);
  }
  for (i = n - n % 16; i < n; i++) y[i] = (int8_t)te_add_element(a[i], b[i], p);
}
