/*
 * tinyedge: the int8 kernels (TFLite's 8-bit quantization specification), and at the end the 16×8 ones (int16
 * activations). Every kernel is bit-exact with the TypeScript integer reference interpreter; the compiler computes
 * every constant (offsets, multipliers, shifts, clamps, tables) and passes it in, so kernels only run integer code.
 * Tensors are NHWC; weights (and, for cortex-m-dsp, the requantization constants) are laid out by the compiler as
 * each kernel folder declares in compiler/backends/c/kernel-table.ts: conv and matmul [K][out_c] for kernels/ref and
 * NEON, groups of eight output channels by four k for SDOT and of four by sixteen k for Helium, int16 pairs in groups of four output channels for cortex-m-dsp; depthwise
 * [KH][KW][C·M], or int16 in blocks of four channels for cortex-m-dsp, or for Helium's 3 × 3 multiplier-1 layers each
 * tap's weights in groups of eight channels with the bias folded ('c8-fold3x3'). No kernel allocates memory: scratch comes from
 * the planned arena.
 *
 * In-place contract (compiler/plan/plan-memory.ts relies on it): every conv2d, matmul and depthwise kernel
 * computes output pixels (rows) in raster order, in tiles of at most 8, and never reads an input byte for a pixel
 * more than a tile behind the last pixel it has written; the planner then places the output so that pixel p's bytes
 * lie below every input byte pixels p, p + 1, … read (a pixel's channel blocks may be written before its next
 * block is read), over the input pixels the convolution has finished with.
 */
#ifndef TINYEDGE_KERNELS_H
#define TINYEDGE_KERNELS_H

#include <stdint.h>

/* Layer markers for instruction counting (targets/qemu-insn): with -DTE_LAYER_MARKERS the generated schedule runs a
   no-op the qemu plugin recognizes before each layer and after the last; without it they vanish. With
   -DTE_LAYER_TIMES (a hosted build) the same markers call te_layer_mark(), which the host runner defines to stamp
   the monotonic clock, so each layer's time on this machine is the gap between two stamps. */
#if defined(TE_LAYER_TIMES)
void te_layer_mark(void);
#define TE_LAYER_MARK() te_layer_mark()
#elif defined(TE_LAYER_MARKERS) && defined(__aarch64__)
#define TE_LAYER_MARK() __asm__ volatile("hint #100" ::: "memory")
#elif defined(TE_LAYER_MARKERS) && defined(__thumb2__)
#define TE_LAYER_MARK() __asm__ volatile("dbg #1" ::: "memory")
#else
#define TE_LAYER_MARK() ((void)0)
#endif

/* Geometry of a 2-D window op over an NHWC input. */
typedef struct {
  int32_t n, h, w, c;        /* input */
  int32_t oh, ow;            /* output */
  int32_t kh, kw;            /* window */
  int32_t stride_h, stride_w;
  int32_t dilation_h, dilation_w;
  int32_t pad_top, pad_left; /* positions outside the input read the zero point (contribute nothing) */
} te_window;

/* Per-output-channel requantization of a MAC op: y = clamp(mbqm(acc, m[c], shift[c]) + output_offset). */
typedef struct {
  int32_t input_offset;  /* −input zero point */
  int32_t output_offset; /* +output zero point */
  const int32_t *multipliers;
  const int32_t *shifts;
  int32_t act_min, act_max;
  /* 1: the 'smmul' pairs hold R − 1 and the int8 conv2d and matmul kernels skip the sign fix-up (exact where the
     compiler sets it: compiler/backends/c/sign-fixup.ts); 0 elsewhere, and for every other kernel. */
  int32_t no_sign_fixup;
} te_mac_params;

/* Regular convolution. Weights in the folder's layout with K = kh·kw·c, `folded_bias[o]` = bias[o] +
   input_offset·Σ w[..][o] (computed by the compiler, as TFLite's optimized kernels and CMSIS-NN fold it), and
   `patch` a scratch buffer of 2·kh·kw·c bytes (planned in the arena; k + 4·ceil(k/4) with K = k for the rowPairs
   folders, which read the second window's last word whole): the ISA folders gather the input windows of up to two
   output pixels into it, the reference keeps there the pixel of zero points that padded taps read. */
void te_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, const te_window *g, int32_t out_c,
                  const te_mac_params *p, int8_t *patch, int8_t *y);

/* rows × k times the weights (k × out_c in the folder's layout): the 1×1 stride-1 convolution and the fully
   connected layer. `folded_bias` as for te_conv2d_s8; p->input_offset is not read. */
void te_matmul_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k, int32_t out_c,
                  const te_mac_params *p, int8_t *y);

/* te_matmul_s8 with weights in the layout a folder names for it (kernel-table.ts's pairsLayout; only those folders
   define it) and every weight in [-127, 127], so int16 holds the sum of two products. */
void te_matmul_pairs_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k,
                        int32_t out_c, const te_mac_params *p, int8_t *y);

/* te_matmul_row_pairs_s8 and te_conv2d_row_pairs_s8, for folders whose table entry says so (kernel-table.ts's
   rowPairs; only those define them). */
#include "tinyedge/row_pairs.h"

/* te_matmul_s8 with int4 weights (each in [-7, 7]) two a byte, in the layout a folder names for its matmul_w4
   family (kernel-table.ts: ref reads [out_c][ceil(k/2)] bytes, k = 2i in the low nibble of byte i, 2i + 1 in the
   high); the compiler calls it for pointwise and fully connected layers whose weights are int4. */
void te_matmul_w4_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k,
                     int32_t out_c, const te_mac_params *p, int8_t *y);

/* Depthwise convolution, filter [kh][kw][c·multiplier]; output channel c·M+m reads input channel c. */
void te_depthwise_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g,
                            int32_t multiplier, const te_mac_params *p, int8_t *y);

/* TFLite's TRANSPOSE_CONV: filter [out_c][kh][kw][c]; input pixel (iy, ix) adds into output (iy·stride_h − pad_top + ky,
   ix·stride_w − pad_left + kx) when inside the g->oh × g->ow output (g's dilations are 1). `scratch` holds
   g->n·g->oh·g->ow·out_c int32 accumulators (planned in the arena); `bias` may be NULL. */
void te_transpose_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g, int32_t out_c,
                            const te_mac_params *p, int32_t *scratch, int8_t *y);

/* Shapes of a resize: input [n][h][w][c], output [n][oh][ow][c]. */
typedef struct {
  int32_t n, h, w, c, oh, ow;
} te_resize;

/* Resizes through the compiler's per-axis source tables (same quantization in and out). Nearest: output row r reads
   source row rows[r], column q source column cols[q]. Bilinear (TFLite's ResizeBilinearInteger): rows and cols hold
   (lo, hi, frac) triples, frac in Q10, and y = ((s ± 2^19) / 2^20) of the Q20 weighted sum s of the four taps. */
void te_resize_nearest_s8(const int8_t *x, const te_resize *s, const int32_t *rows, const int32_t *cols, int8_t *y);
void te_resize_bilinear_s8(const int8_t *x, const te_resize *s, const int32_t *rows, const int32_t *cols, int8_t *y);

/* Constants of add (TFLite's rescaling to twice the larger scale through a left shift: 20 for int8, 15 for int16)
   and mul (left_shift unused). */
typedef struct {
  int32_t left_shift;
  int32_t input1_offset, input1_multiplier, input1_shift;
  int32_t input2_offset, input2_multiplier, input2_shift;
  int32_t output_multiplier, output_shift, output_offset;
  int32_t act_min, act_max;
} te_binary_params;

/* Elementwise add/mul with broadcasting: element i of y reads a[a_index(i)], b[b_index(i)] through strides
   (0 on broadcast dimensions) over an output of up to 4 dimensions. */
typedef struct {
  int32_t rank;
  int32_t out_shape[4];
  int32_t a_strides[4];
  int32_t b_strides[4];
} te_broadcast;

void te_add_s8(const int8_t *a, const int8_t *b, const te_broadcast *shape, const te_binary_params *p, int8_t *y);
void te_mul_s8(const int8_t *a, const int8_t *b, const te_broadcast *shape, const te_binary_params *p, int8_t *y);

/* Average (over in-bounds elements, TFLite's rounding) and max pooling; same quantization in and out. */
void te_avg_pool_s8(const int8_t *x, const te_window *g, int32_t act_min, int32_t act_max, int8_t *y);
void te_max_pool_s8(const int8_t *x, const te_window *g, int32_t act_min, int32_t act_max, int8_t *y);

/* Mean over the middle axis of [outer][reduced][inner]: y = clamp(rounded(mbqm(Σ(x + off), m, s) / count) + out_off). */
void te_mean_s8(const int8_t *x, int32_t outer, int32_t reduced, int32_t inner, int32_t input_offset,
                int32_t multiplier, int32_t shift, int32_t output_offset, int8_t *y);

/* Transposes up to four axes: y[i0][i1][i2][i3] (of dims) = x[Σ ik·strides[k]], strides the input's of the axes
 * moved; int8 and int16 elements. */
void te_transpose_s8(const int8_t *x, const int32_t dims[4], const int32_t strides[4], int8_t *y);
void te_transpose_s16(const int16_t *x, const int32_t dims[4], const int32_t strides[4], int16_t *y);

/* Max over the middle axis of [outer][depth][inner] (REDUCE_MAX, ARG_MAX): the largest x into values (the input's
 * quantization) and/or its int32 index, the first on ties, into indices; either may be NULL. */
void te_max_along_s8(const int8_t *x, int32_t outer, int32_t depth, int32_t inner, int8_t *values, int32_t *indices);
void te_max_along_s16(const int16_t *x, int32_t outer, int32_t depth, int32_t inner, int16_t *values,
                      int32_t *indices);

/* TopK along the last axis of [rows][depth]: the k largest x of each row, best first (the lower index first among
 * equals), into values (the input's type and quantization) and/or indices (int32); either may be NULL. */
void te_top_k_s8(const int8_t *x, int32_t rows, int32_t depth, int32_t k, int8_t *values, int32_t *indices);
void te_top_k_s16(const int16_t *x, int32_t rows, int32_t depth, int32_t k, int16_t *values, int32_t *indices);

/* Pads a [d0][d1][d2][d3] tensor by before/after per dimension with `value`. */
void te_pad_s8(const int8_t *x, const int32_t shape[4], const int32_t before[4], const int32_t after[4], int8_t value,
               int8_t *y);

/* Copies `outer` rows of `chunk` elements to y with row stride `y_stride`, requantizing unless `identity`:
   y = clamp(identity ? x : mbqm(x + input_offset, m, s) + output_offset). Concat, reshape and clamp use it. */
typedef struct {
  int32_t identity;
  int32_t input_offset, multiplier, shift, output_offset;
  int32_t act_min, act_max;
} te_requant_params;

void te_requantize_s8(const int8_t *x, int32_t outer, int32_t chunk, int32_t y_stride, const te_requant_params *p,
                      int8_t *y);

/* TFLite's int8 softmax over rows of `depth` (at most 4095) with the 256-entry exponent table made by the compiler
   (Q0.31, indexed by max - x); output scale 1/256, zero point −128. */
void te_softmax_s8(const int8_t *x, int32_t rows, int32_t depth, const int32_t exp_table[256], int8_t *y);

/* y[i] = table[x[i] + 128]: logistic and other 256-entry lookups. */
void te_lookup_s8(const int8_t *x, int32_t n, const int8_t table[256], int8_t *y);

/*
 * 16×8 (TFLite's 16x8 quantization: int16 activations with zero point 0, int8 per-channel weights, int64 biases).
 * These are reference kernels only (kernels/ref/int16.c), which every target runs; weights take the ref layouts.
 * MAC kernels take `bias` (a te_s16_bias, below) and `wide`: 1 for TFLite's int64 accumulator and int64
 * MultiplyByQuantizedMultiplier (the layer has an int64 bias, and every depthwise), 0 for an int32 accumulator
 * (wrapping as C's int32 sum does) and the int32 one, as for int8.
 */

/*
 * A 16×8 MAC's bias (the kernels take a pointer to one, NULL for none), one value per output channel, read once per
 * channel into the int64 accumulator: int64 values (TFLite's type), or int32 ones where `narrow` is 1. The compiler
 * stores an int64 bias as int32 when every value fits (bias scale = input scale × weight scale: almost always): the
 * same sums, 4 bytes a channel less flash; an int32 bias (a layer that is not `wide`) as it is.
 */
typedef struct {
  const void *values;
  int32_t narrow;
} te_s16_bias;

/* Regular convolution, weights [kh·kw·c][out_c]; no scratch. */
void te_conv2d_s16(const int16_t *x, const int8_t *w, const te_s16_bias *bias, const te_window *g, int32_t out_c,
                   const te_mac_params *p, int32_t wide, int16_t *y);

/* The same with two output pixels' windows gathered into `patch` (2·4·ceil(kh·kw·c / 4) int16, word-aligned): the
   cortex-m-dsp kernels only (kernel-table.ts: Int16MacLayouts.convPatch). */
void te_conv2d_patch_s16(const int16_t *x, const int8_t *w, const te_s16_bias *bias, const te_window *g,
                         int32_t out_c, const te_mac_params *p, int16_t *patch, int32_t wide, int16_t *y);

/* rows × k times the weights [k][out_c]: the 1×1 stride-1 convolution and the fully connected layer. */
void te_matmul_s16(const int16_t *x, const int8_t *w, const te_s16_bias *bias, int32_t rows, int32_t k, int32_t out_c,
                   const te_mac_params *p, int32_t wide, int16_t *y);

/* Depthwise convolution, filter [kh][kw][c·multiplier]; output channel c·M+m reads input channel c. */
void te_depthwise_conv2d_s16(const int16_t *x, const int8_t *w, const te_s16_bias *bias, const te_window *g,
                             int32_t multiplier, const te_mac_params *p, int32_t wide, int16_t *y);

/* The int16 twins of the int8 kernels above, with int16 clamps (add's left_shift is 15). */
void te_add_s16(const int16_t *a, const int16_t *b, const te_broadcast *shape, const te_binary_params *p, int16_t *y);
void te_mul_s16(const int16_t *a, const int16_t *b, const te_broadcast *shape, const te_binary_params *p, int16_t *y);
void te_avg_pool_s16(const int16_t *x, const te_window *g, int32_t act_min, int32_t act_max, int16_t *y);
void te_max_pool_s16(const int16_t *x, const te_window *g, int32_t act_min, int32_t act_max, int16_t *y);
void te_mean_s16(const int16_t *x, int32_t outer, int32_t reduced, int32_t inner, int32_t input_offset,
                 int32_t multiplier, int32_t shift, int32_t output_offset, int16_t *y);
void te_pad_s16(const int16_t *x, const int32_t shape[4], const int32_t before[4], const int32_t after[4],
                int16_t value, int16_t *y);
void te_requantize_s16(const int16_t *x, int32_t outer, int32_t chunk, int32_t y_stride, const te_requant_params *p,
                       int16_t *y);

/* QUANTIZE between int8 and int16: te_requantize_s16's arithmetic, the input of one type, the output of the other. */
void te_requantize_s8_s16(const int8_t *x, int32_t outer, int32_t chunk, int32_t y_stride, const te_requant_params *p,
                          int16_t *y);
void te_requantize_s16_s8(const int16_t *x, int32_t outer, int32_t chunk, int32_t y_stride, const te_requant_params *p,
                          int8_t *y);

/* TFLite's SoftmaxInt16 over rows of `depth` (below 65536): differences to the row's max rescaled by (multiplier,
   shift), exp and 1/(1 + x) through the compiler's 513-entry tables with TFLite's interpolation; output scale
   1/32768, zero point 0. y must not overlap x (it holds the row's exponentials first, as TFLite's does). */
void te_softmax_s16(const int16_t *x, int32_t rows, int32_t depth, int32_t input_multiplier, int32_t input_shift,
                    const int16_t exp_lut[513], const int16_t reciprocal_lut[513], int16_t *y);

#endif
