/*
 * Cortex-M55 Helium (MVE) int8 depthwise convolution. 3 × 3 layers at multiplier 1 (te_dw3_folds: every MLPerf Tiny
 * depthwise) take kernels/internal/mve_depthwise3x3_rows.h (a ring of padded input rows, where it fits) or
 * kernels/internal/mve_depthwise3x3.h, on the compiler's 'c8-fold3x3' filter and folded bias; the
 * rest, on the filter as it is and TFLite's bias, go one output pixel at a time in raster order, every channel block
 * of a pixel before the next pixel. That is the planner's in-place tile contract (IN_PLACE_TILE_PIXELS) with tiles of
 * one pixel: a block's outputs are stored before the pixel's next block is read, which is safe because under that
 * contract output pixel p lies below every input byte that pixels p, p + 1, ... read.
 * Each row of pixels goes left edge, middle, right edge; a pixel visits only the taps inside the input (loop bounds,
 * no per-tap test: padded taps read the zero point, which adds nothing to (x + input_offset) · w), with TFLite's bias,
 * so nothing is prepared per layer or per block. Whole 3 × 3 windows unroll.
 * Depth multiplier 1, blocks of sixteen or eight channels: VLDRB.S16 widens eight channels of input and filter,
 * VADD adds the input offset (x + offset fits int16) and VMULLB/VMULLT give the even and odd int32 products (MVE
 * has no vector multiply-accumulate), so the accumulators hold channels {0,2,4,6} {1,3,5,7} {8,..,14} {9,..,15};
 * bias, multipliers and shifts are gathered in that order and the results scattered back to place.
 * Multipliers that are multiples of four (four or more outputs per input channel): VMLA by the scalar input.
 * Other multipliers gather each output channel's input channel. Channels past the last vector block take the
 * reference arithmetic (kernels/internal/depthwise.h).
 */
#include "../internal/asm_build.h"
#include <arm_mve.h>
#include "tinyedge/kernels.h"
#include "../internal/mve_requantize.h"
#include "../internal/depthwise.h"
#include "../internal/mve_depthwise3x3.h"
#include "../internal/mve_depthwise3x3_rows.h"

/* Taps [ky0, ky0 + rows) × [kx0, kx0 + cols) of a pixel's window are inside the input. */
typedef struct {
  const int8_t *x; /* input at tap (ky0, kx0), channel 0 */
  int32_t tap0;    /* ky0 · kw + kx0 */
  int32_t rows, cols;
} te_dw_window;

/* Accumulator lanes (output channels c + at) requantized and stored. `right`: every shift of the layer is
   negative (a constant where inlined). */
TE_MVE_INLINE void te_dw_store(const te_dw_layer *L, int right, int32x4_t acc, int32_t c, uint32x4_t at, int8_t *y) {
  const int32x4_t m = vldrwq_gather_shifted_offset_s32(L->m + c, at), s = vldrwq_gather_shifted_offset_s32(L->shift + c, at);
  const int32x4_t r = right ? te_mve_requantize_right(acc, m, s, L->output_offset, L->lo, L->hi)
                            : te_mve_requantize_lanes(acc, m, s, L->output_offset, L->lo, L->hi);
  vstrbq_scatter_offset_s32(y + c, at, r);
}

/* One tap of eight channels at multiplier 1, input at xa + OFFSET, filter at wa + OFFSET: (x + off) · w into the
   even and odd channels' accumulators E and O. Written out because gcc, given intrinsics, hoists the next tap's loads
   above this tap's multiplies, sums products before adding them to the accumulators, and then spills (there are
   eight vector registers); here a tap is seven instructions in seven registers. */
#define TE_DW_TAP8_ASM(E, O, OFFSET)                                                       \
  "vldrb.s16 %q[x], [%[xa], #" OFFSET "]\n\t"                                              \
  "vldrb.s16 %q[w], [%[wa], #" OFFSET "]\n\t"                                              \
  "vadd.i16 %q[x], %q[x], %[off]\n\t"                                                     \
  TE_DW_MAC8_ASM(E, O)
/* One tap of `lanes` (16 or 8) channels. */
#define TE_DW_TAP(xp, wp)                                                                                        \
  do {                                                                                                           \
    int16x8_t x_, w_;                                                                                            \
    int32x4_t t_;                                                                                                \
    if (lanes == 16)                                                                                             \
      __asm__(TE_DW_TAP8_ASM("e0", "o0", "0") TE_DW_TAP8_ASM("e1", "o1", "8")                                    \
              : [e0] "+w"(e0), [o0] "+w"(o0), [e1] "+w"(e1), [o1] "+w"(o1), [x] "=&w"(x_), [w] "=&w"(w_), [t] "=&w"(t_) \
              : [xa] "l"(xp), [wa] "l"(wp), [off] "r"(off)                                                        \
              : "memory");                                                                                       \
    else                                                                                                         \
      __asm__(TE_DW_TAP8_ASM("e0", "o0", "0")                                                                    \
              : [e0] "+w"(e0), [o0] "+w"(o0), [x] "=&w"(x_), [w] "=&w"(w_), [t] "=&w"(t_)                          \
              : [xa] "l"(xp), [wa] "l"(wp), [off] "r"(off)                                                        \
              : "memory");                                                                                       \
  } while (0)

/* Multiplier 1: channels [c0, c0 + lanes) of one pixel (lanes 16 or 8), accumulators of the even and odd channels
   of each eight. `three`: the window is a whole 3 × 3 one, unrolled. */
TE_MVE_INLINE void te_dw_m1(const te_dw_layer *L, int right, int three, te_dw_window win, int32_t lanes, int32_t c0, int8_t *y) {
  const uint32x4_t at = vidupq_n_u32(0, 2);
  const int32_t off = L->input_offset;
  const int32_t row_step = L->row_step, col_step = L->col_step, out_c = L->out_c;
  const int8_t *xr = win.x + c0, *wp = L->w + win.tap0 * out_c + c0;
  int32x4_t e0 = te_dw_bias(L, c0, at), o0 = te_dw_bias(L, c0 + 1, at), e1 = e0, o1 = o0;
  int32_t ky, kx;
  if (lanes == 16) {
    e1 = te_dw_bias(L, c0 + 8, at);
    o1 = te_dw_bias(L, c0 + 9, at);
  }
  if (three) {
    for (ky = 0; ky < 3; ky++, xr += row_step) {
      TE_DW_TAP(xr, wp);
      TE_DW_TAP(xr + col_step, wp + out_c);
      TE_DW_TAP(xr + 2 * col_step, wp + 2 * out_c);
      wp += 3 * out_c;
    }
  } else {
    const int32_t skip = (L->kw - win.cols) * out_c;
    for (ky = 0; ky < win.rows; ky++, xr += row_step, wp += skip) {
      const int8_t *xp = xr;
      for (kx = 0; kx < win.cols; kx++, xp += col_step, wp += out_c) TE_DW_TAP(xp, wp);
    }
  }
  te_dw_store(L, right, e0, c0, at, y);
  te_dw_store(L, right, o0, c0 + 1, at, y);
  if (lanes == 16) {
    te_dw_store(L, right, e1, c0 + 8, at, y);
    te_dw_store(L, right, o1, c0 + 9, at, y);
  }
}

/* Multiplier a multiple of four: output channels [c0, c0 + 4·groups) (groups 1 or 2, each four channels of one
   input channel), VMLA by the input channel's scalar; `three`: the window is a whole 3 × 3 one, unrolled; `eight`:
   the multiplier is 8 (the two groups share their input). */
TE_MVE_INLINE void te_dw_m4(const te_dw_layer *L, int right, int three, int eight, te_dw_window win, int32_t groups, int32_t c0,
                            int8_t *y) {
  const uint32x4_t at = vidupq_n_u32(0, 1);
  const int32_t off = L->input_offset, row_step = L->row_step, col_step = L->col_step, wrow = L->kw * L->out_c, out_c = L->out_c;
  const int32_t M = eight ? 8 : L->multiplier, ci0 = c0 / M, ci1 = (c0 + 4) / M;
  const int8_t *xr = win.x, *wr = L->w + win.tap0 * out_c + c0;
  int32x4_t a0 = te_dw_bias(L, c0, at), a1 = a0;
  int32_t ky, kx;
  if (groups == 2) a1 = te_dw_bias(L, c0 + 4, at);
#define TE_DW_TAP_M4(xp, wp)                                                            \
  do {                                                                                  \
    const int32_t s0_ = (xp)[ci0] + off;                                                \
    a0 = vmlaq_n_s32(a0, vldrbq_s32(wp), s0_);                                          \
    if (groups == 2) a1 = vmlaq_n_s32(a1, vldrbq_s32((wp) + 4), M % 8 == 0 ? s0_ : (xp)[ci1] + off); \
    __asm__("" : "+w"(a0), "+w"(a1) : : "memory"); /* in order, as TE_DW_TAP8_ASM */               \
  } while (0)
  if (three) {
    for (ky = 0; ky < 3; ky++, xr += row_step, wr += wrow) {
      TE_DW_TAP_M4(xr, wr);
      TE_DW_TAP_M4(xr + col_step, wr + out_c);
      TE_DW_TAP_M4(xr + 2 * col_step, wr + 2 * out_c);
    }
  } else {
    for (ky = 0; ky < win.rows; ky++, xr += row_step, wr += wrow)
      for (kx = 0; kx < win.cols; kx++) TE_DW_TAP_M4(xr + kx * col_step, wr + kx * out_c);
  }
#undef TE_DW_TAP_M4
  te_dw_store(L, right, a0, c0, at, y);
  if (groups == 2) te_dw_store(L, right, a1, c0 + 4, at, y);
}

/* Other multipliers: output channels [c0, c0 + 4), each lane gathering its input channel (c0 + j) / M. */
TE_MVE_INLINE void te_dw_gather(const te_dw_layer *L, int right, te_dw_window win, int32_t c0, int8_t *y) {
  const uint32x4_t at = vidupq_n_u32(0, 1);
  const int32_t M = L->multiplier, off = L->input_offset, row_step = L->row_step, col_step = L->col_step;
  const int32_t wrow = L->kw * L->out_c, out_c = L->out_c;
  const uint32x4_t from = vreinterpretq_u32_s32(te_mve_lanes(c0 / M, (c0 + 1) / M, (c0 + 2) / M, (c0 + 3) / M));
  const int8_t *xr = win.x, *wr = L->w + win.tap0 * out_c + c0;
  int32x4_t a = te_dw_bias(L, c0, at);
  int32_t ky, kx;
  for (ky = 0; ky < win.rows; ky++, xr += row_step, wr += wrow) {
    for (kx = 0; kx < win.cols; kx++) {
      const int32x4_t xv = vaddq_n_s32(vldrbq_gather_offset_s32(xr + kx * col_step, from), off);
      a = vaddq_s32(a, vmulq_s32(xv, vldrbq_s32(wr + kx * out_c)));
    }
  }
  te_dw_store(L, right, a, c0, at, y);
}

/* Every channel of one pixel; `three`: the window is a whole 3 × 3 one (a constant where inlined), unrolled. */
TE_MVE_INLINE void te_dw_pixel(const te_dw_layer *L, int right, int three, te_dw_window win, const int8_t *x, const te_window *g,
                               const te_mac_params *p, int32_t n, int32_t oy, int32_t ox, int8_t *y) {
  const int32_t out_c = L->out_c, M = L->multiplier;
  int32_t c0 = 0;
  if (M == 1) {
    for (; c0 + 16 <= out_c; c0 += 16) te_dw_m1(L, right, three, win, 16, c0, y);
    if (c0 + 8 <= out_c) te_dw_m1(L, right, three, win, 8, c0, y), c0 += 8;
  } else if (M == 8) {
    for (; c0 + 8 <= out_c; c0 += 8) te_dw_m4(L, right, three, 1, win, 2, c0, y);
  } else if (M % 4 == 0) {
    for (; c0 + 8 <= out_c; c0 += 8) te_dw_m4(L, right, three, 0, win, 2, c0, y);
    if (c0 + 4 <= out_c) te_dw_m4(L, right, three, 0, win, 1, c0, y), c0 += 4;
  } else {
    for (; c0 + 4 <= out_c; c0 += 4) te_dw_gather(L, right, win, c0, y);
  }
  if (c0 < out_c) te_depthwise_channels(x, L->w, L->bias, g, M, p, n, oy, ox, c0, out_c, y);
}

/* A pixel whose window may cross the input's left or right edge, rows [ky0, ky0 + rows) inside, `xr` the input
   row of tap row ky0 (column 0). Out of line: few pixels take it. */
#define TE_DW_EDGE_PIXEL(name, right)                                                                            \
  static void name(const te_dw_layer *layer, const int8_t *xr, int32_t ky0, int32_t rows, const int8_t *x,        \
                   const te_window *g, const te_mac_params *p, int32_t n, int32_t oy, int32_t ox, int8_t *y) {    \
    const te_dw_layer L = *layer; /* a local copy: stores through y cannot change it */                          \
    const int32_t ix = ox * g->stride_w - g->pad_left, kx0 = te_dw_first(ix, g->dilation_w);                     \
    const int32_t kx1 = te_dw_end(ix, g->dilation_w, g->w, g->kw);                                               \
    te_dw_window win;                                                                                            \
    if (kx1 <= kx0) {                                                                                            \
      te_depthwise_channels(x, L.w, L.bias, g, L.multiplier, p, n, oy, ox, 0, L.out_c, y);                       \
      return;                                                                                                    \
    }                                                                                                            \
    win.x = xr + (ix + kx0 * g->dilation_w) * g->c;                                                              \
    win.tap0 = ky0 * g->kw + kx0;                                                                                \
    win.rows = rows;                                                                                             \
    win.cols = kx1 - kx0;                                                                                        \
    te_dw_pixel(&L, right, 0, win, x, g, p, n, oy, ox, y);                                                       \
  }

/* First tap index inside [0, size) of a window starting at `at` with taps `step` apart, and one past the last. */
static inline int32_t te_dw_first(int32_t at, int32_t step) {
  return at >= 0 ? 0 : (step - 1 - at) / step;
}
static inline int32_t te_dw_end(int32_t at, int32_t step, int32_t size, int32_t taps) {
  const int32_t end = at >= size ? 0 : (size - at + step - 1) / step;
  return end < taps ? end : taps;
}

TE_DW_EDGE_PIXEL(te_dw_edge_right, 1)
TE_DW_EDGE_PIXEL(te_dw_edge_any, 0)

/* Every output pixel in raster order: per row, the left edge, the pixels whose window spans whole input rows
   (unrolled for full 3 × 3 windows), the right edge. */
TE_MVE_INLINE void te_dw_layer_pixels(const te_dw_layer *L, int right, int three, const int8_t *x, const te_window *g,
                                      const te_mac_params *p, int8_t *y) {
  const int32_t n_ = g->n, h = g->h, w = g->w, c = g->c, oh = g->oh, ow = g->ow, kh = g->kh, kw = g->kw;
  const int32_t sh = g->stride_h, sw = g->stride_w, dh = g->dilation_h, dw = g->dilation_w, pt = g->pad_top, pl = g->pad_left;
  const int32_t out_c = L->out_c, last = w - 1 - (kw - 1) * dw + pl; /* ox · sw ≤ last: the window ends inside */
  int32_t in0 = pl <= 0 ? 0 : (pl + sw - 1) / sw, in1 = last < 0 ? 0 : last / sw + 1; /* [in0, in1): whole rows */
  int32_t i, oy, ox;
  if (in0 > ow) in0 = ow;
  if (in1 > ow) in1 = ow;
  if (in1 < in0) in1 = in0;
  for (i = 0; i < n_; i++) {
    for (oy = 0; oy < oh; oy++) {
      const int32_t iy = oy * sh - pt, ky0 = te_dw_first(iy, dh), rows = te_dw_end(iy, dh, h, kh) - ky0;
      const int8_t *xr = x + (i * h + iy + ky0 * dh) * w * c;
      int8_t *yr = y + (i * oh + oy) * ow * out_c;
      te_dw_window win;
      if (rows <= 0) {
        for (ox = 0; ox < ow; ox++) te_depthwise_channels(x, L->w, L->bias, g, L->multiplier, p, i, oy, ox, 0, out_c, yr + ox * out_c);
        continue;
      }
      for (ox = 0; ox < in0; ox++) (right ? te_dw_edge_right : te_dw_edge_any)(L, xr, ky0, rows, x, g, p, i, oy, ox, yr + ox * out_c);
      win.x = xr + (in0 * sw - pl) * c;
      win.tap0 = ky0 * kw;
      win.rows = rows;
      win.cols = kw;
      if (three && rows == 3) {
        for (ox = in0; ox < in1; ox++, win.x += sw * c) te_dw_pixel(L, right, 1, win, x, g, p, i, oy, ox, yr + ox * out_c);
      } else {
        for (ox = in0; ox < in1; ox++, win.x += sw * c) te_dw_pixel(L, right, 0, win, x, g, p, i, oy, ox, yr + ox * out_c);
      }
      for (ox = in1; ox < ow; ox++) (right ? te_dw_edge_right : te_dw_edge_any)(L, xr, ky0, rows, x, g, p, i, oy, ox, yr + ox * out_c);
    }
  }
}

/* The ring of rows (te_dw3_rows_fit): its own frame, for the ring and the constants' table on the stack. Layers
   of right shifts only with more channels than the table holds gather their constants (the any-shift path). */
static void te_dw3_ring(const te_dw_layer *L, int right, const int8_t *x, const te_window *g, int8_t *y) {
  int8_t ring[TE_DW3_RING_BYTES];
  int32_t k[3 * TE_DW3_TABLE_C];
  const int s2 = g->stride_w == 2, table = right && L->out_c <= TE_DW3_TABLE_C;
  if (table) te_dw3_ring_table(L, k);
  if (table && s2) te_dw3_ring_layer(L, 1, 1, x, g, ring, k, y);
  else if (table) te_dw3_ring_layer(L, 1, 0, x, g, ring, k, y);
  else if (s2) te_dw3_ring_layer(L, 0, 1, x, g, ring, 0, y);
  else te_dw3_ring_layer(L, 0, 0, x, g, ring, 0, y);
}

void te_depthwise_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g, int32_t multiplier,
                            const te_mac_params *p, int8_t *y) {
  te_dw_layer L;
  const int right = te_right_shifts_only(p->shifts, g->c * multiplier);
  const int three = g->kh == 3 && g->kw == 3;
  L.w = w;
  L.bias = bias;
  L.m = p->multipliers;
  L.shift = p->shifts;
  L.out_c = g->c * multiplier;
  L.multiplier = multiplier;
  L.input_offset = p->input_offset;
  L.output_offset = p->output_offset;
  L.row_step = g->dilation_h * g->w * g->c;
  L.col_step = g->dilation_w * g->c;
  L.kw = g->kw;
  L.lo = vdupq_n_s32(p->act_min);
  L.hi = vdupq_n_s32(p->act_max);
  if (te_dw3_folds(g->kh, g->kw, multiplier, g->c) && te_dw3_rows_fit(g)) te_dw3_ring(&L, right, x, g, y);
  else if (te_dw3_folds(g->kh, g->kw, multiplier, g->c)) {
    if (right) te_dw3_layer_pixels(&L, 1, x, g, y);
    else te_dw3_layer_pixels(&L, 0, x, g, y);
  } else if (right && three) te_dw_layer_pixels(&L, 1, 1, x, g, p, y);
  else if (right) te_dw_layer_pixels(&L, 1, 0, x, g, p, y);
  else if (three) te_dw_layer_pixels(&L, 0, 1, x, g, p, y);
  else te_dw_layer_pixels(&L, 0, 0, x, g, p, y);
}
