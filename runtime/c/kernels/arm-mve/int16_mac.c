/*
 * Cortex-M55 Helium (MVE) 16×8 MAC kernels (family int16_mac): int16 activations, int8 weights in the int8 kernels'
 * layouts (matmul and conv 'o4-k16': per group of four channels [K16/16][4][16], K zero-padded to 16, out_c to 8;
 * depthwise 'hwc'), biases int64 or int32 (te_s16_bias), and the reference's requantization (internal/mac_s16.h,
 * by one SMMULR where that is the same: internal/mac_s16_smmulr.h), so they are bit-exact with
 * kernels/ref/int16_mac.c.
 * Matmul and conv: VLDRB.S16 widens eight weights as it loads them, and VMLALDAVA.S16 sums eight int16 products into
 * a 64-bit accumulator, so a block of 16 k × four channels is two input loads, eight weight loads and eight
 * VMLALDAVA. VMLALDAVA rather than VMLADAVA (int32) in chunks of 508 products: it costs the same instruction (and
 * beats) on the M55 and needs no chunks, so any K is exact with no int32 partial sums to add into int64.
 * Depthwise, multiplier 1 and at most 508 taps: eight channels a tap by VMULLB/VMULLT.S16 into int32 lanes
 * (|x·w| ≤ 2^22, so 508 products stay below 2^31); other layers one channel at a time in int64.
 * Requantization: four channels in one vector (VRMULH.S32 is the scalar kernels' SMMULR per lane) where all four
 * allow it, else te_s16_requantize_fast a channel.
 * p->input_offset is not read: int16 activations have zero point 0, so padded taps are zeros.
 */
#include "../internal/asm_build.h"
#include <arm_mve.h>
#include "tinyedge/kernels.h"
#include "../internal/mac_s16.h"
#include "../internal/mac_s16_smmulr.h"

/* Blocks of 16 k per gathered patch: 1 KB of stack, the whole window of most layers (K ≤ 512). */
#define TE_MVE_S16_PATCH_BLOCKS 32

/* Taps of the int32-lane depthwise: 508 products of at most 2^22 stay below 2^31. */
#define TE_MVE_S16_DW_TAPS 508

/* a0..a3 += one block of 16 inputs x × four channels' 16 'o4-k16' weights wg: VLDRB.S16 widens eight weights a
   load, VMLALDAVA.S16 sums eight products into int64; wg ends past the block. A macro so that the accumulators stay
   scalars in registers. */
#define TE_MVE_S16_BLOCK(x, wg, a0, a1, a2, a3)                   \
  do {                                                            \
    const int16x8_t lo_ = vld1q_s16(x), hi_ = vld1q_s16((x) + 8); \
    a0 = vmlaldavaq_s16(a0, lo_, vldrbq_s16(wg));                 \
    wg += 8;                                                      \
    a0 = vmlaldavaq_s16(a0, hi_, vldrbq_s16(wg));                 \
    wg += 8;                                                      \
    a1 = vmlaldavaq_s16(a1, lo_, vldrbq_s16(wg));                 \
    wg += 8;                                                      \
    a1 = vmlaldavaq_s16(a1, hi_, vldrbq_s16(wg));                 \
    wg += 8;                                                      \
    a2 = vmlaldavaq_s16(a2, lo_, vldrbq_s16(wg));                 \
    wg += 8;                                                      \
    a2 = vmlaldavaq_s16(a2, hi_, vldrbq_s16(wg));                 \
    wg += 8;                                                      \
    a3 = vmlaldavaq_s16(a3, lo_, vldrbq_s16(wg));                 \
    wg += 8;                                                      \
    a3 = vmlaldavaq_s16(a3, hi_, vldrbq_s16(wg));                 \
    wg += 8;                                                      \
  } while (0)

/*
 * y[o0..o0 + 4) = te_s16_requantize_fast of four whole channels' totals (bias included), in one vector where all four
 * take its SMMULR path (wide, within int32, shifts −17..−1): VRMULH.S32 is SMMULR per lane, and the Q15 multiplier
 * r = min(round(m / 2^16), 0x7FFF) by VRSHR and VMIN equals the scalar's (m ≥ 0). Else one channel at a time.
 */
static inline __attribute__((always_inline)) void te_mve_s16_requantize4(int64_t a0, int64_t a1, int64_t a2,
                                                                         int64_t a3, int32_t o0,
                                                                         te_s16_output_range c,
                                                                         const te_mac_params *p, int32_t wide,
                                                                         int16_t *y) {
  const int32_t *m = p->multipliers, *shift = p->shifts;
  const int32x4_t sh = vld1q_s32(shift + o0);
  if (wide && (int32_t)a0 == a0 && (int32_t)a1 == a1 && (int32_t)a2 == a2 && (int32_t)a3 == a3 &&
      vminvq_s32(0, sh) >= -17 && vmaxvq_s32(-32, sh) <= -1) {
    const int32x4_t r = vminq_s32(vrshrq_n_s32(vld1q_s32(m + o0), 16), vdupq_n_s32(0x7FFF));
    int32x4_t x = vdupq_n_s32((int32_t)a0), z;
    x = vsetq_lane_s32((int32_t)a1, x, 1);
    x = vsetq_lane_s32((int32_t)a2, x, 2);
    x = vsetq_lane_s32((int32_t)a3, x, 3);
    z = vaddq_n_s32(vrmulhq_s32(x, vshlq_s32(r, vaddq_n_s32(sh, 17))), c.offset);
    vstrhq_s32(y + o0, vminq_s32(vmaxq_s32(z, vdupq_n_s32(c.lo)), vdupq_n_s32(c.hi)));
    return;
  }
  y[o0] = te_s16_requantize_fast(a0, m[o0], shift[o0], c, p, wide);
  y[o0 + 1] = te_s16_requantize_fast(a1, m[o0 + 1], shift[o0 + 1], c, p, wide);
  y[o0 + 2] = te_s16_requantize_fast(a2, m[o0 + 2], shift[o0 + 2], c, p, wide);
  y[o0 + 3] = te_s16_requantize_fast(a3, m[o0 + 3], shift[o0 + 3], c, p, wide);
}

/* acc[0..4) += one group of four channels' sums of 16·blocks inputs x against its weights wg (the long windows). */
static void te_mve_s16_sums(const int16_t *x, const int8_t *wg, int32_t blocks, int64_t acc[4]) {
  int64_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  for (; blocks > 0; blocks--, x += 16) TE_MVE_S16_BLOCK(x, wg, a0, a1, a2, a3);
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

/* y[0..out_c): the outputs of a row (or gathered window) of 16·full inputs x and, when blocks > full, its k % 16
   tail zero-padded, four channels at a time (groups of 4·16·blocks weight bytes), each group's sums and
   requantization in registers. */
static void te_mve_s16_row_outputs(const int16_t *x, const int16_t *tail, const int8_t *w, int32_t full,
                                   int32_t blocks, const te_s16_bias *bias, int32_t out_c, const te_mac_params *p,
                                   int32_t wide, int16_t *y) {
  const te_s16_output_range c = te_s16_output_range_of(p);
  int32_t o0, b, j;
  for (o0 = 0; o0 < out_c; o0 += 4) {
    const int32_t len = out_c - o0 < 4 ? out_c - o0 : 4;
    const int8_t *wg = w + o0 * 16 * blocks;
    const int16_t *xb = x;
    int64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (b = 0; b < full; b++, xb += 16) TE_MVE_S16_BLOCK(xb, wg, a0, a1, a2, a3);
    if (blocks > full) TE_MVE_S16_BLOCK(tail, wg, a0, a1, a2, a3);
    if (len == 4) {
      if (bias) {
        a0 += te_s16_bias_at(bias, o0);
        a1 += te_s16_bias_at(bias, o0 + 1);
        a2 += te_s16_bias_at(bias, o0 + 2);
        a3 += te_s16_bias_at(bias, o0 + 3);
      }
      te_mve_s16_requantize4(a0, a1, a2, a3, o0, c, p, wide, y);
    } else {
      const int64_t sums[4] = {a0, a1, a2, a3};
      int64_t acc[4];
      for (j = 0; j < len; j++) acc[j] = sums[j] + te_s16_bias_at(bias, o0 + j);
      te_s16_requantize_channels(acc, len, o0, p, wide, y);
    }
  }
}

void te_matmul_s16(const int16_t *x, const int8_t *w, const te_s16_bias *bias, int32_t rows, int32_t k, int32_t out_c,
                   const te_mac_params *p, int32_t wide, int16_t *y) {
  const int32_t full = k / 16, blocks = (k + 15) / 16;
  int16_t tail[16];
  int32_t r, i;
  for (r = 0; r < rows; r++) {
    const int16_t *xr = x + r * k;
    /* The k % 16 last inputs, zero-padded as the weights are, so no load passes the row. */
    for (i = 0; i < 16; i++) tail[i] = 16 * full + i < k ? xr[16 * full + i] : 0;
    te_mve_s16_row_outputs(xr, tail, w, full, blocks, bias, out_c, p, wide, y + r * out_c);
  }
}

/* The window gathered into a patch of TE_MVE_S16_PATCH_BLOCKS blocks (zeros past K): a window that fits is gathered
   once for all channels; longer ones add each patch's sums into int64 accumulators for TE_S16_BLOCK channels. */
void te_conv2d_s16(const int16_t *x, const int8_t *w, const te_s16_bias *bias, const te_window *g, int32_t out_c,
                   const te_mac_params *p, int32_t wide, int16_t *y) {
  const int32_t blocks = (g->kh * g->kw * g->c + 15) / 16;
  int16_t patch[16 * TE_MVE_S16_PATCH_BLOCKS];
  int64_t acc[TE_S16_BLOCK];
  int32_t n, oy, ox, o0, b, j;
  for (n = 0; n < g->n; n++) {
    const int16_t *xn = x + n * g->h * g->w * g->c;
    for (oy = 0; oy < g->oh; oy++) {
      for (ox = 0; ox < g->ow; ox++) {
        if (blocks <= TE_MVE_S16_PATCH_BLOCKS) {
          te_s16_gather(xn, g, oy, ox, 0, 4 * blocks, patch);
          te_mve_s16_row_outputs(patch, patch, w, blocks, blocks, bias, out_c, p, wide, y);
        } else {
          for (o0 = 0; o0 < out_c; o0 += TE_S16_BLOCK) {
            const int32_t len = out_c - o0 < TE_S16_BLOCK ? out_c - o0 : TE_S16_BLOCK;
            /* Whole groups of four: the accumulators past len are summed (zero weights) and not stored. */
            for (j = 0; j < TE_S16_BLOCK; j++) acc[j] = 0;
            te_s16_start_block(acc, len, bias, o0);
            for (b = 0; b < blocks; b += TE_MVE_S16_PATCH_BLOCKS) {
              const int32_t m = blocks - b < TE_MVE_S16_PATCH_BLOCKS ? blocks - b : TE_MVE_S16_PATCH_BLOCKS;
              te_s16_gather(xn, g, oy, ox, 4 * b, 4 * m, patch);
              for (j = 0; j < len; j += 4) te_mve_s16_sums(patch, w + (o0 + j) * 16 * blocks + 64 * b, m, acc + j);
            }
            te_s16_requantize_channels(acc, len, o0, p, wide, y);
          }
        }
        y += out_c;
      }
    }
  }
}

/* y[0..out_c): one output pixel of a multiplier-1 layer over its inside taps (rows [k[0], k[1]), columns
   [k[2], k[3]); x0 the input at tap (k[0], k[2]), w0 that tap's weights), eight channels at a time: the even channels'
   products by VMULLB and the odd ones' by VMULLT into int32 lanes, then the bias and the requantization. */
static void te_mve_s16_dw_pixel(const int16_t *x0, const int8_t *w0, const te_window *g, const int32_t k[4],
                                const te_s16_bias *bias, const te_mac_params *p, int32_t wide, int16_t *y) {
  const te_s16_output_range c = te_s16_output_range_of(p);
  const int32_t *m = p->multipliers, *shift = p->shifts;
  const int32_t out_c = g->c, rows = k[1] - k[0], cols = k[3] - k[2];
  const int32_t row_step = g->dilation_h * g->w * g->c, col_step = g->dilation_w * g->c;
  const int32_t w_row = g->kw * out_c, w_col = out_c;
  int32_t c0, r, q, j;
  for (c0 = 0; c0 < out_c; c0 += 8) {
    const mve_pred16_t live = vctp16q((uint32_t)(out_c - c0));
    const int32_t len = out_c - c0 < 8 ? out_c - c0 : 8;
    int32x4_t e = vdupq_n_s32(0), o = vdupq_n_s32(0);
    int32_t s[8];
    for (r = 0; r < rows; r++) {
      const int16_t *xp = x0 + r * row_step + c0;
      const int8_t *wp = w0 + r * w_row + c0;
      for (q = 0; q < cols; q++, xp += col_step, wp += w_col) {
        const int16x8_t xv = vldrhq_z_s16(xp, live), wv = vldrbq_z_s16(wp, live);
        e = vaddq_s32(e, vmullbq_int_s16(xv, wv));
        o = vaddq_s32(o, vmulltq_int_s16(xv, wv));
      }
    }
    {
      /* VST2 interleaves the even and odd channels back into channel order. */
      const int32x4x2_t eo = {{e, o}};
      vst2q_s32(s, eo);
    }
    for (j = 0; j + 4 <= len; j += 4) {
      te_mve_s16_requantize4(s[j] + te_s16_bias_at(bias, c0 + j), s[j + 1] + te_s16_bias_at(bias, c0 + j + 1),
                             s[j + 2] + te_s16_bias_at(bias, c0 + j + 2), s[j + 3] + te_s16_bias_at(bias, c0 + j + 3),
                             c0 + j, c, p, wide, y);
    }
    for (; j < len; j++)
      y[c0 + j] = te_s16_requantize_fast(s[j] + te_s16_bias_at(bias, c0 + j), m[c0 + j], shift[c0 + j], c, p, wide);
  }
}

void te_depthwise_conv2d_s16(const int16_t *x, const int8_t *w, const te_s16_bias *bias, const te_window *g,
                             int32_t multiplier, const te_mac_params *p, int32_t wide, int16_t *y) {
  const int32_t out_c = g->c * multiplier, taps = g->kh * g->kw;
  const int lanes = multiplier == 1 && taps <= TE_MVE_S16_DW_TAPS;
  int64_t acc[TE_S16_BLOCK];
  int32_t n, oy, ox, o0, k[4];
  for (n = 0; n < g->n; n++) {
    const int16_t *xn = x + n * g->h * g->w * g->c;
    for (oy = 0; oy < g->oh; oy++) {
      const int32_t iy = oy * g->stride_h - g->pad_top;
      te_s16_inside(iy, g->kh, g->dilation_h, g->h, &k[0], &k[1]);
      for (ox = 0; ox < g->ow; ox++) {
        const int32_t ix = ox * g->stride_w - g->pad_left;
        te_s16_inside(ix, g->kw, g->dilation_w, g->w, &k[2], &k[3]);
        if (lanes) {
          te_mve_s16_dw_pixel(xn + ((iy + k[0] * g->dilation_h) * g->w + ix + k[2] * g->dilation_w) * g->c,
                              w + (k[0] * g->kw + k[2]) * out_c, g, k, bias, p, wide, y);
        } else {
          for (o0 = 0; o0 < out_c; o0 += TE_S16_BLOCK) {
            const int32_t len = out_c - o0 < TE_S16_BLOCK ? out_c - o0 : TE_S16_BLOCK;
            te_s16_depthwise_block(acc, len, o0, xn, w, g, k, iy, ix, multiplier, bias);
            te_s16_requantize_channels(acc, len, o0, p, wide, y);
          }
        }
        y += out_c;
      }
    }
  }
}
