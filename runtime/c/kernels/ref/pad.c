/*
 * Reference pad of a 4-D int8 tensor with a constant (TFLite's reference_ops::Pad; the compiler passes the
 * quantized zero): output element (i0, i1, i2, i3) copies the input's (i0 − before[0], …) when that lies inside it.
 * Copied a run at a time: each output row along the last axis is padding, input bytes and padding; when the last
 * axis has no padding, the last two axes make one run.
 */
#include <string.h>
#include "tinyedge/kernels.h"

/* Writes `before` values, then `n` bytes of x, then `after` values at y; returns the end. */
static int8_t *te_pad_run(int8_t *y, const int8_t *x, int32_t before, int32_t n, int32_t after, int8_t value) {
  memset(y, value, (size_t)before);
  memcpy(y + before, x, (size_t)n);
  memset(y + before + n, value, (size_t)after);
  return y + before + n + after;
}

void te_pad_s8(const int8_t *x, const int32_t shape[4], const int32_t before[4], const int32_t after[4], int8_t value,
               int8_t *y) {
  const int32_t o0 = shape[0] + before[0] + after[0], o1 = shape[1] + before[1] + after[1];
  const int32_t o2 = shape[2] + before[2] + after[2], o3 = shape[3] + before[3] + after[3];
  int32_t i0, i1, i2;
  for (i0 = 0; i0 < o0; i0++)
    for (i1 = 0; i1 < o1; i1++) {
      const int32_t a = i0 - before[0], b = i1 - before[1];
      const int8_t *row;
      if (a < 0 || a >= shape[0] || b < 0 || b >= shape[1]) {
        memset(y, value, (size_t)(o2 * o3));
        y += o2 * o3;
        continue;
      }
      row = x + (a * shape[1] + b) * shape[2] * shape[3];
      if (before[3] == 0 && after[3] == 0) {
        y = te_pad_run(y, row, before[2] * o3, shape[2] * o3, after[2] * o3, value);
      } else {
        for (i2 = 0; i2 < o2; i2++) {
          const int32_t c = i2 - before[2];
          y = c < 0 || c >= shape[2] ? te_pad_run(y, row, o3, 0, 0, value)
                                     : te_pad_run(y, row + c * shape[3], before[3], shape[3], after[3], value);
        }
      }
    }
}
