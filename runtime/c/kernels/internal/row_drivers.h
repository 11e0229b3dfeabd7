/*
 * tinyedge: te_matmul_s8 and te_conv2d_s8 for kernel folders that compute one row at a time. The including file
 * defines `te_row_constants` with `te_row_constants_of(p)` (what every row of a call shares, computed once a call) and
 * `te_row_times_matrix(x, w, folded_bias, k, out_c, const te_row_constants *, y)` (its inner loops and weight
 * layout); this header adds the row loop of the matrix product and the window gather of the convolution.
 */
#ifndef TINYEDGE_ROW_DRIVERS_H
#define TINYEDGE_ROW_DRIVERS_H

#include "tinyedge/kernels.h"
#include "fixed_point.h"
#include "patch.h"

void te_matmul_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k, int32_t out_c,
                  const te_mac_params *p, int8_t *y) {
  const te_row_constants c = te_row_constants_of(p);
  int32_t r;
  for (r = 0; r < rows; r++) te_row_times_matrix(x + r * k, w, folded_bias, k, out_c, &c, y + r * out_c);
}

void te_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, const te_window *g, int32_t out_c,
                  const te_mac_params *p, int8_t *patch, int8_t *y) {
  const int32_t k = g->kh * g->kw * g->c;
  const te_row_constants c = te_row_constants_of(p);
  int32_t n, oy, ox;
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++) {
      for (ox = 0; ox < g->ow; ox++) {
        te_gather_patch(x, g, n, oy, ox, (int8_t)(-p->input_offset), patch);
        te_row_times_matrix(patch, w, folded_bias, k, out_c, &c, y);
        y += out_c;
      }
    }
  }
}

#endif
