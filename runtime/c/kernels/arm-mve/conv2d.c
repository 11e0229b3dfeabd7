/*
 * Cortex-M55 Helium (MVE) int8 convolution and matrix product, weights [out_c][k]: vmladavaq_s8 multiplies sixteen
 * int8 pairs and adds them all into a scalar accumulator, four outputs per pass so each x vector loaded serves four
 * weight rows. The k % 16 tail loads under a tail predicate (vctp8q), zeros in the unused lanes. Requantization
 * runs four lanes at a time (tinyedge/arm_requantize.h).
 */
#include <arm_mve.h>
#include "tinyedge/kernels.h"
#include "tinyedge/fixed_point.h"
#include "tinyedge/arm_requantize.h"

/* acc[j] += Σ_i x[i]·w[o + j][i] for j < n ≤ 4. */
static void te_outputs(const int8_t *x, const int8_t *w, int32_t k, int32_t o, int32_t n, int32_t *acc) {
  int32_t i, j;
  if (n == 4) {
    const int8_t *w0 = w + o * k, *w1 = w0 + k, *w2 = w1 + k, *w3 = w2 + k;
    int32_t s0 = acc[0], s1 = acc[1], s2 = acc[2], s3 = acc[3];
    for (i = 0; i < k; i += 16) {
      const mve_pred16_t lanes = vctp8q((uint32_t)(k - i));
      const int8x16_t xv = vldrbq_z_s8(x + i, lanes);
      s0 = vmladavaq_s8(s0, xv, vldrbq_z_s8(w0 + i, lanes));
      s1 = vmladavaq_s8(s1, xv, vldrbq_z_s8(w1 + i, lanes));
      s2 = vmladavaq_s8(s2, xv, vldrbq_z_s8(w2 + i, lanes));
      s3 = vmladavaq_s8(s3, xv, vldrbq_z_s8(w3 + i, lanes));
    }
    acc[0] = s0;
    acc[1] = s1;
    acc[2] = s2;
    acc[3] = s3;
    return;
  }
  for (j = 0; j < n; j++) {
    const int8_t *wj = w + (o + j) * k;
    int32_t s = acc[j];
    for (i = 0; i < k; i += 16) {
      const mve_pred16_t lanes = vctp8q((uint32_t)(k - i));
      s = vmladavaq_s8(s, vldrbq_z_s8(x + i, lanes), vldrbq_z_s8(wj + i, lanes));
    }
    acc[j] = s;
  }
}

#define TE_FOUR_OUTPUTS
#define TE_REQUANTIZE_ROW te_requantize_channels4
#include "tinyedge/row_drivers.h"
