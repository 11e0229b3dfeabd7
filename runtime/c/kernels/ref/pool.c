/* Reference int8 pooling and mean, with TFLite's rounded integer division. */
#include "tinyedge/kernels.h"
#include "tinyedge/fixed_point.h"

static void pool(const int8_t *x, const te_window *g, int32_t act_min, int32_t act_max, int8_t *y, int is_max) {
  int32_t n, oy, ox, c, ky, kx;
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++) {
      for (ox = 0; ox < g->ow; ox++) {
        for (c = 0; c < g->c; c++) {
          int32_t acc = is_max ? -128 : 0, count = 0;
          for (ky = 0; ky < g->kh; ky++) {
            const int32_t iy = oy * g->stride_h - g->pad_top + ky;
            if (iy < 0 || iy >= g->h) continue;
            for (kx = 0; kx < g->kw; kx++) {
              const int32_t ix = ox * g->stride_w - g->pad_left + kx;
              int32_t v;
              if (ix < 0 || ix >= g->w) continue;
              v = x[((n * g->h + iy) * g->w + ix) * g->c + c];
              count++;
              if (is_max) acc = v > acc ? v : acc;
              else acc += v;
            }
          }
          *y++ = (int8_t)te_clamp(is_max ? acc : te_rounded_divide(acc, count), act_min, act_max);
        }
      }
    }
  }
}

void te_avg_pool_s8(const int8_t *x, const te_window *g, int32_t act_min, int32_t act_max, int8_t *y) {
  pool(x, g, act_min, act_max, y, 0);
}

void te_max_pool_s8(const int8_t *x, const te_window *g, int32_t act_min, int32_t act_max, int8_t *y) {
  pool(x, g, act_min, act_max, y, 1);
}

void te_mean_s8(const int8_t *x, int32_t outer, int32_t reduced, int32_t inner, int32_t input_offset,
                int32_t multiplier, int32_t shift, int32_t output_offset, int8_t *y) {
  int32_t o, r, i;
  for (o = 0; o < outer; o++) {
    for (i = 0; i < inner; i++) {
      int32_t acc = 0;
      for (r = 0; r < reduced; r++) acc += x[(o * reduced + r) * inner + i] + input_offset;
      y[o * inner + i] = (int8_t)te_clamp(te_rounded_divide(te_mbqm(acc, multiplier, shift), reduced) + output_offset, -128, 127);
    }
  }
}
