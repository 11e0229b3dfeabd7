/*
 * Cortex-M55 Helium (MVE) int8 depthwise convolution, one output pixel at a time in raster order, every channel block
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
#include <arm_mve.h>
#include "tinyedge/kernels.h"
#include "../internal/mve_requantize.h"
#include "../internal/depthwise.h"

/* The layer's constants as locals: stores through int8_t * may alias anything reached through a pointer, so
   fields read through g or p would be reloaded after every store. Passed by value to the inlined steps. */
typedef struct {
  const int8_t *w;
  const int32_t *bias, *m, *shift;
  int32_t out_c, multiplier, input_offset, output_offset;
  int32_t row_step, col_step; /* input bytes between taps down and across */
  int32_t kw;
  int32x4_t lo, hi;
} te_dw_layer;

/* Taps [ky0, ky0 + rows) × [kx0, kx0 + cols) of a pixel's window are inside the input. */
typedef struct {
  const int8_t *x; /* input at tap (ky0, kx0), channel 0 */
  int32_t tap0;    /* ky0 · kw + kx0 */
  int32_t rows, cols;
} te_dw_window;

/* Bias of four lanes (zero without bias). */
TE_MVE_INLINE int32x4_t te_dw_bias(const te_dw_layer *L, int32_t c, uint32x4_t at) {
  return L->bias ? vldrwq_gather_shifted_offset_s32(L->bias + c, at) : vdupq_n_s32(0);
}

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
/* x · w (int16 lanes) into the even and odd channels' int32 accumulators E and O. */
#define TE_DW_MAC8_ASM(E, O)                                                               \
  "vmullb.s16 %q[t], %q[x], %q[w]\n\t"                                                    \
  "vadd.i32 %q[" E "], %q[" E "], %q[t]\n\t"                                              \
  "vmullt.s16 %q[t], %q[x], %q[w]\n\t"                                                    \
  "vadd.i32 %q[" O "], %q[" O "], %q[t]\n\t"

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

/* ---- 3 × 3, multiplier 1 (te_dw3_folds): filter as DepthwiseLayout 'c8-fold3x3', per group of eight channels (the
   last zero-padded) the nine taps' eight weights, [C/8][9][8]; the bias folded, bias + input_offset · Σw. Padded
   taps read a pixel of zero points, which adds zp · w and the fold cancels it, so a tap is x · w alone and every
   window unrolls whole. ---- */

/* Largest channel count of the 3 × 3 multiplier-1 path: its pixel of zero points is on the stack. */
#define TE_DW3_MAX_C 512

/* Whether a layer takes the 3 × 3 multiplier-1 path, whose filter and bias the compiler lays out as 'c8-fold3x3'
   (compiler/backends/c/kernel-table.ts depthwiseBiasFolded: the same test). */
static inline int te_dw3_folds(int32_t kh, int32_t kw, int32_t multiplier, int32_t c) {
  return kh == 3 && kw == 3 && multiplier == 1 && c <= TE_DW3_MAX_C;
}

/* The requantization constants of channels [c, c + 8) in the even/odd lane order of the accumulators. */
typedef struct {
  int32x4_t me, mo, se, so;
} te_dw_consts8;

TE_MVE_INLINE te_dw_consts8 te_dw_consts(const te_dw_layer *L, int32_t c) {
  const uint32x4_t at = vidupq_n_u32(0, 2);
  te_dw_consts8 k;
  k.me = vldrwq_gather_shifted_offset_s32(L->m + c, at);
  k.mo = vldrwq_gather_shifted_offset_s32(L->m + c + 1, at);
  k.se = vldrwq_gather_shifted_offset_s32(L->shift + c, at);
  k.so = vldrwq_gather_shifted_offset_s32(L->shift + c + 1, at);
  return k;
}

/* Eight channels from the accumulators of the even (e) and odd (o) ones: VMOVNT interleaves them back into channel
   order, so one narrowing store writes all eight. */
TE_MVE_INLINE void te_dw_store8(const te_dw_layer *L, int right, const te_dw_consts8 *k, int32x4_t e, int32x4_t o, int8_t *y) {
  const int32x4_t re = right ? te_mve_requantize_right(e, k->me, k->se, L->output_offset, L->lo, L->hi)
                             : te_mve_requantize_lanes(e, k->me, k->se, L->output_offset, L->lo, L->hi);
  const int32x4_t ro = right ? te_mve_requantize_right(o, k->mo, k->so, L->output_offset, L->lo, L->hi)
                             : te_mve_requantize_lanes(o, k->mo, k->so, L->output_offset, L->lo, L->hi);
  vstrbq_s16(y, vmovntq_s32(vreinterpretq_s16_s32(re), ro));
}

/* Tap T of one pixel: eight channels at tap[T] + c0 times the group's weights at wa + 8T, and with `lanes` 16 the
   next eight times the next group's (wb). */
#define TE_DW3_TAP(T, WOFF)                                                                                      \
  do {                                                                                                           \
    int16x8_t x_, w_;                                                                                            \
    int32x4_t t_;                                                                                                \
    const int8_t *xa_ = tap[T] + c0;                                                                             \
    if (lanes == 16)                                                                                             \
      __asm__("vldrb.s16 %q[x], [%[xa]]\n\tvldrb.s16 %q[w], [%[wa], #" WOFF "]\n\t" TE_DW_MAC8_ASM("e0", "o0")     \
              "vldrb.s16 %q[x], [%[xa], #8]\n\tvldrb.s16 %q[w], [%[wb], #" WOFF "]\n\t" TE_DW_MAC8_ASM("e1", "o1")  \
              : [e0] "+w"(e0), [o0] "+w"(o0), [e1] "+w"(e1), [o1] "+w"(o1), [x] "=&w"(x_), [w] "=&w"(w_), [t] "=&w"(t_) \
              : [xa] "l"(xa_), [wa] "l"(wa), [wb] "l"(wa + 72)                                                    \
              : "memory");                                                                                       \
    else                                                                                                         \
      __asm__("vldrb.s16 %q[x], [%[xa]]\n\tvldrb.s16 %q[w], [%[wa], #" WOFF "]\n\t" TE_DW_MAC8_ASM("e0", "o0")     \
              : [e0] "+w"(e0), [o0] "+w"(o0), [x] "=&w"(x_), [w] "=&w"(w_), [t] "=&w"(t_)                          \
              : [xa] "l"(xa_), [wa] "l"(wa)                                                                       \
              : "memory");                                                                                       \
  } while (0)

/* Channels [c0, c0 + lanes) (16 or 8) of one pixel whose tap t reads the input pixel tap[t] (channel 0). */
TE_MVE_INLINE void te_dw3_block(const te_dw_layer *L, int right, const int8_t *const *tap, int32_t lanes, int32_t c0, int8_t *y) {
  const uint32x4_t at = vidupq_n_u32(0, 2);
  const int8_t *wa = L->w + 9 * c0; /* group c0 / 8 */
  int32x4_t e0 = te_dw_bias(L, c0, at), o0 = te_dw_bias(L, c0 + 1, at), e1 = e0, o1 = o0;
  te_dw_consts8 k;
  if (lanes == 16) {
    e1 = te_dw_bias(L, c0 + 8, at);
    o1 = te_dw_bias(L, c0 + 9, at);
  }
  TE_DW3_TAP(0, "0");
  TE_DW3_TAP(1, "8");
  TE_DW3_TAP(2, "16");
  TE_DW3_TAP(3, "24");
  TE_DW3_TAP(4, "32");
  TE_DW3_TAP(5, "40");
  TE_DW3_TAP(6, "48");
  TE_DW3_TAP(7, "56");
  TE_DW3_TAP(8, "64");
  k = te_dw_consts(L, c0);
  te_dw_store8(L, right, &k, e0, o0, y + c0);
  if (lanes == 16) {
    k = te_dw_consts(L, c0 + 8);
    te_dw_store8(L, right, &k, e1, o1, y + c0 + 8);
  }
}

/* One row of taps (weights at wa) for two pixels whose tap rows start at a and b, `step` bytes between taps: the
   pixels share each weight load. */
#define TE_DW3_PAIR_TAP(WOFF)                                                                                    \
  "vldrb.s16 %q[w], [%[wa], #" WOFF "]\n\t"                                                                     \
  "vldrb.s16 %q[x], [%[a]]\n\t" TE_DW_MAC8_ASM("e0", "o0")                                                        \
  "vldrb.s16 %q[x], [%[b]]\n\t" TE_DW_MAC8_ASM("e1", "o1")
#define TE_DW3_NEXT_COLUMN "add %[a], %[a], %[step]\n\tadd %[b], %[b], %[step]\n\t"

/* Channels [c0, c0 + 8) of two pixels whose windows lie inside the input: rows start at a (the first pixel's top
   left tap, channel 0) and b (the second's), `row_step` bytes apart. */
TE_MVE_INLINE void te_dw3_pair(const te_dw_layer *L, int right, const int8_t *a0, const int8_t *b0, int32_t c0, int8_t *y0, int8_t *y1) {
  const uint32x4_t at = vidupq_n_u32(0, 2);
  const int32_t step = L->col_step, row_step = L->row_step;
  const int8_t *wa = L->w + 9 * c0;
  int32x4_t e0 = te_dw_bias(L, c0, at), o0 = te_dw_bias(L, c0 + 1, at), e1 = e0, o1 = o0;
  te_dw_consts8 k;
  int32_t ky;
  for (ky = 0; ky < 3; ky++, wa += 24) {
    const int8_t *a = a0 + ky * row_step + c0, *b = b0 + ky * row_step + c0;
    int16x8_t x_, w_;
    int32x4_t t_;
    __asm__(TE_DW3_PAIR_TAP("0") TE_DW3_NEXT_COLUMN TE_DW3_PAIR_TAP("8") TE_DW3_NEXT_COLUMN TE_DW3_PAIR_TAP("16")
            : [e0] "+w"(e0), [o0] "+w"(o0), [e1] "+w"(e1), [o1] "+w"(o1), [x] "=&w"(x_), [w] "=&w"(w_), [t] "=&w"(t_),
              [a] "+l"(a), [b] "+l"(b)
            : [wa] "l"(wa), [step] "r"(step)
            : "memory");
  }
  k = te_dw_consts(L, c0);
  te_dw_store8(L, right, &k, e0, o0, y0 + c0);
  te_dw_store8(L, right, &k, e1, o1, y1 + c0);
}

/* The last `r` < 8 channels from c0, as te_dw3_block with lanes predicated off past the layer's channels (which
   predicated loads do not read). Out of line: one call per pixel at most. */
static void te_dw3_tail(const te_dw_layer *L, const int8_t *const *tap, int32_t c0, int32_t r, int8_t *y) {
  const mve_pred16_t p16 = vctp16q((uint32_t)r), pe = vctp32q((uint32_t)(r + 1) / 2), po = vctp32q((uint32_t)r / 2);
  const uint32x4_t at = vidupq_n_u32(0, 2);
  const int8_t *wp = L->w + 9 * c0;
  int32x4_t e = vldrwq_gather_shifted_offset_z_s32(L->bias + c0, at, pe), o = vldrwq_gather_shifted_offset_z_s32(L->bias + c0 + 1, at, po);
  int32x4_t me, mo, se, so;
  int32_t t;
  for (t = 0; t < 9; t++, wp += 8) {
    const int16x8_t x = vldrbq_z_s16(tap[t] + c0, p16), w = vldrbq_s16(wp);
    e = vaddq_s32(e, vmullbq_int_s16(x, w));
    o = vaddq_s32(o, vmulltq_int_s16(x, w));
  }
  me = vldrwq_gather_shifted_offset_z_s32(L->m + c0, at, pe);
  se = vldrwq_gather_shifted_offset_z_s32(L->shift + c0, at, pe);
  mo = vldrwq_gather_shifted_offset_z_s32(L->m + c0 + 1, at, po);
  so = vldrwq_gather_shifted_offset_z_s32(L->shift + c0 + 1, at, po);
  e = te_mve_requantize_lanes(e, me, se, L->output_offset, L->lo, L->hi);
  o = te_mve_requantize_lanes(o, mo, so, L->output_offset, L->lo, L->hi);
  vstrbq_p_s16(y + c0, vmovntq_s32(vreinterpretq_s16_s32(e), o), p16);
}

/* One pixel, its taps reading tap[] (a padded one the pixel of zero points). */
TE_MVE_INLINE void te_dw3_pixel(const te_dw_layer *L, int right, const int8_t *const *tap, int32_t c, int8_t *y) {
  int32_t c0;
  for (c0 = 0; c0 + 16 <= c; c0 += 16) te_dw3_block(L, right, tap, 16, c0, y);
  if (c0 + 8 <= c) te_dw3_block(L, right, tap, 8, c0, y), c0 += 8;
  if (c0 < c) te_dw3_tail(L, tap, c0, c - c0, y);
}

/* Every output pixel in raster order, each pixel's channels before the next pixel's, or, when the channels are a
   multiple of eight, two pixels whose windows lie inside the input together (tiles of two: kernels.h's contract). */
TE_MVE_INLINE void te_dw3_layer_pixels(const te_dw_layer *L, int right, const int8_t *x, const te_window *g, int8_t *y) {
  const int32_t h = g->h, w = g->w, c = g->c, oh = g->oh, ow = g->ow, sw = g->stride_w, dh = g->dilation_h, dw = g->dilation_w;
  const int pairs = c % 8 == 0;
  int8_t zp[TE_DW3_MAX_C];
  const int8_t *tap[9];
  int32_t i, oy, ox, ky, kx, j, c0;
  for (j = 0; j < c; j++) zp[j] = (int8_t)-L->input_offset;
  for (i = 0; i < g->n; i++) {
    for (oy = 0; oy < oh; oy++) {
      const int32_t iy0 = oy * g->stride_h - g->pad_top;
      const int rows_inside = iy0 >= 0 && iy0 + 2 * dh < h;
      int8_t *yr = y + (i * oh + oy) * ow * c;
      for (ox = 0; ox < ow; ox++, yr += c) {
        const int32_t ix0 = ox * sw - g->pad_left;
        if (pairs && rows_inside && ox + 1 < ow && ix0 >= 0 && ix0 + sw + 2 * dw < w) {
          const int8_t *a = x + ((i * h + iy0) * w + ix0) * c;
          for (c0 = 0; c0 < c; c0 += 8) te_dw3_pair(L, right, a, a + sw * c, c0, yr, yr + c);
          ox++, yr += c;
          continue;
        }
        for (ky = 0; ky < 3; ky++) {
          const int32_t iy = iy0 + ky * dh;
          for (kx = 0; kx < 3; kx++) {
            const int32_t ix = ix0 + kx * dw;
            tap[3 * ky + kx] = iy >= 0 && iy < h && ix >= 0 && ix < w ? x + ((i * h + iy) * w + ix) * c : zp;
          }
        }
        te_dw3_pixel(L, right, tap, c, yr);
      }
    }
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

void te_depthwise_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g, int32_t multiplier,
                            const te_mac_params *p, int8_t *y) {
  te_dw_layer L;
  const int right = te_mve_all_right_shifts(p->shifts, g->c * multiplier);
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
  if (te_dw3_folds(g->kh, g->kw, multiplier, g->c)) {
    if (right) te_dw3_layer_pixels(&L, 1, x, g, y);
    else te_dw3_layer_pixels(&L, 0, x, g, y);
  } else if (right && three) te_dw_layer_pixels(&L, 1, 1, x, g, p, y);
  else if (right) te_dw_layer_pixels(&L, 1, 0, x, g, p, y);
  else if (three) te_dw_layer_pixels(&L, 0, 1, x, g, p, y);
  else te_dw_layer_pixels(&L, 0, 0, x, g, p, y);
}
