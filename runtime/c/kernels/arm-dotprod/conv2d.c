/*
 * Armv8.2-A dot-product int8 convolution and matrix product (Cortex-A76 and later; the A72 has no SDOT and traps
 * on it), weights 'o8-k4' (kernel-table.ts) with each window row padded to a multiple of four k: the tiles of
 * kernels/internal/sdot_tile.h over rows of a matrix, or over output pixels whose windows lie inside the input, read
 * in place one window row at a time (no gather); only windows that read padding are gathered into the patch.
 */
#include <stdint.h>
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/patch.h"
#include "../internal/sdot_tile.h"

void te_matmul_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k, int32_t out_c,
                  const te_mac_params *p, int8_t *y) {
  const int right_only = te_right_shifts_only(p->shifts, out_c);
  /* The last row's whole-word tail may pass the end of x: that row alone copies it. */
  const int32_t safe = (k & 3) ? rows - 1 : rows;
  te_sdot_job j = te_sdot_job_of(w, folded_bias, p, k, 1, 0);
  j.p0 = x;
  j.y0 = y;
  te_sdot_run(&j, safe, k, out_c, right_only, out_c);
  if (safe < rows) {
    j.p0 = x + safe * k;
    j.y0 = y + safe * out_c;
    j.exact = 1;
    te_sdot_run(&j, 1, k, out_c, right_only, out_c);
  }
}

/* Output pixels in raster order, a row at a time: windows inside the input read in place (tiles of four
   neighbours), the others gathered into the patch and computed alone. */
void te_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, const te_window *g, int32_t out_c,
                  const te_mac_params *p, int8_t *patch, int8_t *y) {
  const int32_t c = g->c, kh = g->kh, kw = g->kw, len = kw * c, k = kh * len, ow = g->ow;
  const int32_t row_bytes = g->w * c, x_step = g->stride_w * c;
  const int8_t *const x_end = x + (int64_t)g->n * g->h * row_bytes;
  const int right_only = te_right_shifts_only(p->shifts, out_c);
  const int8_t zero_point = (int8_t)(-p->input_offset);
  /* Output columns [lo, hi) have windows inside the input's width (none when dilated: those are gathered). */
  const int32_t lo = g->dilation_w == 1 ? (g->pad_left + g->stride_w - 1) / g->stride_w : ow;
  const int32_t last_ix = g->w - kw + g->pad_left, hi_raw = last_ix >= 0 ? last_ix / g->stride_w + 1 : 0;
  const int32_t hi = hi_raw < ow ? hi_raw : ow;
  te_sdot_job inside = te_sdot_job_of(w, folded_bias, p, len, kh, g->dilation_h * row_bytes);
  te_sdot_job gathered = te_sdot_job_of(w, folded_bias, p, len, kh, len);
  int32_t n, oy, ox;
  gathered.p0 = patch;
  /* The patch holds two windows, so one window's last whole-word tail stays inside it when k ≥ 3. */
  gathered.exact = k < 3;
  /* ... and its last run's tail read as a whole vector does when the vector ends within the two windows. */
  gathered.over = (kh - 1) * len + (len & ~15) + 16 <= 2 * k;
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++, y += ow * out_c) {
      const int32_t iy0 = oy * g->stride_h - g->pad_top;
      const int rows_inside = iy0 >= 0 && iy0 + (kh - 1) * g->dilation_h < g->h;
      const int32_t a = rows_inside && lo < hi ? lo : ow, b = rows_inside && lo < hi ? hi : ow;
      for (ox = 0; ox < ow; ox++) {
        if (ox == a) {
          inside.p0 = x + ((int64_t)(n * g->h + iy0) * g->w + a * g->stride_w - g->pad_left) * c;
          inside.y0 = y + a * out_c;
          const int8_t *const last_run = inside.p0 + (b - a - 1) * x_step + (kh - 1) * inside.stride;
          inside.exact = (len & 3) && last_run + len + 3 > x_end;
          /* Whole-vector tails where the span's last one stays inside x. */
          inside.over = last_run + (len & ~15) + 16 <= x_end;
          if (inside.over) te_sdot_run_over(&inside, b - a, x_step, out_c, right_only, out_c);
          else te_sdot_run(&inside, b - a, x_step, out_c, right_only, out_c);
          ox = b - 1;
          continue;
        }
        te_gather_patch(x, g, n, oy, ox, zero_point, patch);
        gathered.y0 = y + ox * out_c;
        if (gathered.over) te_sdot_run_over(&gathered, 1, 0, out_c, right_only, out_c);
        else te_sdot_run(&gathered, 1, 0, out_c, right_only, out_c);
      }
    }
  }
}
