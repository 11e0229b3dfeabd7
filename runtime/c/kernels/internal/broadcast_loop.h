/*
 * tinyedge: the broadcasting loop of the int8 binary kernels (add, mul), shared by kernels/ref and by the ISA
 * folders for the shapes their fast paths leave.
 */
#ifndef TINYEDGE_BROADCAST_LOOP_H
#define TINYEDGE_BROADCAST_LOOP_H

#include "tinyedge/kernels.h"
#include "element_ops.h"

/* Add or mul (`op`, which compilers inline into a copy per caller): output element (i0, i1, i2, i3) reads a and b
   at their broadcast offsets (strides 0 on repeated dimensions). */
static inline void te_binary_s8(const int8_t *a, const int8_t *b, const te_broadcast *s, const te_binary_params *p,
                                int8_t *y, int32_t (*op)(int32_t, int32_t, const te_binary_params *)) {
  const te_broadcast4 t = te_broadcast_dims(s);
  int32_t i0, i1, i2, i3;
  for (i0 = 0; i0 < t.d[0]; i0++)
    for (i1 = 0; i1 < t.d[1]; i1++)
      for (i2 = 0; i2 < t.d[2]; i2++)
        for (i3 = 0; i3 < t.d[3]; i3++) {
          const int32_t va = a[i0 * t.sa[0] + i1 * t.sa[1] + i2 * t.sa[2] + i3 * t.sa[3]];
          const int32_t vb = b[i0 * t.sb[0] + i1 * t.sb[1] + i2 * t.sb[2] + i3 * t.sb[3]];
          *y++ = (int8_t)op(va, vb, p);
        }
}

/* The element count when neither operand broadcasts (both laid out as the output), else 0. */
static inline int32_t te_unbroadcast_count(const te_broadcast *s) {
  int32_t k, n = 1;
  for (k = s->rank - 1; k >= 0; k--) {
    if (s->out_shape[k] > 1 && (s->a_strides[k] != n || s->b_strides[k] != n)) return 0;
    n *= s->out_shape[k];
  }
  return n;
}

#endif
