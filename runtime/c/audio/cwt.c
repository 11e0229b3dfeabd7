/* tinyedge: the fixed-point CWT front end (see cwt.h), the plain loops every target runs. */
#include "tinyedge/audio/cwt.h"
#include "tinyedge/fixed_point.h"

/* floor(sqrt(v)), bit by bit: no division, no floating point (Cortex-M4's FPU is single precision). */
static uint32_t te_isqrt32(uint32_t v) {
  uint32_t root = 0;
  uint32_t bit = (uint32_t)1 << 30;
  while (bit > v) bit >>= 2;
  while (bit) {
    if (v >= root + bit) {
      v -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  return root;
}

/* |W| at sample n for one row: both accumulators stay within ±2^30 (the compiler checks Σ|tap| ≤ 2^15 per part). */
static uint32_t te_cwt_point(const int16_t *pcm, int32_t samples, const int16_t *re, const int16_t *im, int32_t h, int32_t n) {
  const int32_t k0 = -h > -n ? -h : -n;
  const int32_t k1 = h < samples - 1 - n ? h : samples - 1 - n;
  int32_t acc_re = 0, acc_im = 0, a, b, k;
  for (k = k0; k <= k1; k++) {
    const int32_t x = pcm[n + k];
    acc_re += x * re[h + k];
    acc_im += x * im[h + k];
  }
  /* Rounding half up, then |a|, |b| ≤ 2^15 so a² + b² ≤ 2^31 fits uint32. */
  a = (acc_re + 16384) >> 15;
  b = (acc_im + 16384) >> 15;
  return te_isqrt32((uint32_t)(a * a) + (uint32_t)(b * b));
}

void te_cwt_s16_s8(const te_cwt *cwt, const int16_t *pcm, int8_t *out) {
  int32_t r, t, p;
  for (r = 0; r < cwt->rows; r++) {
    const int32_t h = cwt->halves[r];
    const int16_t *re = cwt->taps + cwt->offsets[r];
    const int16_t *im = re + 2 * h + 1;
    for (t = 0; t < cwt->columns; t++) {
      int32_t sum = 0;
      for (p = 0; p < cwt->subsamples; p++) {
        sum += (int32_t)te_cwt_point(pcm, cwt->samples, re, im, h, t * cwt->hop + p * cwt->step + (cwt->step >> 1));
      }
      out[r * cwt->columns + t] = (int8_t)te_clamp(te_mbqm(sum, cwt->multiplier, cwt->shift) + cwt->zero_point, -128, 127);
    }
  }
}
