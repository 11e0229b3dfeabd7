/*
 * Reference int8 elementwise kernels: mul with broadcasting, the requantizing copy (concat, reshape, clamp,
 * quantize) and table lookup (add and softmax are families of their own: add.c, softmax.c). The per-element formulas of mul and the copy,
 * with their overflow bounds, are kernels/internal/element_ops.h's, which the 16×8 kernels (int16.c) share.
 */
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/element_ops.h"

void te_mul_s8(const int8_t *a, const int8_t *b, const te_broadcast *s, const te_binary_params *p, int8_t *y) {
  te_binary_s8(a, b, s, p, y, te_mul_element);
}

void te_requantize_s8(const int8_t *x, int32_t outer, int32_t chunk, int32_t y_stride, const te_requant_params *p,
                      int8_t *y) {
  int32_t r, i;
  for (r = 0; r < outer; r++)
    for (i = 0; i < chunk; i++) y[r * y_stride + i] = (int8_t)te_requantize_element(x[r * chunk + i], p);
}

void te_lookup_s8(const int8_t *x, int32_t n, const int8_t table[256], int8_t *y) {
  int32_t i;
  for (i = 0; i < n; i++) y[i] = table[x[i] + 128];
}
