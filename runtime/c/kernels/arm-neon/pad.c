/*
 * AArch64 pad of a 4-D int8 tensor with a constant (kernels/ref/pad.c's result): a run of the innermost dimension
 * at a time (width · channels when the channels are not padded), memset for the padding and memcpy for the input's
 * row (the C library's SIMD copies), instead of an index computation per element. The output never overlaps the
 * input (the memory planner pads out of place).
 */
#include <string.h>
#include "tinyedge/kernels.h"
#include "../internal/element_ops.h"

void te_pad_s8(const int8_t *x, const int32_t shape[4], const int32_t before[4], const int32_t after[4], int8_t value,
               int8_t *y) {
  const int32_t row = shape[3] + before[3] + after[3];
  int32_t o[3], i0, i1, i2;
  if (before[3] == 0 && after[3] == 0 && shape[2] + before[2] + after[2] > 1) {
    /* Unpadded innermost dimension (an image's channels): the same pad of rows of width · channels bytes. */
    const int32_t merged_shape[4] = {1, shape[0], shape[1], shape[2] * shape[3]};
    const int32_t merged_before[4] = {0, before[0], before[1], before[2] * shape[3]};
    const int32_t merged_after[4] = {0, after[0], after[1], after[2] * shape[3]};
    te_pad_s8(x, merged_shape, merged_before, merged_after, value, y);
    return;
  }
  for (i0 = 0; i0 < 3; i0++) o[i0] = shape[i0] + before[i0] + after[i0];
  for (i0 = 0; i0 < o[0]; i0++)
    for (i1 = 0; i1 < o[1]; i1++)
      for (i2 = 0; i2 < o[2]; i2++) {
        const int32_t from = te_pad_source(shape, before, i0, i1, i2, before[3]);
        if (from < 0 || shape[3] == 0) {
          memset(y, value, (size_t)row);
        } else {
          memset(y, value, (size_t)before[3]);
          memcpy(y + before[3], x + from, (size_t)shape[3]);
          memset(y + before[3] + shape[3], value, (size_t)after[3]);
        }
        y += row;
      }
}
