/*
 * tinyedge: the per-element arithmetic of the reference elementwise, requantize and mean kernels, shared by their
 * int8 versions (kernels/ref/elementwise.c, pool.c) and their 16×8 versions (kernels/ref/int16.c): the formulas are
 * the same for both element types, only the loops' pointer types differ. Each returns the value before the cast to
 * the output type; every result is clamped first, so the cast never truncates.
 */
#ifndef TINYEDGE_ELEMENT_OPS_H
#define TINYEDGE_ELEMENT_OPS_H

#include "tinyedge/kernels.h"
#include "fixed_point.h"

/*
 * TFLite's quantized add (reference_integer_ops::AddElementwise): each input, offset to a signed value, is scaled up
 * by 2^left_shift (20 for int8, 15 for int16) so the rescaling to the common scale below keeps precision, rescaled
 * with its own (multiplier, shift), summed, and rescaled to the output. Overflow: |a + offset| · 2^left_shift is at
 * most 255 · 2^20 < 2^28 for int8 and 2^15 · 2^15 = 2^30 for int16 (zero point 0); the input multipliers are below
 * one, so each rescaled input is no larger and their sum stays below 2^31.
 */
static inline int32_t te_add_element(int32_t a, int32_t b, const te_binary_params *p) {
  const int32_t sa = te_mbqm((a + p->input1_offset) * (1 << p->left_shift), p->input1_multiplier, p->input1_shift);
  const int32_t sb = te_mbqm((b + p->input2_offset) * (1 << p->left_shift), p->input2_multiplier, p->input2_shift);
  return te_clamp(te_mbqm(sa + sb, p->output_multiplier, p->output_shift) + p->output_offset, p->act_min, p->act_max);
}

/* TFLite's quantized mul (MulElementwise): the product of the offset inputs, |·| ≤ 255² for int8 and 2^30 for int16
   (zero points 0), rescaled to the output. */
static inline int32_t te_mul_element(int32_t a, int32_t b, const te_binary_params *p) {
  const int32_t product = (a + p->input1_offset) * (b + p->input2_offset);
  return te_clamp(te_mbqm(product, p->output_multiplier, p->output_shift) + p->output_offset, p->act_min, p->act_max);
}

/* One element of a requantizing copy: the value itself when input and output quantization agree, else rescaled. */
static inline int32_t te_requantize_element(int32_t x, const te_requant_params *p) {
  const int32_t v = p->identity ? x : te_mbqm(x + p->input_offset, p->multiplier, p->shift) + p->output_offset;
  return te_clamp(v, p->act_min, p->act_max);
}

/* TFLite's integer mean (reference_integer_ops::Mean): the sum of `count` offset inputs rescaled, then divided by
   the count with TFLite's rounding; unclamped. |x + offset| ≤ 2^15, so the sum stays below 2^31 for count ≤ 2^16. */
static inline int32_t te_mean_element(int32_t sum, int32_t count, int32_t multiplier, int32_t shift, int32_t output_offset) {
  return te_rounded_divide(te_mbqm(sum, multiplier, shift), count) + output_offset;
}

/* A broadcast right-aligned in four dimensions: the output's sizes and each operand's strides (0 where it repeats). */
typedef struct {
  int32_t d[4], sa[4], sb[4];
} te_broadcast4;

static inline te_broadcast4 te_broadcast_dims(const te_broadcast *s) {
  te_broadcast4 b = {{1, 1, 1, 1}, {0, 0, 0, 0}, {0, 0, 0, 0}};
  int32_t k;
  for (k = 0; k < s->rank; k++) {
    b.d[4 - s->rank + k] = s->out_shape[k];
    b.sa[4 - s->rank + k] = s->a_strides[k];
    b.sb[4 - s->rank + k] = s->b_strides[k];
  }
  return b;
}

/* `name`: add or mul (`op`, which compilers inline into a copy per caller) over elements of type T: output element
   (i0, i1, i2, i3) reads a and b at their broadcast offsets (strides 0 on repeated dimensions). One definition for
   the int8 and int16 kernels. */
#define TE_DEFINE_BINARY(name, T)                                                                              \
  static inline void name(const T *a, const T *b, const te_broadcast *s, const te_binary_params *p, T *y,       \
                          int32_t (*op)(int32_t, int32_t, const te_binary_params *)) {                         \
    const te_broadcast4 t = te_broadcast_dims(s);                                                              \
    int32_t i0, i1, i2, i3;                                                                                    \
    for (i0 = 0; i0 < t.d[0]; i0++)                                                                            \
      for (i1 = 0; i1 < t.d[1]; i1++)                                                                          \
        for (i2 = 0; i2 < t.d[2]; i2++)                                                                        \
          for (i3 = 0; i3 < t.d[3]; i3++) {                                                                    \
            const int32_t va = a[i0 * t.sa[0] + i1 * t.sa[1] + i2 * t.sa[2] + i3 * t.sa[3]];                   \
            const int32_t vb = b[i0 * t.sb[0] + i1 * t.sb[1] + i2 * t.sb[2] + i3 * t.sb[3]];                   \
            *y++ = (T)op(va, vb, p);                                                                           \
          }                                                                                                    \
  }
TE_DEFINE_BINARY(te_binary_s8, int8_t)
TE_DEFINE_BINARY(te_binary_s16, int16_t)

/* The element count when neither operand broadcasts (both laid out as the output), else 0. */
static inline int32_t te_unbroadcast_count(const te_broadcast *s) {
  int32_t k, n = 1;
  for (k = s->rank - 1; k >= 0; k--) {
    if (s->out_shape[k] > 1 && (s->a_strides[k] != n || s->b_strides[k] != n)) return 0;
    n *= s->out_shape[k];
  }
  return n;
}

/* The taps of a pooling window inside the input, as TFLite's reference pooling clips them: rows [ky0, ky1) and
   columns [kx0, kx1) of the window whose top-left input position is (iy, ix); `count` of them. */
typedef struct {
  int32_t iy, ix, ky0, ky1, kx0, kx1, count;
} te_pool_span;

static inline te_pool_span te_pool_window(const te_window *g, int32_t oy, int32_t ox) {
  te_pool_span s;
  s.iy = oy * g->stride_h - g->pad_top;
  s.ix = ox * g->stride_w - g->pad_left;
  s.ky0 = s.iy < 0 ? -s.iy : 0;
  s.ky1 = g->h - s.iy < g->kh ? g->h - s.iy : g->kh;
  s.kx0 = s.ix < 0 ? -s.ix : 0;
  s.kx1 = g->w - s.ix < g->kw ? g->w - s.ix : g->kw;
  s.count = (s.ky1 - s.ky0) * (s.kx1 - s.kx0);
  return s;
}

/* `name`: average, or max when `is_max`, of each channel over each output pixel's window, over elements of type T
   whose smallest value is `lowest` (te_rounded_divide: TFLite's rounding, half away from zero). One definition for
   the int8 and int16 kernels. */
#define TE_DEFINE_POOL(name, T, lowest)                                                                        \
  static inline void name(const T *x, const te_window *g, int32_t act_min, int32_t act_max, T *y, int is_max) { \
    int32_t n, oy, ox, c, ky, kx;                                                                              \
    for (n = 0; n < g->n; n++)                                                                                 \
      for (oy = 0; oy < g->oh; oy++)                                                                           \
        for (ox = 0; ox < g->ow; ox++) {                                                                       \
          const te_pool_span s = te_pool_window(g, oy, ox);                                                    \
          for (c = 0; c < g->c; c++) {                                                                         \
            int32_t acc = is_max ? (lowest) : 0;                                                               \
            for (ky = s.ky0; ky < s.ky1; ky++)                                                                 \
              for (kx = s.kx0; kx < s.kx1; kx++) {                                                             \
                const int32_t v = x[((n * g->h + s.iy + ky) * g->w + s.ix + kx) * g->c + c];                   \
                acc = is_max ? (v > acc ? v : acc) : acc + v;                                                  \
              }                                                                                                \
            *y++ = (T)te_clamp(is_max ? acc : te_rounded_divide(acc, s.count), act_min, act_max);              \
          }                                                                                                    \
        }                                                                                                      \
  }
TE_DEFINE_POOL(te_pool_s8, int8_t, -128)
TE_DEFINE_POOL(te_pool_s16, int16_t, -32768)

/* The input offset output element (i0, i1, i2, i3) of a pad copies, or −1 where it lies in the padding. */
static inline int32_t te_pad_source(const int32_t shape[4], const int32_t before[4], int32_t i0, int32_t i1, int32_t i2,
                                    int32_t i3) {
  const int32_t a = i0 - before[0], b = i1 - before[1], c = i2 - before[2], d = i3 - before[3];
  const int inside = a >= 0 && a < shape[0] && b >= 0 && b < shape[1] && c >= 0 && c < shape[2] && d >= 0 && d < shape[3];
  return inside ? ((a * shape[1] + b) * shape[2] + c) * shape[3] + d : -1;
}

#endif
