/*
 * tinyedge: a layer's part for a thread, through the unchanged kernels. Part `part` of `parts` computes a band of
 * output rows (or, for elementwise ops, of the outermost dimension longer than one), as a smaller call of the same
 * kernel: a band of a window op is the window op of that band (fewer output rows, the top padding moved down by the
 * rows skipped, the input advanced to the first row the band reads); a band of a matmul is fewer rows. Every output
 * element is computed as in the whole call, so the result is bit-identical for every thread count. A kernel with a
 * scratch buffer takes the running thread's (parts outnumber threads: the thread, not the part, owns it). Static
 * inline: a model includes this header and only the wrappers it calls reference kernels.
 */
#ifndef TINYEDGE_THREADS_ROW_SPLIT_H
#define TINYEDGE_THREADS_ROW_SPLIT_H

#include "tinyedge/kernels.h"
#include "tinyedge/window_rows.h"

/* The first of `total` rows in part `part` of `parts` (part == parts gives total): bands differ by at most a row,
   or by `step` rows (a kernel's row tile) where every band can be a whole number of tiles. */
static inline int32_t te_band_start(int32_t total, int32_t part, int32_t parts, int32_t step) {
  int32_t at = (int32_t)((int64_t)total * part / parts);
  if (part == parts || total < step * parts) return at;
  return (at + step / 2) / step * step;
}

/* Part `part` of `parts` of a window op's output rows (batch 1): the band's geometry (fewer output rows, the top
   padding less the input rows skipped), the input element it starts at, and its first output row; 0 when empty. */
static inline int32_t te_window_part(const te_window *g, int32_t part, int32_t parts, te_window *band,
                                     int64_t *x_offset, int32_t *first_row) {
  int32_t r0 = te_band_start(g->oh, part, parts, 1), r1 = te_band_start(g->oh, part + 1, parts, 1);
  if (r1 <= r0) return 0;
  *x_offset = te_window_rows(g, r0, r1, band);
  *first_row = r0;
  return 1;
}

static inline void te_conv2d_s8_part(const int8_t *x, const int8_t *w, const int32_t *folded_bias, const te_window *g,
                                     int32_t out_c, const te_mac_params *p, int8_t *patch, int8_t *y,
                                     int32_t patch_bytes, int32_t thread, int32_t part, int32_t parts) {
  te_window band;
  int64_t x_off;
  int32_t r0;
  if (!te_window_part(g, part, parts, &band, &x_off, &r0)) return;
  y += (int64_t)r0 * g->ow * out_c;
  te_conv2d_s8(x + x_off, w, folded_bias, &band, out_c, p, patch + (int64_t)thread * patch_bytes, y);
}

static inline void te_depthwise_conv2d_s8_part(const int8_t *x, const int8_t *w, const int32_t *bias,
                                               const te_window *g, int32_t multiplier, const te_mac_params *p,
                                               int8_t *y, int32_t part, int32_t parts) {
  te_window band;
  int64_t x_off;
  int32_t r0;
  if (!te_window_part(g, part, parts, &band, &x_off, &r0)) return;
  y += (int64_t)r0 * g->ow * g->c * multiplier;
  te_depthwise_conv2d_s8(x + x_off, w, bias, &band, multiplier, p, y);
}

/* The part wrapper of a pooling kernel (same quantization in and out, one channel count). */
#define TE_DEFINE_POOL_PART(kernel)                                                                       \
  static inline void kernel##_part(const int8_t *x, const te_window *g, int32_t act_min, int32_t act_max, \
                                   int8_t *y, int32_t part, int32_t parts) {                              \
    te_window band;                                                                                       \
    int64_t x_off;                                                                                        \
    int32_t r0;                                                                                           \
    if (!te_window_part(g, part, parts, &band, &x_off, &r0)) return;                                      \
    kernel(x + x_off, &band, act_min, act_max, y + (int64_t)r0 * g->ow * g->c);                           \
  }

TE_DEFINE_POOL_PART(te_avg_pool_s8)
TE_DEFINE_POOL_PART(te_max_pool_s8)

/* Rows in tiles of this many keep the ISA matmuls on their widest tile (a band of whole tiles where possible). */
#define TE_MATMUL_BAND_STEP 8

typedef void (*te_matmul_kernel)(const int8_t *, const int8_t *, const int32_t *, int32_t, int32_t, int32_t,
                                 const te_mac_params *, int8_t *);

static inline void te_matmul_band(te_matmul_kernel kernel, const int8_t *x, const int8_t *w, const int32_t *folded_bias,
                                  int32_t rows, int32_t k, int32_t out_c, const te_mac_params *p, int8_t *y,
                                  int32_t part, int32_t parts) {
  int32_t r0 = te_band_start(rows, part, parts, TE_MATMUL_BAND_STEP);
  int32_t r1 = te_band_start(rows, part + 1, parts, TE_MATMUL_BAND_STEP);
  if (r1 <= r0) return;
  kernel(x + (int64_t)r0 * k, w, folded_bias, r1 - r0, k, out_c, p, y + (int64_t)r0 * out_c);
}

static inline void te_matmul_s8_part(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows,
                                     int32_t k, int32_t out_c, const te_mac_params *p, int8_t *y, int32_t part,
                                     int32_t parts) {
  te_matmul_band(te_matmul_s8, x, w, folded_bias, rows, k, out_c, p, y, part, parts);
}

/* Only the folders that define te_matmul_pairs_s8 (arm-neon) render calls to this one. */
static inline void te_matmul_pairs_s8_part(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows,
                                           int32_t k, int32_t out_c, const te_mac_params *p, int8_t *y, int32_t part,
                                           int32_t parts) {
  te_matmul_band(te_matmul_pairs_s8, x, w, folded_bias, rows, k, out_c, p, y, part, parts);
}

/* Only models with int4-weight matmuls (kernel family matmul_w4) render calls to this one. */
static inline void te_matmul_w4_s8_part(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows,
                                        int32_t k, int32_t out_c, const te_mac_params *p, int8_t *y, int32_t part,
                                        int32_t parts) {
  te_matmul_band(te_matmul_w4_s8, x, w, folded_bias, rows, k, out_c, p, y, part, parts);
}

/* Elementwise ops split their outermost dimension longer than one (the dimensions before it are 1). */
typedef void (*te_binary_kernel)(const int8_t *, const int8_t *, const te_broadcast *, const te_binary_params *,
                                 int8_t *);

static inline void te_binary_s8_part(te_binary_kernel kernel, const int8_t *a, const int8_t *b, const te_broadcast *s,
                                     const te_binary_params *p, int8_t *y, int32_t part, int32_t parts) {
  te_broadcast band = *s;
  int32_t d = 0, k, r0, r1;
  int64_t inner = 1;
  while (d < s->rank - 1 && s->out_shape[d] == 1) d++;
  for (k = d + 1; k < s->rank; k++) inner *= s->out_shape[k];
  r0 = te_band_start(s->out_shape[d], part, parts, 1);
  r1 = te_band_start(s->out_shape[d], part + 1, parts, 1);
  if (r1 <= r0) return;
  band.out_shape[d] = r1 - r0;
  kernel(a + (int64_t)r0 * s->a_strides[d], b + (int64_t)r0 * s->b_strides[d], &band, p, y + r0 * inner);
}

static inline void te_add_s8_part(const int8_t *a, const int8_t *b, const te_broadcast *s, const te_binary_params *p,
                                  int8_t *y, int32_t part, int32_t parts) {
  te_binary_s8_part(te_add_s8, a, b, s, p, y, part, parts);
}

static inline void te_mul_s8_part(const int8_t *a, const int8_t *b, const te_broadcast *s, const te_binary_params *p,
                                  int8_t *y, int32_t part, int32_t parts) {
  te_binary_s8_part(te_mul_s8, a, b, s, p, y, part, parts);
}

#endif
