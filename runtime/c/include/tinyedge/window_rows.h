/*
 * tinyedge: a band of a window op's output rows as a smaller call of the same kernel (batch 1): fewer output rows,
 * the top padding less the input rows skipped, the input advanced to the first row the band reads. Every output
 * element of the band is computed as in the whole call, so a layer run band by band is bit-identical. Thread bands
 * (threads/row_split.h) and in-place layers (a ring of output rows, compiler/plan/rolling-rows.ts) use it.
 */
#ifndef TINYEDGE_WINDOW_ROWS_H
#define TINYEDGE_WINDOW_ROWS_H

#include "tinyedge/kernels.h"

/* Output rows [r0, r1) of `g` (r0 < r1) as `band`; returns the element offset of the first input row it reads. */
static inline int64_t te_window_rows(const te_window *g, int32_t r0, int32_t r1, te_window *band) {
  int32_t top = r0 * g->stride_h - g->pad_top; /* the first input row output row r0 reads */
  *band = *g;
  band->oh = r1 - r0;
  band->pad_top = top > 0 ? 0 : -top;
  band->h = top > 0 ? g->h - top : g->h;
  return top > 0 ? (int64_t)top * g->w * g->c : 0;
}

#endif
