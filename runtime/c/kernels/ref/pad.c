/* Reference pad of a 4-D int8 tensor with a constant (the quantized zero); the loop is tinyedge/typed_loops.h's. */
#include "tinyedge/typed_loops.h"

TE_DEFINE_PAD(s8, int8_t)
