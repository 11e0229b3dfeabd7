/*
 * Cortex-M55 Helium (MVE) int8 average pooling: eight channels at a time, the window's taps summed in int16 lanes
 * (VLDRB.S16 and VADD: a window of at most 256 taps sums to within ±2^15), then each channel divided with TFLite's
 * rounding (te_rounded_divide: SDIV is one instruction) and clamped. Larger windows take the reference loop
 * (kernels/internal/element_ops.h's te_pool_s8), which is also the spec.
 */
#include "../internal/asm_build.h"
#include <arm_mve.h>
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/element_ops.h"

/* Channels [c0, c0 + 8) (those under `lanes`) of one output pixel whose window is the span s. */
static void te_avg_block(const int8_t *x, const te_window *g, te_pool_span s, int32_t c0, mve_pred16_t lanes, int32_t act_min,
                         int32_t act_max, int8_t *y) {
  const int32_t c = g->c;
  int16x8_t acc = vdupq_n_s16(0);
  int16_t sums[8];
  int32_t ky, kx, j;
  for (ky = s.ky0; ky < s.ky1; ky++) {
    const int8_t *p = x + ((s.iy + ky) * g->w + s.ix + s.kx0) * c + c0;
    for (kx = s.kx0; kx < s.kx1; kx++, p += c) acc = vaddq_s16(acc, vldrbq_z_s16(p, lanes));
  }
  vstrhq_s16(sums, acc);
  for (j = 0; j < 8 && c0 + j < c; j++) y[c0 + j] = (int8_t)te_clamp(te_rounded_divide(sums[j], s.count), act_min, act_max);
}

void te_avg_pool_s8(const int8_t *x, const te_window *g, int32_t act_min, int32_t act_max, int8_t *y) {
  int32_t n, oy, ox, c0;
  if (g->kh * g->kw > 256) {
    te_pool_s8(x, g, act_min, act_max, y, 0);
    return;
  }
  for (n = 0; n < g->n; n++) {
    const int8_t *xn = x + n * g->h * g->w * g->c;
    for (oy = 0; oy < g->oh; oy++)
      for (ox = 0; ox < g->ow; ox++, y += g->c) {
        const te_pool_span s = te_pool_window(g, oy, ox);
        for (c0 = 0; c0 < g->c; c0 += 8) te_avg_block(xn, g, s, c0, vctp16q((uint32_t)(g->c - c0)), act_min, act_max, y);
      }
  }
}
