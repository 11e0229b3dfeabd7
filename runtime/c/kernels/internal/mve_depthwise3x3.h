/*
 * tinyedge: the Helium (MVE) depthwise 3 × 3 multiplier-1 path of kernels/arm-mve/depthwise_conv2d.c, and the layer
 * constants both share. The filter is DepthwiseLayout 'c8-fold3x3': per group of eight channels (the last
 * zero-padded) the nine taps' eight weights, [C/8][9][8]; the bias is folded, bias + input_offset · Σw. Padded taps
 * read a pixel of zero points, which adds zp · w and the fold cancels it, so a tap is x · w alone (no offset add) and
 * every window unrolls whole. VLDRB.S16 widens eight channels of input and filter, VMULLB/VMULLT give the even and
 * odd channels' int32 products; two pixels whose windows lie inside the input share each weight load and the
 * requantization constants (tiles of two pixels, kernels.h's in-place contract), VMOVNT puts even and odd back in
 * channel order for one narrowing store.
 */
#ifndef TINYEDGE_MVE_DEPTHWISE3X3_H
#define TINYEDGE_MVE_DEPTHWISE3X3_H

#include <arm_mve.h>
#include "tinyedge/kernels.h"
#include "mve_requantize.h"

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

/* Bias of four lanes (zero without bias). */
TE_MVE_INLINE int32x4_t te_dw_bias(const te_dw_layer *L, int32_t c, uint32x4_t at) {
  return L->bias ? vldrwq_gather_shifted_offset_s32(L->bias + c, at) : vdupq_n_s32(0);
}

/* x · w (int16 lanes) into the even and odd channels' int32 accumulators E and O. */
#define TE_DW_MAC8_ASM(E, O)                                                               \
  "vmullb.s16 %q[t], %q[x], %q[w]\n\t"                                                    \
  "vadd.i32 %q[" E "], %q[" E "], %q[t]\n\t"                                              \
  "vmullt.s16 %q[t], %q[x], %q[w]\n\t"                                                    \
  "vadd.i32 %q[" O "], %q[" O "], %q[t]\n\t"

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

#endif
