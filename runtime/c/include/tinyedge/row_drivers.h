/*
 * tinyedge: te_matmul_s8 and te_conv2d_s8 for kernel folders that compute one row at a time. The including file
 * defines `static void te_row_times_matrix(x, w, folded_bias, k, out_c, p, y)` (its inner loops and weight layout),
 * or, with TE_FOUR_OUTPUTS defined, `static void te_outputs(x, w, k, o, n, acc)` adding row x's dot products with
 * weight rows [o, o + n), n ≤ 4, of an [out_c][k] matrix to acc, around which this header builds the row;
 * it adds the row loop of the matrix product and the window gather of the convolution.
 */
#ifndef TINYEDGE_ROW_DRIVERS_H
#define TINYEDGE_ROW_DRIVERS_H

#include "tinyedge/kernels.h"
#include "tinyedge/fixed_point.h"
#include "tinyedge/patch.h"

#ifdef TE_FOUR_OUTPUTS
/* How a row's accumulators become int8: the scalar te_requantize_channels unless the folder has a vector one. */
#ifndef TE_REQUANTIZE_ROW
#define TE_REQUANTIZE_ROW te_requantize_channels
#endif

static void te_row_times_matrix(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t k, int32_t out_c,
                                const te_mac_params *p, int8_t *y) {
  int32_t o, j;
  for (o = 0; o < out_c; o += 4) {
    const int32_t n = out_c - o < 4 ? out_c - o : 4;
    int32_t acc[4];
    for (j = 0; j < n; j++) acc[j] = folded_bias[o + j];
    te_outputs(x, w, k, o, n, acc);
    TE_REQUANTIZE_ROW(acc, n, p->multipliers + o, p->shifts + o, p->output_offset, p->act_min, p->act_max, y + o);
  }
}
#endif

void te_matmul_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k, int32_t out_c,
                  const te_mac_params *p, int8_t *y) {
  int32_t r;
  for (r = 0; r < rows; r++) te_row_times_matrix(x + r * k, w, folded_bias, k, out_c, p, y + r * out_c);
}

void te_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, const te_window *g, int32_t out_c,
                  const te_mac_params *p, int8_t *patch, int8_t *y) {
  const int32_t k = g->kh * g->kw * g->c;
  int32_t n, oy, ox;
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++) {
      for (ox = 0; ox < g->ow; ox++) {
        te_gather_patch(x, g, n, oy, ox, (int8_t)(-p->input_offset), patch);
        te_row_times_matrix(patch, w, folded_bias, k, out_c, p, y);
        y += out_c;
      }
    }
  }
}

#endif
