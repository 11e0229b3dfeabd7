/*
 * Cortex-M55 Helium (MVE) int8 convolution and matrix product, weights [out_c][k]: vmladavaq_s8 multiplies sixteen
 * int8 pairs and adds them all into a scalar accumulator, four outputs per pass so each x vector loaded serves four
 * weight rows. The k % 16 tail loads under a tail predicate (vctp8q), zeros in the unused lanes.
 */
#include <arm_mve.h>
#include "tinyedge/kernels.h"
#include "tinyedge/fixed_point.h"
#include "tinyedge/patch.h"

/* acc[j] += Σ_i x[i]·w[o + j][i] for j < n ≤ 4. */
static void te_mve_outputs(const int8_t *x, const int8_t *w, int32_t k, int32_t o, int32_t n, int32_t *acc) {
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

static void te_row_times_matrix(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t k, int32_t out_c,
                                const te_mac_params *p, int8_t *y) {
  int32_t o, j;
  for (o = 0; o < out_c; o += 4) {
    const int32_t n = out_c - o < 4 ? out_c - o : 4;
    int32_t acc[4];
    for (j = 0; j < n; j++) acc[j] = folded_bias[o + j];
    te_mve_outputs(x, w, k, o, n, acc);
    te_requantize_channels(acc, n, p->multipliers + o, p->shifts + o, p->output_offset, p->act_min, p->act_max, y + o);
  }
}

void te_matmul_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k, int32_t out_c,
                  const te_mac_params *p, int8_t *y) {
  int32_t r;
  for (r = 0; r < rows; r++) te_row_times_matrix(x + r * k, w, folded_bias, k, out_c, p, y + r * out_c);
}

void te_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, const te_window *g, int32_t out_c,
                  const te_mac_params *p, int8_t *patch, int8_t *y) {
  const int32_t k = g->kh * g->kw * g->c;
  int32_t n, oy, ox;
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++) {
      for (ox = 0; ox < g->ow; ox++) {
        te_gather_patch(x, g, n, oy, ox, (int8_t)(-p->input_offset), patch);
        te_row_times_matrix(patch, w, folded_bias, k, out_c, p, y);
        y += out_c;
      }
    }
  }
}
