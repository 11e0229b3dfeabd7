/*
 * Armv8.2-A dot-product int8 convolution and matrix product, weights [out_c][k]: vdotq_s32 adds four int8 products
 * into each int32 lane, 16 MACs per instruction (Cortex-A76 and later; the A72 has no SDOT and traps on it).
 */
#include "tinyedge/kernels.h"

#define TE_DOT16(acc, x, w) ((acc) = vdotq_s32((acc), (x), (w)))

#include "../internal/arm_matmul.h"
