/*
 * Test harness (test/support/band-cases.ts): a window kernel called on bands of its output, as rings call it (a few
 * whole rows through te_window_rows, the input running on below the band) and as patch cells do (a rectangle whose
 * input is copied out tight, so it ends where the band's reads end, with the padding the cell starts with). Each
 * band's output goes to a buffer between two canary guards, so a write outside the band shows.
 */
#include <string.h>
#include "tinyedge/kernels.h"
#include "tinyedge/window_rows.h"

/* Canary bytes after a band's input and around its output. */
#define TE_BAND_GUARD 256

static inline int32_t te_band_clip(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Output rectangle [y0, y1) × [x0, x1) of g as a patch cell: the input rows and columns it reads copied to `in`,
   the window as the cell renders it (compiler/backends/c/render-patches.ts: the read rectangle, its padding). */
static inline void te_band_cell(const te_window *g, const int8_t *x, int32_t y0, int32_t y1, int32_t x0, int32_t x1,
                                te_window *b, int8_t *in) {
  const int32_t iy0 = y0 * g->stride_h - g->pad_top, ix0 = x0 * g->stride_w - g->pad_left;
  const int32_t iy1 = (y1 - 1) * g->stride_h - g->pad_top + (g->kh - 1) * g->dilation_h + 1;
  const int32_t ix1 = (x1 - 1) * g->stride_w - g->pad_left + (g->kw - 1) * g->dilation_w + 1;
  const int32_t ry0 = te_band_clip(iy0, 0, g->h), ry1 = te_band_clip(iy1, 0, g->h);
  const int32_t rx0 = te_band_clip(ix0, 0, g->w), rx1 = te_band_clip(ix1, 0, g->w);
  int32_t r;
  *b = *g;
  b->h = ry1 - ry0;
  b->w = rx1 - rx0;
  b->oh = y1 - y0;
  b->ow = x1 - x0;
  b->pad_top = ry0 - iy0;
  b->pad_left = rx0 - ix0;
  for (r = ry0; r < ry1; r++)
    memcpy(in + (r - ry0) * b->w * g->c, x + ((int64_t)r * g->w + rx0) * g->c, (size_t)(b->w * g->c));
}

/* The canary: a byte pattern no kernel writes by chance over a whole guard. */
static inline void te_band_fill(int8_t *p, int32_t n) {
  int32_t i;
  for (i = 0; i < n; i++) p[i] = (int8_t)(0x5a + 37 * i);
}

static inline int te_band_spoiled(const int8_t *p, int32_t n) {
  int32_t i;
  for (i = 0; i < n; i++)
    if (p[i] != (int8_t)(0x5a + 37 * i)) return 1;
  return 0;
}

/* The band's output rows into the whole output y (g's ow, `oc` channels). */
static inline void te_band_place(const te_window *g, int32_t oc, const int8_t *band, int32_t y0, int32_t y1, int32_t x0,
                                 int32_t x1, int8_t *y) {
  int32_t r;
  for (r = y0; r < y1; r++)
    memcpy(y + ((int64_t)r * g->ow + x0) * oc, band + (r - y0) * (x1 - x0) * oc, (size_t)((x1 - x0) * oc));
}
