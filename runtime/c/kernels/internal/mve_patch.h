/*
 * tinyedge: the Helium (MVE) window gather of te_conv2d_s8 (kernels/arm-mve). Where taps are one input pixel apart
 * (dilation 1), a window row is at most three runs: the zero point for taps left of the input, kw·c contiguous input
 * bytes, the zero point right of it. Each run is a tail-predicated low-overhead loop (WLSTP/LETP) of sixteen bytes a
 * step, so a 3×3 window over 16 channels is three 48-byte copies; patch.h's bytewise gather copies one at a time.
 */
#ifndef TINYEDGE_MVE_PATCH_H
#define TINYEDGE_MVE_PATCH_H

#include <arm_mve.h>
#include <stdint.h>
#include "tinyedge/kernels.h"

/* n bytes from src to dst. */
static inline void te_mve_copy(int8_t *dst, const int8_t *src, int32_t n) {
  int8x16_t v;
  __asm__ volatile("wlstp.8 lr, %[n], 2f\n"
                   "1:\n\t"
                   "vldrb.8 %q[v], [%[src]], #16\n\t"
                   "vstrb.8 %q[v], [%[dst]], #16\n\t"
                   "letp lr, 1b\n"
                   "2:"
                   : [src] "+r"(src), [dst] "+r"(dst), [v] "=&w"(v)
                   : [n] "r"(n)
                   : "lr", "memory");
}

/* n bytes of `zero` at dst. */
static inline void te_mve_fill(int8_t *dst, int8x16_t zero, int32_t n) {
  __asm__ volatile("wlstp.8 lr, %[n], 2f\n"
                   "1:\n\t"
                   "vstrb.8 %q[z], [%[dst]], #16\n\t"
                   "letp lr, 1b\n"
                   "2:"
                   : [dst] "+r"(dst)
                   : [n] "r"(n), [z] "w"(zero)
                   : "lr", "memory");
}

/* First tap index inside [0, size) of a window starting at `at` with taps `step` apart, and one past the last. */
static inline int32_t te_mve_first_tap(int32_t at, int32_t step) {
  return at >= 0 ? 0 : (step - 1 - at) / step;
}
static inline int32_t te_mve_end_tap(int32_t at, int32_t step, int32_t size, int32_t taps) {
  const int32_t end = at >= size ? 0 : (size - at + step - 1) / step;
  return end < taps ? end : taps;
}

/* Window of output pixel (n, oy, ox) into patch[kh·kw·c], taps outside the input holding the zero point (as
   patch.h's te_gather_patch). */
static inline void te_mve_gather_patch(const int8_t *x, const te_window *g, int32_t n, int32_t oy, int32_t ox, int8x16_t zero,
                                       int8_t *patch) {
  const int32_t c = g->c, kw = g->kw, row = kw * c;
  const int32_t ix = ox * g->stride_w - g->pad_left;
  const int32_t kx0 = te_mve_first_tap(ix, g->dilation_w), kx1 = te_mve_end_tap(ix, g->dilation_w, g->w, kw);
  int32_t ky, kx;
  for (ky = 0; ky < g->kh; ky++, patch += row) {
    const int32_t iy = oy * g->stride_h - g->pad_top + ky * g->dilation_h;
    const int8_t *src = x + ((n * g->h + iy) * g->w + ix) * c;
    if (iy < 0 || iy >= g->h || kx1 <= kx0) {
      te_mve_fill(patch, zero, row);
    } else if (g->dilation_w == 1) {
      te_mve_fill(patch, zero, kx0 * c);
      te_mve_copy(patch + kx0 * c, src + kx0 * c, (kx1 - kx0) * c);
      te_mve_fill(patch + kx1 * c, zero, (kw - kx1) * c);
    } else {
      for (kx = 0; kx < kw; kx++) {
        if (kx >= kx0 && kx < kx1) te_mve_copy(patch + kx * c, src + kx * g->dilation_w * c, c);
        else te_mve_fill(patch + kx * c, zero, c);
      }
    }
  }
}

#endif
