/* tinyedge: the fixed-point CWT front end (see cwt.h), the plain loops every target runs. */
#include "tinyedge/audio/cwt.h"
#include "../kernels/internal/fixed_point.h"

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

#if defined(__ARM_FEATURE_DSP)
/* Armv7E-M and later (Cortex-M4/M7/M55): SMLAD multiplies two int16 pairs and adds both products, four taps a step
   here. Every partial sum is within ±2^30 like the total, so the result equals the plain loop's. (The front end is
   not one of the kernel families the kernel folders choose from, so its DSP path lives beside the portable one.) */
#include <arm_acle.h>
#include <string.h>

static inline uint32_t te_cwt_pair(const int16_t *p) {
  uint32_t v;
  memcpy(&v, p, 4); /* unaligned halfword pairs: one LDR */
  return v;
}

static void te_cwt_dot2(const int16_t *x, const int16_t *re, const int16_t *im, int32_t count, int32_t *acc_re, int32_t *acc_im) {
  int32_t r = 0, m = 0, k;
  for (k = 0; k + 4 <= count; k += 4) {
    const uint32_t x0 = te_cwt_pair(x + k), x1 = te_cwt_pair(x + k + 2);
    r = __smlad(x0, te_cwt_pair(re + k), r);
    m = __smlad(x0, te_cwt_pair(im + k), m);
    r = __smlad(x1, te_cwt_pair(re + k + 2), r);
    m = __smlad(x1, te_cwt_pair(im + k + 2), m);
  }
  for (; k < count; k++) {
    r += x[k] * re[k];
    m += x[k] * im[k];
  }
  *acc_re = r;
  *acc_im = m;
}
#else
/* The portable loop: the definition of the front end's arithmetic. */
static void te_cwt_dot2(const int16_t *x, const int16_t *re, const int16_t *im, int32_t count, int32_t *acc_re, int32_t *acc_im) {
  int32_t r = 0, m = 0, k;
  for (k = 0; k < count; k++) {
    r += x[k] * re[k];
    m += x[k] * im[k];
  }
  *acc_re = r;
  *acc_im = m;
}
#endif

/* |W| at sample n for one row: both accumulators stay within ±2^30 (the compiler checks Σ|tap| ≤ 2^15 per part). */
static uint32_t te_cwt_point(const int16_t *pcm, int32_t samples, const int16_t *re, const int16_t *im, int32_t h, int32_t n) {
  const int32_t k0 = -h > -n ? -h : -n;
  const int32_t k1 = h < samples - 1 - n ? h : samples - 1 - n;
  int32_t acc_re, acc_im, a, b;
  /* Taps whose sample lies outside the clip meet zeros: only k0..k1 are summed. */
  te_cwt_dot2(pcm + n + k0, re + h + k0, im + h + k0, k1 - k0 + 1, &acc_re, &acc_im);
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
