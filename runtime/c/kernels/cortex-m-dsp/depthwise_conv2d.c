/*
 * Cortex-M4/M7 (Armv7E-M DSP) int8 depthwise convolution, filter 'c4-int16' (kernel-table.ts): per group of four
 * output channels and per tap, the int16 pairs (w0, w2) and (w1, w3) that SXTB16 makes of four int8 inputs, so a
 * tap is one LDRD of weights, one LDR of x unpacked with the input offset by two SXTAB16, and four SMLAxy. Padded
 * taps are skipped: each output pixel first clips its window to the input (a rectangle of taps), and a 3×3 window
 * that needs no clipping runs unrolled. Depth multiplier 1 reads four input channels per group; multipliers that
 * are a multiple of four read one input channel for the whole group. Other multipliers and the last out_c % 4
 * channels take scalar arithmetic on the same filter.
 */
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/armv7em_dsp.h"

/* One tap for four channels: x word at xp, weight words (w0, w2), (w1, w3) at wp. */
#define TE_TAP4(xv)                                                  \
  do {                                                               \
    const int32_t xe = te_sxtab16(off2, (xv)), xo = te_sxtab16_ror8(off2, (xv)); \
    int32_t we, wo;                                                  \
    TE_LDRD_POST(we, wo, wp);                                        \
    a0 = __smlabb(xe, we, a0);                                       \
    a2 = __smlatt(xe, we, a2);                                       \
    a1 = __smlabb(xo, wo, a1);                                       \
    a3 = __smlatt(xo, wo, a3);                                       \
  } while (0)

/* One tap for a group reading one input channel (multiplier a multiple of four): xs = x + offset. */
#define TE_TAP1(xs)                                                  \
  do {                                                               \
    int32_t we, wo;                                                  \
    TE_LDRD_POST(we, wo, wp);                                        \
    a0 = __smlabb(we, (xs), a0);                                     \
    a2 = __smlatb(we, (xs), a2);                                     \
    a1 = __smlabb(wo, (xs), a1);                                     \
    a3 = __smlatb(wo, (xs), a3);                                     \
  } while (0)

/* A row of an unclipped 3×3 window as asm (gcc spills the C form): per tap one LDR (LDRSB) of x at xp, xp + xs or
   xp + 2·xs, one LDRD of weights, the x + offset unpack, four SMLAxy. Twelve registers, which gcc finds on M4 and M7. */
#define TE_X4(addr)                            \
  "ldr %[xv], " addr "\n\t"                    \
  "ldrd %[we], %[wo], [%[wp]], #8\n\t"         \
  "sxtab16 %[xe], %[off], %[xv]\n\t"           \
  "sxtab16 %[xv], %[off], %[xv], ror #8\n\t"   \
  "smlabb %[a0], %[xe], %[we], %[a0]\n\t"      \
  "smlatt %[a2], %[xe], %[we], %[a2]\n\t"      \
  "smlabb %[a1], %[xv], %[wo], %[a1]\n\t"      \
  "smlatt %[a3], %[xv], %[wo], %[a3]\n\t"

/* The same for a group reading one input channel (the low halfword of x + off2 is x + offset). */
#define TE_X1(addr)                            \
  "ldrsb %[xv], " addr "\n\t"                  \
  "ldrd %[we], %[wo], [%[wp]], #8\n\t"         \
  "add %[xv], %[xv], %[off]\n\t"               \
  "smlabb %[a0], %[we], %[xv], %[a0]\n\t"      \
  "smlatb %[a2], %[we], %[xv], %[a2]\n\t"      \
  "smlabb %[a1], %[wo], %[xv], %[a1]\n\t"      \
  "smlatb %[a3], %[wo], %[xv], %[a3]\n\t"

#define TE_ROW3(TAP)                                                                                            \
  __asm__(TAP("[%[xp]]") TAP("[%[xp], %[xs]]") "add %[xv], %[xp], %[xs]\n\t" TAP("[%[xv], %[xs]]")                \
          : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [wp] "+r"(wp), [xv] "=&r"(xv),           \
            [xe] "=&r"(xe), [we] "=&r"(we), [wo] "=&r"(wo)                                                      \
          : [xp] "r"(xp), [off] "r"(off2), [xs] "r"(xstep)                                                      \
          : "memory")

/* The three rows of an unclipped 3×3 window. */
#define TE_3X3(TAP)    \
  do {                 \
    TE_ROW3(TAP);      \
    xp += ystep;       \
    TE_ROW3(TAP);      \
    xp += ystep;       \
    TE_ROW3(TAP);      \
  } while (0)

/* The int16 weight of output channel o at tap t in the c4-int16 layout. */
static inline int32_t te_weight(const int8_t *w, int32_t taps, int32_t o, int32_t t) {
  const int16_t *h = (const int16_t *)(const void *)w;
  const int32_t j = o & 3;
  return h[((o >> 2) * taps + t) * 4 + (j & 1) * 2 + (j >> 1)];
}

/* Window of one output pixel clipped to the input: taps [ky0, ky1) × [kx0, kx1), input row and column of (0, 0). */
typedef struct {
  int32_t ky0, ky1, kx0, kx1, iy, ix;
} te_clip;

static inline int32_t te_first_tap(int32_t i0, int32_t d) {
  return i0 >= 0 ? 0 : (-i0 + d - 1) / d;
}

static inline int32_t te_end_tap(int32_t i0, int32_t d, int32_t k, int32_t n) {
  if (i0 + (k - 1) * d < n) return k;
  return i0 >= n ? 0 : (n - 1 - i0) / d + 1;
}

/* Constants of a layer, computed once. */
typedef struct {
  int32_t xstep, ystep, off2, clamp;
  uint32_t lo4, hi4;
} te_dw_consts;

#ifdef __OPTIMIZE__ /* -O0 keeps r7 for the frame: too few registers left for the asm */
/* Every group of an unclipped 3×3 pixel with bias and 'smmul' constants: weights follow each other group by group,
   so one pointer walks them, and bias, constants and y advance with it. */
static void te_dw3x3_pixel(const int8_t *x0, const int32_t *wp, const int32_t *bias, const int32_t *mr, int32_t multiplier,
                           int32_t groups, const te_dw_consts *k, int32_t output_offset, int8_t *y) {
  const int32_t xstep = k->xstep, ystep = k->ystep, off2 = k->off2;
  int32_t o;
  for (o = 0; o < 4 * groups; o += 4) {
    const int8_t *xp = x0 + (multiplier == 1 ? o : o / multiplier);
    int32_t a0, a1, a2, a3, xv, xe, we, wo;
    TE_LDRD_POST(a0, a1, bias);
    TE_LDRD_POST(a2, a3, bias);
    if (multiplier == 1) TE_3X3(TE_X4);
    else TE_3X3(TE_X1);
    te_smmul_requantize4(a0, a1, a2, a3, mr, output_offset, k->clamp, k->lo4, k->hi4, y);
    mr += 8;
    y += 4;
  }
}
#endif

void te_depthwise_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g,
                            int32_t multiplier, const te_mac_params *p, int8_t *y) {
  const int32_t c = g->c, out_c = c * multiplier, taps = g->kh * g->kw;
  const int32_t vector_c = multiplier == 1 || multiplier % 4 == 0 ? out_c & ~3 : 0;
  const int32_t xstep = g->dilation_w * c, ystep = g->dilation_h * g->w * c;
  const int32_t off2 = (int32_t)(((uint32_t)(uint16_t)p->input_offset << 16) | (uint16_t)p->input_offset);
  const uint32_t lo4 = te_splat4_s8(p->act_min), hi4 = te_splat4_s8(p->act_max);
  const te_dw_consts consts = {xstep, ystep, off2, p->act_min > -128 || p->act_max < 127, lo4, hi4};
  const int fast = bias && !p->shifts && g->kh == 3 && g->kw == 3;
  int32_t n, oy, ox, o, j;
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++) {
      for (ox = 0; ox < g->ow; ox++) {
        te_clip k;
        const int8_t *x0;
        int32_t full;
        k.iy = oy * g->stride_h - g->pad_top;
        k.ix = ox * g->stride_w - g->pad_left;
        k.ky0 = te_first_tap(k.iy, g->dilation_h);
        k.ky1 = te_end_tap(k.iy, g->dilation_h, g->kh, g->h);
        k.kx0 = te_first_tap(k.ix, g->dilation_w);
        k.kx1 = te_end_tap(k.ix, g->dilation_w, g->kw, g->w);
        full = g->kh == 3 && g->kw == 3 && k.ky0 == 0 && k.kx0 == 0 && k.ky1 == 3 && k.kx1 == 3;
        /* input of tap (ky0, kx0) */
        x0 = x + ((n * g->h + k.iy + k.ky0 * g->dilation_h) * g->w + k.ix + k.kx0 * g->dilation_w) * c;
        o = 0;
#ifdef __OPTIMIZE__
        if (fast && full) {
          te_dw3x3_pixel(x0, (const int32_t *)(const void *)w, bias, p->multipliers, multiplier, vector_c >> 2, &consts, p->output_offset, y);
          o = vector_c;
        }
#else
        (void)fast;
        (void)full;
#endif
        for (; o < vector_c; o += 4) {
          const int32_t *wp = (const int32_t *)(const void *)w + (o >> 2) * taps * 2;
          int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, ky, kx;
          if (bias) {
            a0 = bias[o];
            a1 = bias[o + 1];
            a2 = bias[o + 2];
            a3 = bias[o + 3];
          }
          if (multiplier == 1) {
            const int8_t *xp = x0 + o;
            wp += (k.ky0 * g->kw + k.kx0) * 2;
            for (ky = k.ky0; ky < k.ky1; ky++) {
              const int8_t *xr = xp;
              for (kx = k.kx0; kx < k.kx1; kx++) {
                TE_TAP4(te_load32(xr));
                xr += xstep;
              }
              xp += ystep;
              wp += (g->kw - (k.kx1 - k.kx0)) * 2;
            }
          } else {
            const int8_t *xp = x0 + o / multiplier;
            wp += (k.ky0 * g->kw + k.kx0) * 2;
            for (ky = k.ky0; ky < k.ky1; ky++) {
              const int8_t *xr = xp;
              for (kx = k.kx0; kx < k.kx1; kx++) {
                TE_TAP1(*xr + p->input_offset);
                xr += xstep;
              }
              xp += ystep;
              wp += (g->kw - (k.kx1 - k.kx0)) * 2;
            }
          }
          if (!p->shifts) {
            te_smmul_requantize4(a0, a1, a2, a3, p->multipliers + 2 * o, p->output_offset, consts.clamp, lo4, hi4, y + o);
          } else {
            const int32_t acc[4] = {a0, a1, a2, a3};
            te_requantize_channels(acc, 4, p->multipliers + o, p->shifts + o, p->output_offset, p->act_min, p->act_max, y + o);
          }
        }
        /* Channels the groups leave: four at a time through the same requantization. */
        for (; o < out_c; o += 4) {
          const int32_t len = out_c - o < 4 ? out_c - o : 4;
          int32_t acc[4], ky, kx;
          for (j = 0; j < len; j++) {
            int32_t s = bias ? bias[o + j] : 0;
            for (ky = k.ky0; ky < k.ky1; ky++) {
              for (kx = k.kx0; kx < k.kx1; kx++) {
                const int8_t xv = x0[(ky - k.ky0) * ystep + (kx - k.kx0) * xstep + (o + j) / multiplier];
                s += (xv + p->input_offset) * te_weight(w, taps, o + j, ky * g->kw + kx);
              }
            }
            acc[j] = s;
          }
          te_dsp_requantize(acc, len, p, o, y + o);
        }
        y += out_c;
      }
    }
  }
}
