/*
 * Cortex-M4/M7 (Armv7E-M DSP) int8 convolution and matrix product, weights [out_c][k]: four int8 of x and of a
 * weight row are unpacked into int16 pairs with SXTB16 (even bytes, then the word rotated by 8 for the odd ones) and
 * multiplied pairwise by SMLAD, two MACs per instruction, four outputs per pass so x is unpacked once for all four.
 */
#include <arm_acle.h>
#include <string.h>
#include "tinyedge/kernels.h"
#include "tinyedge/fixed_point.h"

static inline uint32_t te_load32(const int8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4); /* unaligned int8 rows: memcpy compiles to one LDR on Cortex-M4/M7 */
  return v;
}

static inline uint32_t te_ror8(uint32_t v) {
  return (v >> 8) | (v << 24);
}

/* acc[j] += Σ_i x[i]·w[o + j][i] for j < n ≤ 4. */
static void te_outputs(const int8_t *x, const int8_t *w, int32_t k, int32_t o, int32_t n, int32_t *acc) {
  const int32_t k4 = k & ~3;
  int32_t i, j;
  if (n == 4) {
    const int8_t *w0 = w + o * k, *w1 = w0 + k, *w2 = w1 + k, *w3 = w2 + k;
    int32_t s0 = acc[0], s1 = acc[1], s2 = acc[2], s3 = acc[3];
    for (i = 0; i < k4; i += 4) {
      const uint32_t xv = te_load32(x + i);
      const int32_t xe = (int32_t)__sxtb16(xv), xo = (int32_t)__sxtb16(te_ror8(xv));
      uint32_t wv = te_load32(w0 + i);
      s0 = __smlad(xe, (int32_t)__sxtb16(wv), s0);
      s0 = __smlad(xo, (int32_t)__sxtb16(te_ror8(wv)), s0);
      wv = te_load32(w1 + i);
      s1 = __smlad(xe, (int32_t)__sxtb16(wv), s1);
      s1 = __smlad(xo, (int32_t)__sxtb16(te_ror8(wv)), s1);
      wv = te_load32(w2 + i);
      s2 = __smlad(xe, (int32_t)__sxtb16(wv), s2);
      s2 = __smlad(xo, (int32_t)__sxtb16(te_ror8(wv)), s2);
      wv = te_load32(w3 + i);
      s3 = __smlad(xe, (int32_t)__sxtb16(wv), s3);
      s3 = __smlad(xo, (int32_t)__sxtb16(te_ror8(wv)), s3);
    }
    acc[0] = s0;
    acc[1] = s1;
    acc[2] = s2;
    acc[3] = s3;
  } else {
    for (j = 0; j < n; j++) {
      const int8_t *wj = w + (o + j) * k;
      int32_t s = acc[j];
      for (i = 0; i < k4; i += 4) {
        const uint32_t xv = te_load32(x + i), wv = te_load32(wj + i);
        s = __smlad((int32_t)__sxtb16(xv), (int32_t)__sxtb16(wv), s);
        s = __smlad((int32_t)__sxtb16(te_ror8(xv)), (int32_t)__sxtb16(te_ror8(wv)), s);
      }
      acc[j] = s;
    }
  }
  for (j = 0; j < n; j++) {
    const int8_t *wj = w + (o + j) * k;
    for (i = k4; i < k; i++) acc[j] += x[i] * wj[i];
  }
}

#define TE_FOUR_OUTPUTS
#include "tinyedge/row_drivers.h"
