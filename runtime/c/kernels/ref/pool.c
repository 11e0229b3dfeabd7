/* Reference int8 pooling and mean, with TFLite's rounded integer division; the loops are tinyedge/typed_loops.h's. */
#include "tinyedge/typed_loops.h"

TE_DEFINE_POOL_KERNELS(s8, int8_t, -128, 127)
