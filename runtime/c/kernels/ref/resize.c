/*
 * Reference int8 resize (TFLite's reference_ops::ResizeNearestNeighbor and ResizeBilinearInteger). The compiler
 * computes the source coordinates of every output row and column (compiler/reference/resize.ts), so the kernels
 * only gather and, for bilinear, weight four taps in Q10 with TFLite's rounding. Input and output share one
 * quantization.
 */
#include "tinyedge/kernels.h"

void te_resize_nearest_s8(const int8_t *x, const te_resize *s, const int32_t *rows, const int32_t *cols, int8_t *y) {
  int32_t b, r, q, ch;
  for (b = 0; b < s->n; b++) {
    for (r = 0; r < s->oh; r++) {
      const int8_t *xr = x + (b * s->h + rows[r]) * s->w * s->c;
      for (q = 0; q < s->ow; q++) {
        const int8_t *xp = xr + cols[q] * s->c;
        for (ch = 0; ch < s->c; ch++) *y++ = xp[ch];
      }
    }
  }
}

/* |sum| < 2^31: each frac lies in [-512, 1024), so the four weights' absolute values add up to at most 2048^2, and
   |x| <= 128. */
void te_resize_bilinear_s8(const int8_t *x, const te_resize *s, const int32_t *rows, const int32_t *cols, int8_t *y) {
  const int32_t one = 1 << 10, half = 1 << 19;
  int32_t b, r, q, ch;
  for (b = 0; b < s->n; b++) {
    for (r = 0; r < s->oh; r++) {
      const int32_t fy = rows[3 * r + 2];
      const int8_t *x0 = x + (b * s->h + rows[3 * r]) * s->w * s->c;
      const int8_t *x1 = x + (b * s->h + rows[3 * r + 1]) * s->w * s->c;
      for (q = 0; q < s->ow; q++) {
        const int32_t fx = cols[3 * q + 2];
        const int32_t w00 = (one - fy) * (one - fx), w10 = fy * (one - fx), w01 = (one - fy) * fx, w11 = fy * fx;
        const int8_t *p00 = x0 + cols[3 * q] * s->c, *p01 = x0 + cols[3 * q + 1] * s->c;
        const int8_t *p10 = x1 + cols[3 * q] * s->c, *p11 = x1 + cols[3 * q + 1] * s->c;
        for (ch = 0; ch < s->c; ch++) {
          const int32_t sum = p00[ch] * w00 + p10[ch] * w10 + p01[ch] * w01 + p11[ch] * w11;
          *y++ = (int8_t)((sum + (sum > 0 ? half : -half)) / (1 << 20));
        }
      }
    }
  }
}
