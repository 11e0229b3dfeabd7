/*
 * Reference int8 depthwise convolution (TFLite's DepthwiseConvPerChannel). For each output pixel, channels go in
 * blocks with the accumulators on the stack (tinyedge/depthwise.h), so the innermost loop runs along contiguous
 * NHWC channels and compilers vectorize it.
 */
#include "tinyedge/kernels.h"

#include "tinyedge/depthwise_driver.h"
