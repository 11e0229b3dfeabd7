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

/* The first `tiles` × 4 rows of a matrix, in one loop (inlined per right_only, so the job stays in registers). */
TE_SDOT_INLINE void te_sdot_matmul_fours(te_sdot_job j, const int right_only, const int8_t *x, int32_t k, int32_t tiles,
                                         int32_t out_c, int8_t *y) {
  int32_t t;
  for (t = 0; t < tiles; t++, x += 4 * k, y += 4 * out_c) {
    j.p0 = x;
    j.p1 = x + k;
    j.p2 = x + 2 * k;
    j.p3 = x + 3 * k;
    j.y0 = y;
    j.y1 = y + out_c;
    j.y2 = y + 2 * out_c;
    j.y3 = y + 3 * out_c;
    te_sdot_rows_out(j, 4, right_only, out_c);
  }
}

void te_matmul_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k, int32_t out_c,
                  const te_mac_params *p, int8_t *y) {
  const int right_only = te_sdot_right_only(p, out_c);
  /* The last tile's whole-word tail may pass the end of x: it alone copies it, and it has fewer than four rows. */
  const int32_t tiles = (rows - ((k & 3) ? 1 : 0)) / 4, r0 = 4 * tiles;
  te_sdot_job j = te_sdot_job_of(w, folded_bias, p, k, 1, 0);
  if (right_only) te_sdot_matmul_fours(j, 1, x, k, tiles, out_c, y);
  else te_sdot_matmul_fours(j, 0, x, k, tiles, out_c, y);
  if (r0 < rows) {
    const int32_t left = rows - r0;
    j.p0 = x + r0 * k;
    j.p1 = j.p0 + k;
    j.p2 = j.p1 + k;
    j.p3 = j.p2 + k;
    j.y0 = y + r0 * out_c;
    j.y1 = j.y0 + out_c;
    j.y2 = j.y1 + out_c;
    j.y3 = j.y2 + out_c;
    j.exact = 1;
    te_sdot_run(&j, left, right_only, out_c);
  }
}

/* `count` inside windows (four or fewer, at p0.. with outputs y0..); their last run's whole-word tail may pass the end
   of x. */
static void te_sdot_inside_run(te_sdot_job *j, int32_t count, const int8_t *x_end, int right_only, int32_t out_c) {
  const int8_t *const first[4] = {j->p0, j->p1, j->p2, j->p3};
  const int8_t *last = first[count - 1] + (j->segments - 1) * j->stride + j->len;
  j->exact = (j->len & 3) && last + 3 > x_end;
  te_sdot_run(j, count, right_only, out_c);
}

/* Output pixels in raster order: up to four inside windows a tile, read in place; a window that reads padding is
   gathered into the patch and computed alone. */
void te_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, const te_window *g, int32_t out_c,
                  const te_mac_params *p, int8_t *patch, int8_t *y) {
  const int32_t c = g->c, kh = g->kh, kw = g->kw, len = kw * c, k = kh * len, pixels = g->oh * g->ow;
  const int32_t row_bytes = g->w * c;
  const int8_t *const x_end = x + (int64_t)g->n * g->h * row_bytes;
  const int right_only = te_sdot_right_only(p, out_c);
  const int8_t zero_point = (int8_t)(-p->input_offset);
  te_sdot_job inside = te_sdot_job_of(w, folded_bias, p, len, kh, g->dilation_h * row_bytes);
  te_sdot_job gathered = te_sdot_job_of(w, folded_bias, p, len, kh, len);
  const int8_t **const rows[4] = {&inside.p0, &inside.p1, &inside.p2, &inside.p3};
  int8_t **const outs[4] = {&inside.y0, &inside.y1, &inside.y2, &inside.y3};
  int32_t n, i, count = 0;
  gathered.p0 = patch;
  /* The patch holds two windows, so one window's last whole-word tail stays inside it when k ≥ 3. */
  gathered.exact = k < 3;
  for (n = 0; n < g->n; n++) {
    for (i = 0; i < pixels; i++) {
      const int32_t oy = i / g->ow, ox = i % g->ow;
      const int32_t iy0 = oy * g->stride_h - g->pad_top, ix0 = ox * g->stride_w - g->pad_left;
      int8_t *const out = y + ((int64_t)n * pixels + i) * out_c;
      if (g->dilation_w == 1 && iy0 >= 0 && iy0 + (kh - 1) * g->dilation_h < g->h && ix0 >= 0 && ix0 + kw <= g->w) {
        *rows[count] = x + ((int64_t)(n * g->h + iy0) * g->w + ix0) * c;
        *outs[count++] = out;
        if (count == 4) {
          te_sdot_inside_run(&inside, count, x_end, right_only, out_c);
          count = 0;
        }
      } else {
        if (count > 0) te_sdot_inside_run(&inside, count, x_end, right_only, out_c);
        count = 0;
        te_gather_patch(x, g, n, oy, ox, zero_point, patch);
        gathered.y0 = out;
        te_sdot_run(&gathered, 1, right_only, out_c);
      }
    }
  }
  if (count > 0) te_sdot_inside_run(&inside, count, x_end, right_only, out_c);
}
