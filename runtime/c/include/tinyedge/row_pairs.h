/*
 * tinyedge: te_matmul_row_pairs_s8 and te_conv2d_row_pairs_s8 (kernels.h), for the folders whose table entry says
 * so (kernel-table.ts's rowPairs: cortex-m-dsp): the choice of the naked asm function that runs a call's pairs of
 * rows (armv7em_pair_groups.h), made here, inlined into the generated call. Its arguments are the call's constants
 * (K, out_c, the static const te_mac_params and te_window), so gcc folds the choice and the model references only
 * the variant each layer runs: --gc-sections drops the rest (~1.3 KB each). The kernels read the same rules
 * (te_matmul_pair_loop_ok, te_window3x3_c3_ok) to know which kind of function they were given.
 */
#ifndef TINYEDGE_ROW_PAIRS_H
#define TINYEDGE_ROW_PAIRS_H

#include "tinyedge/kernels.h"

/* A call's shared state (armv7em_pair_groups.h) and a function over it: a group loop runs every group of four
   channels of one pair of rows, a pair loop every pair of the call. */
typedef struct te_pair_job te_pair_job;
typedef void te_pair_fn(const te_pair_job *job, const int8_t *w);

/* The group loops of the widened rows by step count (K = 8, 16, any), clamped to a range narrower than int8's or
   not, those of the int8 rows read in place (raw), and the pair loops (int8's range only); each of int8's range but
   the raw ones and the 3×3 windows of 3 channels also without the sign fix-up (_nofixup: te_mac_params.no_sign_fixup;
   those are picked at run time by te_matmul_s8 and te_conv2d_s8, so the compiler leaves the flag clear for them). */
#define TE_PAIR_FNS(name) name, name##_nofixup
te_pair_fn te_row_pair_groups_k8_clamped, te_row_pair_groups_k16_clamped, te_row_pair_groups_any_clamped;
te_pair_fn te_raw_pair_groups_clamped, te_raw_pair_groups, te_raw_pair_groups_loop, te_window3x3_c3_pair_loop;
te_pair_fn TE_PAIR_FNS(te_row_pair_groups_k8), TE_PAIR_FNS(te_row_pair_groups_k8_loop);
te_pair_fn TE_PAIR_FNS(te_row_pair_groups_k16), TE_PAIR_FNS(te_row_pair_groups_k16_loop);
te_pair_fn TE_PAIR_FNS(te_row_pair_groups_any), TE_PAIR_FNS(te_row_pair_groups_any_loop);
te_pair_fn TE_PAIR_FNS(te_row_pair_groups_k32_loop), TE_PAIR_FNS(te_row_pair_groups_k64n_loop);
#undef TE_PAIR_FNS

/* Whether the range is narrower than int8's (SSAT gives int8's). */
static inline int32_t te_pairs_clamp(const te_mac_params *p) {
  return p->act_min > -128 || p->act_max < 127;
}

/* Whether a matmul runs every pair of rows in one pair loop: 'smmul' constants, k and out_c multiples of four,
   int8's range. */
static inline int32_t te_matmul_pair_loop_ok(int32_t rows, int32_t k, int32_t out_c, const te_mac_params *p) {
  return rows >= 2 && !p->shifts && !te_pairs_clamp(p) && !(k & 3) && !(out_c & 3);
}

/* Whether a conv runs its pairs of 3×3 windows of 3 channels (K = 27, an RGB model's first conv) through
   te_window3x3_c3_pair_loop: out_c a multiple of four, int8's range. */
static inline int32_t te_window3x3_c3_ok(const te_window *g, int32_t out_c, const te_mac_params *p) {
  return g->kh == 3 && g->kw == 3 && g->c == 3 && !(out_c & 3) && !te_pairs_clamp(p);
}

/* The group loop (`loop` 0) or pair loop (1) for the rows' form (widened, or `raw` int8) and step count and the
   clamp, without the sign fix-up where `nofixup` (never with the clamp or raw: see te_matmul_pair_fn). */
#define TE_PAIR_FIXUP_PICK(name) (nofixup ? name##_nofixup : name)
static inline te_pair_fn *te_pair_fn_of(int32_t raw, int32_t steps, int32_t clamp, int32_t loop, int32_t nofixup) {
  if (raw) {
    if (loop) return te_raw_pair_groups_loop;
    return clamp ? te_raw_pair_groups_clamped : te_raw_pair_groups;
  }
  if (steps == 2) {
    if (loop) return TE_PAIR_FIXUP_PICK(te_row_pair_groups_k8_loop);
    return clamp ? te_row_pair_groups_k8_clamped : TE_PAIR_FIXUP_PICK(te_row_pair_groups_k8);
  }
  if (steps == 4) {
    if (loop) return TE_PAIR_FIXUP_PICK(te_row_pair_groups_k16_loop);
    return clamp ? te_row_pair_groups_k16_clamped : TE_PAIR_FIXUP_PICK(te_row_pair_groups_k16);
  }
  if (loop && steps == 8) return TE_PAIR_FIXUP_PICK(te_row_pair_groups_k32_loop);
  if (loop && !(steps & 15)) return TE_PAIR_FIXUP_PICK(te_row_pair_groups_k64n_loop);
  if (loop) return TE_PAIR_FIXUP_PICK(te_row_pair_groups_any_loop);
  return clamp ? te_row_pair_groups_any_clamped : TE_PAIR_FIXUP_PICK(te_row_pair_groups_any);
}

/* A matmul's function (none where no pair runs in asm: TFLite's (multiplier, shift) arrays, fewer than two rows, or
   raw rows of a k that is not a multiple of four, whose last word would run past the row). Raw rows are chosen at
   run time (te_matmul_s8), so a layer without the sign fix-up takes the one-row path there, which honours it: their
   functions without it would be linked wherever te_matmul_s8 is (the compiler sets the flag only for the calls of
   te_matmul_row_pairs_s8 and te_conv2d_row_pairs_s8, whose choice folds at compile time). */
static inline te_pair_fn *te_matmul_pair_fn(int32_t rows, int32_t k, int32_t out_c, const te_mac_params *p,
                                            int32_t raw) {
  if (p->shifts || rows < 2 || (raw && ((k & 3) || p->no_sign_fixup))) return 0;
  return te_pair_fn_of(raw, (k + 3) >> 2, te_pairs_clamp(p), te_matmul_pair_loop_ok(rows, k, out_c, p),
                       !raw && p->no_sign_fixup);
}

/* A conv's function (none with TFLite's (multiplier, shift) arrays, or raw windows or 3×3 windows of 3 channels
   without the sign fix-up, as for te_matmul_pair_fn: those take the one-window path). */
static inline te_pair_fn *te_conv2d_pair_fn(const te_window *g, int32_t out_c, const te_mac_params *p, int32_t raw) {
  const int32_t window3x3_c3 = te_window3x3_c3_ok(g, out_c, p);
  if (p->shifts || ((raw || window3x3_c3) && p->no_sign_fixup)) return 0;
  if (window3x3_c3) return te_window3x3_c3_pair_loop;
  return te_pair_fn_of(raw, (g->kh * g->kw * g->c + 3) >> 2, te_pairs_clamp(p), 0, !raw && p->no_sign_fixup);
}

#undef TE_PAIR_FIXUP_PICK

/* The kernels, given the function te_matmul_pair_fn or te_conv2d_pair_fn chose (raw 0). */
void te_matmul_row_pairs_with_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows,
                                 int32_t k, int32_t out_c, const te_mac_params *p, int32_t *scratch,
                                 te_pair_fn *pair_fn, int8_t *y);
void te_conv2d_row_pairs_with_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, const te_window *g,
                                 int32_t out_c, const te_mac_params *p, int8_t *patch, te_pair_fn *pair_fn, int8_t *y);

/* te_matmul_s8 two rows at a time: `scratch` (16·ceil(k/4) bytes, planned in the arena) holds both rows widened to
   int16, so each weight word loaded feeds two rows. */
static inline void te_matmul_row_pairs_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows,
                                          int32_t k, int32_t out_c, const te_mac_params *p, int32_t *scratch,
                                          int8_t *y) {
  te_matmul_row_pairs_with_s8(x, w, folded_bias, rows, k, out_c, p, scratch, te_matmul_pair_fn(rows, k, out_c, p, 0),
                              y);
}

/* te_conv2d_s8 two output pixels at a time: `patch` holds k + 4·ceil(k/4) + 16·ceil(k/4) bytes (both windows widened
   to int16, then the two int8 windows). The compiler calls these two only where their int16 scratch does not raise
   the arena's peak; elsewhere the folder's te_matmul_s8 and te_conv2d_s8 take two rows or windows at a time as
   int8. */
static inline void te_conv2d_row_pairs_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias,
                                          const te_window *g, int32_t out_c, const te_mac_params *p, int8_t *patch,
                                          int8_t *y) {
  te_conv2d_row_pairs_with_s8(x, w, folded_bias, g, out_c, p, patch, te_conv2d_pair_fn(g, out_c, p, 0), y);
}

#endif
