/*
 * Cortex-M4/M7 (Armv7E-M DSP) int8 average pooling: four channels at a time, each tap one LDR and two SXTAB16 that
 * add channels (0, 2) and (1, 3) into halfword lanes (a window of at most 256 taps sums to within ±2^15, and
 * SXTAB16's lanes do not carry into each other), then each channel divided with TFLite's rounding
 * (te_rounded_divide: one SDIV) and clamped. The last c % 4 channels and larger windows take the reference loop
 * (kernels/internal/element_ops.h's te_pool_s8), which is also the spec.
 */
#include "../internal/asm_build.h"
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/element_ops.h"
#include "../internal/armv7em_dsp.h"

/* Channels [c0, c0 + 4) of one output pixel whose window is the span s, from the image's first byte x. */
static void te_avg_group(const int8_t *x, const te_window *g, te_pool_span s, int32_t c0, int32_t act_min, int32_t act_max,
                         int8_t *y) {
  const int32_t c = g->c;
  int32_t even = 0, odd = 0, ky, kx;
  for (ky = s.ky0; ky < s.ky1; ky++) {
    const int8_t *p = x + ((s.iy + ky) * g->w + s.ix + s.kx0) * c + c0;
    for (kx = s.kx0; kx < s.kx1; kx++, p += c) {
      const uint32_t v = te_load32(p);
      even = te_sxtab16(even, v);
      odd = te_sxtab16_ror8(odd, v);
    }
  }
  y[c0] = (int8_t)te_clamp(te_rounded_divide((int16_t)even, s.count), act_min, act_max);
  y[c0 + 1] = (int8_t)te_clamp(te_rounded_divide((int16_t)odd, s.count), act_min, act_max);
  y[c0 + 2] = (int8_t)te_clamp(te_rounded_divide(even >> 16, s.count), act_min, act_max);
  y[c0 + 3] = (int8_t)te_clamp(te_rounded_divide(odd >> 16, s.count), act_min, act_max);
}

void te_avg_pool_s8(const int8_t *x, const te_window *g, int32_t act_min, int32_t act_max, int8_t *y) {
  const int32_t c4 = g->c & ~3;
  int32_t n, oy, ox, c0, j, ky, kx;
  if (g->kh * g->kw > 256 || c4 == 0) {
    te_pool_s8(x, g, act_min, act_max, y, 0);
    return;
  }
  for (n = 0; n < g->n; n++) {
    const int8_t *xn = x + n * g->h * g->w * g->c;
    for (oy = 0; oy < g->oh; oy++)
      for (ox = 0; ox < g->ow; ox++, y += g->c) {
        const te_pool_span s = te_pool_window(g, oy, ox);
        for (c0 = 0; c0 < c4; c0 += 4) te_avg_group(xn, g, s, c0, act_min, act_max, y);
        for (j = c4; j < g->c; j++) {
          int32_t sum = 0;
          for (ky = s.ky0; ky < s.ky1; ky++)
            for (kx = s.kx0; kx < s.kx1; kx++) sum += xn[((s.iy + ky) * g->w + s.ix + kx) * g->c + j];
          y[j] = (int8_t)te_clamp(te_rounded_divide(sum, s.count), act_min, act_max);
        }
      }
  }
}
