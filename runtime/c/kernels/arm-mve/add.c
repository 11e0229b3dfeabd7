/*
 * Cortex-M55 Helium (MVE) int8 add, TFLite's arithmetic (kernels/internal/element_ops.h's te_add_element) on four
 * lanes: inputs widened by VLDRB.S32, offset and scaled by 2^left_shift in one VMLAS, each rescaled with VQRDMULH
 * and a rounding right shift (mve_requantize.h's argument), summed, rescaled, offset and clamped, and narrowed by
 * VSTRB.32: 21 instructions for four elements. That covers operands of one shape whose shifts are right shifts or
 * 0 (TFLite's add multipliers are at most one half, so always in practice); broadcasts and left shifts take the
 * reference loop.
 */
#include "../internal/asm_build.h"
#include <arm_mve.h>
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/element_ops.h"
#include "../internal/mve_requantize.h"

/* RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(%q[V], M), -S) for S < 0, in place (%q[t] scratch). */
#define TE_ADD_RESCALE(V, M, S)                   \
  "vqrdmulh.s32 %q[" V "], %q[" V "], %[" M "]\n\t" \
  "vshr.s32 %q[t], %q[" V "], #31\n\t"           \
  "vqadd.s32 %q[" V "], %q[" V "], %q[t]\n\t"     \
  "vrshl.s32 %q[" V "], %[" S "]\n\t"

/* SaturatingRoundingDoublingHighMul(%q[V], M) alone: RoundingDivideByPOT by 0 is the identity (and the sign fixup
   above would be wrong). The larger-scale input of an add has multiplier 1/2 and shift 0. */
#define TE_ADD_RESCALE0(V, M, S) "vqrdmulh.s32 %q[" V "], %q[" V "], %[" M "]\n\t"

/* `name`(a, b, n, p, y): n elements of a and b added into y, the inputs rescaled by RESCALE1 and RESCALE2 (one of
   the two above). A tail-predicated low-overhead loop (the last lanes load and store under the loop's predicate),
   written out because gcc spills with this many scalars (the widening loads need low registers). */
#define TE_ADD_FLAT(name, RESCALE1, RESCALE2)                                                                               \
  static void name(const int8_t *a, const int8_t *b, int32_t n, const te_binary_params *p, int8_t *y) {                  \
    const int32x4_t scale = vdupq_n_s32(1 << p->left_shift), out_offset = vdupq_n_s32(p->output_offset);                 \
    const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);                                          \
    int32x4_t va, vb, t;                                                                                                 \
    __asm__ volatile("wlstp.32 lr, %[n], 2f\n"                                                                           \
                     "1:\n\t"                                                                                            \
                     "vldrb.s32 %q[a], [%[pa]], #4\n\t"                                                                  \
                     "vldrb.s32 %q[b], [%[pb]], #4\n\t"                                                                  \
                     "vmlas.s32 %q[a], %q[scale], %[off1]\n\t"                                                           \
                     "vmlas.s32 %q[b], %q[scale], %[off2]\n\t" RESCALE1("a", "m1", "s1") RESCALE2("b", "m2", "s2")        \
                     "vadd.i32 %q[a], %q[a], %q[b]\n\t" TE_ADD_RESCALE("a", "mo", "so")                                  \
                     "vadd.i32 %q[a], %q[a], %q[oo]\n\t"                                                                 \
                     "vmax.s32 %q[a], %q[a], %q[lo]\n\t"                                                                 \
                     "vmin.s32 %q[a], %q[a], %q[hi]\n\t"                                                                 \
                     "vstrb.32 %q[a], [%[py]], #4\n\t"                                                                   \
                     "letp lr, 1b\n"                                                                                     \
                     "2:"                                                                                                \
                     : [pa] "+l"(a), [pb] "+l"(b), [py] "+l"(y), [a] "=&w"(va), [b] "=&w"(vb), [t] "=&w"(t)              \
                     : [n] "r"(n), [scale] "w"(scale), [oo] "w"(out_offset), [lo] "w"(lo), [hi] "w"(hi),                  \
                       [off1] "r"(p->input1_offset * (1 << p->left_shift)),                                              \
                       [off2] "r"(p->input2_offset * (1 << p->left_shift)), [m1] "r"(p->input1_multiplier),             \
                       [s1] "r"(p->input1_shift), [m2] "r"(p->input2_multiplier), [s2] "r"(p->input2_shift),              \
                       [mo] "r"(p->output_multiplier), [so] "r"(p->output_shift)                                        \
                     : "lr", "memory");                                                                                  \
  }

TE_ADD_FLAT(te_add_flat, TE_ADD_RESCALE, TE_ADD_RESCALE)
TE_ADD_FLAT(te_add_flat_0r, TE_ADD_RESCALE0, TE_ADD_RESCALE)
TE_ADD_FLAT(te_add_flat_r0, TE_ADD_RESCALE, TE_ADD_RESCALE0)
TE_ADD_FLAT(te_add_flat_00, TE_ADD_RESCALE0, TE_ADD_RESCALE0)

void te_add_s8(const int8_t *a, const int8_t *b, const te_broadcast *s, const te_binary_params *p, int8_t *y) {
  const int32_t n = te_unbroadcast_count(s);
  const int32_t s1 = p->input1_shift, s2 = p->input2_shift;
  if (n == 0 || s1 > 0 || s2 > 0 || p->output_shift >= 0) te_binary_s8(a, b, s, p, y, te_add_element);
  else if (s1 < 0 && s2 < 0) te_add_flat(a, b, n, p, y);
  else if (s2 < 0) te_add_flat_0r(a, b, n, p, y);
  else if (s1 < 0) te_add_flat_r0(a, b, n, p, y);
  else te_add_flat_00(a, b, n, p, y);
}
