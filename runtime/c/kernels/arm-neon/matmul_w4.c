/*
 * AArch64 Advanced SIMD int8 matrix product with int4 weights (kernel family matmul_w4), weights 'o4-k32-nibbles'
 * as Helium reads them (compiler/backends/c/kernel-table.ts): out_c zero-padded to a multiple of four (the folded
 * bias, multipliers and shifts too), K to one of 32; per group of four channels [K32/32][4 channels][16 bytes],
 * byte j of a block holding k = j in its low nibble and k = 16 + j in its high. One 16-byte load is 32 weights of a
 * channel: SHL #4 then SSHR #4 sign-extends the low nibbles, SSHR #4 the high ones; SMULL/SMLAL2 multiply them with
 * sixteen consecutive inputs into int16 (four products of at most 128·7 a lane) and SADALP adds pairs into int32.
 * One row at a time, four channels a pass; a k % 32 tail copies the last inputs into a zeroed block of 32.
 */
#include <arm_neon.h>
#include <string.h>
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/arm_requantize.h"

/* acc += the 32 products of the inputs a (k = j) and b (k = 16 + j) with one channel's block at wp. */
static inline int32x4_t te_w4_channel(int32x4_t acc, int8x16_t a, int8x16_t b, const int8_t *wp) {
  const int8x16_t v = vld1q_s8(wp);
  const int8x16_t lo = vshrq_n_s8(vshlq_n_s8(v, 4), 4), hi = vshrq_n_s8(v, 4);
  int16x8_t p = vmull_s8(vget_low_s8(lo), vget_low_s8(a));
  p = vmlal_high_s8(p, lo, a);
  p = vmlal_s8(p, vget_low_s8(hi), vget_low_s8(b));
  p = vmlal_high_s8(p, hi, b);
  return vpadalq_s16(acc, p);
}

/* Channels [o, o + 4) of one row (`n` of them stored: the rest are padding); w at the group's weights. */
static void te_w4_group(const int8_t *x, const int8_t *w, const int32_t *bias, int32_t k, int32_t o, int32_t n,
                        const te_mac_params *p, int8_t *y) {
  int32x4_t a0 = vdupq_n_s32(0), a1 = a0, a2 = a0, a3 = a0;
  int32_t s[4], i;
  for (i = 0; i + 32 <= k; i += 32, w += 64) {
    const int8x16_t a = vld1q_s8(x + i), b = vld1q_s8(x + i + 16);
    a0 = te_w4_channel(a0, a, b, w);
    a1 = te_w4_channel(a1, a, b, w + 16);
    a2 = te_w4_channel(a2, a, b, w + 32);
    a3 = te_w4_channel(a3, a, b, w + 48);
  }
  if (i < k) {
    int8_t tail[32];
    int8x16_t a, b;
    memset(tail, 0, sizeof tail);
    memcpy(tail, x + i, (size_t)(k - i));
    a = vld1q_s8(tail);
    b = vld1q_s8(tail + 16);
    a0 = te_w4_channel(a0, a, b, w);
    a1 = te_w4_channel(a1, a, b, w + 16);
    a2 = te_w4_channel(a2, a, b, w + 32);
    a3 = te_w4_channel(a3, a, b, w + 48);
  }
  s[0] = bias[o] + vaddvq_s32(a0);
  s[1] = bias[o + 1] + vaddvq_s32(a1);
  s[2] = bias[o + 2] + vaddvq_s32(a2);
  s[3] = bias[o + 3] + vaddvq_s32(a3);
  if (n >= 4) te_requantize4(vld1q_s32(s), p->multipliers + o, p->shifts + o, p->output_offset, p->act_min, p->act_max, y + o);
  else te_requantize_channels(s, n, p->multipliers + o, p->shifts + o, p->output_offset, p->act_min, p->act_max, y + o);
}

void te_matmul_w4_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k,
                     int32_t out_c, const te_mac_params *p, int8_t *y) {
  const int32_t group = 2 * ((k + 31) & ~31); /* bytes of four channels: 4 · K32 / 2 */
  int32_t r, o;
  for (r = 0; r < rows; r++)
    for (o = 0; o < out_c; o += 4)
      te_w4_group(x + r * k, w + (o / 4) * group, folded_bias, k, o, out_c - o, p, y + r * out_c);
}
