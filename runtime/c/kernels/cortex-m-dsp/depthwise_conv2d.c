/*
 * Cortex-M4/M7 (Armv7E-M DSP) int8 depthwise convolution: four channels a step. A word of x and of w is unpacked
 * with SXTB16 into even and odd int16 pairs, the input offset added to both halves with SADD16, and SMLABB/SMLATT
 * accumulate each channel's product (16×16 + 32 in one instruction). Channels past the last multiple of four and
 * depth multipliers above one take the reference arithmetic (tinyedge/depthwise.h).
 */
#include <arm_acle.h>
#include <string.h>
#include "tinyedge/kernels.h"
#include "tinyedge/fixed_point.h"

static inline uint32_t te_load32(const int8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static inline uint32_t te_ror8(uint32_t v) {
  return (v >> 8) | (v << 24);
}

/* Channels [c0, c0 + 4) of pixel (n, oy, ox), multiplier 1. */
static void te_vector_channels(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g, const te_mac_params *p,
                          int32_t n, int32_t oy, int32_t ox, int32_t c0, int8_t *y) {
  const int16x2_t off = (int16x2_t)(((uint32_t)(uint16_t)p->input_offset << 16) | (uint16_t)p->input_offset);
  int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, acc[4], ky, kx;
  if (bias) {
    a0 = bias[c0];
    a1 = bias[c0 + 1];
    a2 = bias[c0 + 2];
    a3 = bias[c0 + 3];
  }
  for (ky = 0; ky < g->kh; ky++) {
    const int32_t iy = oy * g->stride_h - g->pad_top + ky * g->dilation_h;
    if (iy < 0 || iy >= g->h) continue;
    for (kx = 0; kx < g->kw; kx++) {
      const int32_t ix = ox * g->stride_w - g->pad_left + kx * g->dilation_w;
      uint32_t xv, wv;
      int16x2_t xe, xo, we, wo;
      if (ix < 0 || ix >= g->w) continue;
      xv = te_load32(x + ((n * g->h + iy) * g->w + ix) * g->c + c0);
      wv = te_load32(w + (ky * g->kw + kx) * g->c + c0);
      /* |x + offset| ≤ 255: the 16-bit halves never carry into each other. */
      xe = __sadd16(__sxtb16(xv), off);
      xo = __sadd16(__sxtb16(te_ror8(xv)), off);
      we = __sxtb16(wv);
      wo = __sxtb16(te_ror8(wv));
      a0 = __smlabb(xe, we, a0);
      a2 = __smlatt(xe, we, a2);
      a1 = __smlabb(xo, wo, a1);
      a3 = __smlatt(xo, wo, a3);
    }
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
  te_requantize_channels(acc, 4, p->multipliers + c0, p->shifts + c0, p->output_offset, p->act_min, p->act_max, y + c0);
}

#define TE_DW_VECTOR 4
#include "tinyedge/depthwise_driver.h"
