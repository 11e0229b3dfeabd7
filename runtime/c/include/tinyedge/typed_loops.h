/*
 * tinyedge: the reference loops int8 and int16 (16×8) activations share, as macros that define the kernels for one
 * element type. kernels/ref/{elementwise,pool,pad}.c instantiate them for int8, kernels/ref/int16.c for int16, so
 * both types run the same arithmetic and the int8 object code is what a hand-written int8 loop gives. Sums stay in
 * int32: an int16 value shifted left by add's 15 bits, or a product of two int16 values, is below 2^31.
 */
#ifndef TINYEDGE_TYPED_LOOPS_H
#define TINYEDGE_TYPED_LOOPS_H

#include "tinyedge/kernels.h"
#include "tinyedge/fixed_point.h"

/* te_add_<sfx> and te_mul_<sfx>: element i of y reads a and b through their broadcast strides (0 on broadcast
   dimensions), right-aligned in four dimensions. */
#define TE_DEFINE_BINARY_KERNELS(sfx, T)                                                                              \
  static T te_add_one_##sfx(int32_t a, int32_t b, const te_binary_params *p) {                                       \
    const int32_t sa = te_mbqm((a + p->input1_offset) * (1 << p->left_shift), p->input1_multiplier, p->input1_shift); \
    const int32_t sb = te_mbqm((b + p->input2_offset) * (1 << p->left_shift), p->input2_multiplier, p->input2_shift); \
    return (T)te_clamp(te_mbqm(sa + sb, p->output_multiplier, p->output_shift) + p->output_offset, p->act_min,       \
                       p->act_max);                                                                                   \
  }                                                                                                                   \
  static T te_mul_one_##sfx(int32_t a, int32_t b, const te_binary_params *p) {                                       \
    const int32_t prod = (a + p->input1_offset) * (b + p->input2_offset);                                             \
    return (T)te_clamp(te_mbqm(prod, p->output_multiplier, p->output_shift) + p->output_offset, p->act_min,          \
                       p->act_max);                                                                                   \
  }                                                                                                                   \
  static void te_broadcast_##sfx(const T *a, const T *b, const te_broadcast *s, const te_binary_params *p, T *y,      \
                                 T (*one)(int32_t, int32_t, const te_binary_params *)) {                              \
    int32_t d[4] = {1, 1, 1, 1}, sa[4] = {0, 0, 0, 0}, sb[4] = {0, 0, 0, 0};                                          \
    int32_t k, i0, i1, i2, i3;                                                                                        \
    for (k = 0; k < s->rank; k++) {                                                                                   \
      d[4 - s->rank + k] = s->out_shape[k];                                                                           \
      sa[4 - s->rank + k] = s->a_strides[k];                                                                          \
      sb[4 - s->rank + k] = s->b_strides[k];                                                                          \
    }                                                                                                                 \
    for (i0 = 0; i0 < d[0]; i0++)                                                                                     \
      for (i1 = 0; i1 < d[1]; i1++)                                                                                   \
        for (i2 = 0; i2 < d[2]; i2++)                                                                                 \
          for (i3 = 0; i3 < d[3]; i3++)                                                                               \
            *y++ = one(a[i0 * sa[0] + i1 * sa[1] + i2 * sa[2] + i3 * sa[3]],                                          \
                       b[i0 * sb[0] + i1 * sb[1] + i2 * sb[2] + i3 * sb[3]], p);                                      \
  }                                                                                                                   \
  void te_add_##sfx(const T *a, const T *b, const te_broadcast *s, const te_binary_params *p, T *y) {                 \
    te_broadcast_##sfx(a, b, s, p, y, te_add_one_##sfx);                                                              \
  }                                                                                                                   \
  void te_mul_##sfx(const T *a, const T *b, const te_broadcast *s, const te_binary_params *p, T *y) {                 \
    te_broadcast_##sfx(a, b, s, p, y, te_mul_one_##sfx);                                                              \
  }

/* A requantizing copy from TIn to TOut (the same type, or int8 ↔ int16) named `name`. */
#define TE_DEFINE_REQUANTIZE(name, TIn, TOut)                                                                         \
  void name(const TIn *x, int32_t outer, int32_t chunk, int32_t y_stride, const te_requant_params *p, TOut *y) {      \
    int32_t r, i;                                                                                                     \
    for (r = 0; r < outer; r++) {                                                                                     \
      const TIn *xr = x + r * chunk;                                                                                  \
      TOut *yr = y + r * y_stride;                                                                                    \
      for (i = 0; i < chunk; i++) {                                                                                   \
        const int32_t v =                                                                                             \
            p->identity ? xr[i] : te_mbqm(xr[i] + p->input_offset, p->multiplier, p->shift) + p->output_offset;       \
        yr[i] = (TOut)te_clamp(v, p->act_min, p->act_max);                                                            \
      }                                                                                                               \
    }                                                                                                                 \
  }

/* te_avg_pool_<sfx>, te_max_pool_<sfx> (`lowest` the type's minimum) and te_mean_<sfx> (clamped to [lo, hi]). */
#define TE_DEFINE_POOL_KERNELS(sfx, T, lo, hi)                                                                        \
  static void te_pool_##sfx(const T *x, const te_window *g, int32_t act_min, int32_t act_max, T *y, int is_max) {     \
    int32_t n, oy, ox, c, ky, kx;                                                                                     \
    for (n = 0; n < g->n; n++) {                                                                                      \
      for (oy = 0; oy < g->oh; oy++) {                                                                                \
        for (ox = 0; ox < g->ow; ox++) {                                                                              \
          for (c = 0; c < g->c; c++) {                                                                                \
            int32_t acc = is_max ? (lo) : 0, count = 0;                                                               \
            for (ky = 0; ky < g->kh; ky++) {                                                                          \
              const int32_t iy = oy * g->stride_h - g->pad_top + ky;                                                  \
              if (iy < 0 || iy >= g->h) continue;                                                                     \
              for (kx = 0; kx < g->kw; kx++) {                                                                        \
                const int32_t ix = ox * g->stride_w - g->pad_left + kx;                                               \
                int32_t v;                                                                                            \
                if (ix < 0 || ix >= g->w) continue;                                                                   \
                v = x[((n * g->h + iy) * g->w + ix) * g->c + c];                                                      \
                count++;                                                                                              \
                if (is_max) acc = v > acc ? v : acc;                                                                  \
                else acc += v;                                                                                        \
              }                                                                                                       \
            }                                                                                                         \
            *y++ = (T)te_clamp(is_max ? acc : te_rounded_divide(acc, count), act_min, act_max);                       \
          }                                                                                                           \
        }                                                                                                             \
      }                                                                                                               \
    }                                                                                                                 \
  }                                                                                                                   \
  void te_avg_pool_##sfx(const T *x, const te_window *g, int32_t act_min, int32_t act_max, T *y) {                    \
    te_pool_##sfx(x, g, act_min, act_max, y, 0);                                                                      \
  }                                                                                                                   \
  void te_max_pool_##sfx(const T *x, const te_window *g, int32_t act_min, int32_t act_max, T *y) {                    \
    te_pool_##sfx(x, g, act_min, act_max, y, 1);                                                                      \
  }                                                                                                                   \
  void te_mean_##sfx(const T *x, int32_t outer, int32_t reduced, int32_t inner, int32_t input_offset,                 \
                     int32_t multiplier, int32_t shift, int32_t output_offset, T *y) {                                \
    int32_t o, r, i;                                                                                                  \
    for (o = 0; o < outer; o++) {                                                                                     \
      for (i = 0; i < inner; i++) {                                                                                   \
        int32_t acc = 0;                                                                                              \
        for (r = 0; r < reduced; r++) acc += x[(o * reduced + r) * inner + i] + input_offset;                         \
        y[o * inner + i] =                                                                                            \
            (T)te_clamp(te_rounded_divide(te_mbqm(acc, multiplier, shift), reduced) + output_offset, (lo), (hi));     \
      }                                                                                                               \
    }                                                                                                                 \
  }

/* te_pad_<sfx>: pads a [d0][d1][d2][d3] tensor by before/after per dimension with `value`. */
#define TE_DEFINE_PAD(sfx, T)                                                                                         \
  void te_pad_##sfx(const T *x, const int32_t shape[4], const int32_t before[4], const int32_t after[4], T value,     \
                    T *y) {                                                                                           \
    int32_t o[4], i0, i1, i2, i3;                                                                                     \
    for (i0 = 0; i0 < 4; i0++) o[i0] = shape[i0] + before[i0] + after[i0];                                           \
    for (i0 = 0; i0 < o[0]; i0++)                                                                                     \
      for (i1 = 0; i1 < o[1]; i1++)                                                                                   \
        for (i2 = 0; i2 < o[2]; i2++)                                                                                 \
          for (i3 = 0; i3 < o[3]; i3++) {                                                                             \
            const int32_t a = i0 - before[0], b = i1 - before[1], c = i2 - before[2], d = i3 - before[3];             \
            const int inside =                                                                                        \
                a >= 0 && a < shape[0] && b >= 0 && b < shape[1] && c >= 0 && c < shape[2] && d >= 0 && d < shape[3]; \
            *y++ = inside ? x[((a * shape[1] + b) * shape[2] + c) * shape[3] + d] : value;                            \
          }                                                                                                           \
  }

#endif
