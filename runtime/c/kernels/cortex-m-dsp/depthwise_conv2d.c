/*
 * Cortex-M4/M7 (Armv7E-M DSP) int8 depthwise convolution, filter 'c4-int16' (kernel-table.ts): per group of four
 * output channels and per tap, the int16 pairs (w0, w2) and (w1, w3) that SXTB16 makes of four int8 inputs, so a
 * tap is one LDRD of weights, one LDR of x unpacked with the input offset by two SXTAB16, and four SMLAxy. Depth
 * multiplier 1 reads four input channels per group; multipliers that are a multiple of four read one input channel
 * for the whole group. Other multipliers and the last out_c % 4 channels take scalar arithmetic on the same filter.
 *
 * 3×3 layers with bias and 'smmul' requantization (every MLPerf Tiny depthwise) resolve padding per row, not per
 * pixel: a row's vertical clip is computed once, the pixels whose window lies inside the input (the interior of a
 * row) run as one call, and the border pixels run their clipped windows. With multiplier 1 and out_c % 4 = 0, the
 * windows of 3×3, 3×2, 2×3 and 2×2 taps run every channel group of a pixel in one asm loop (bias, the unrolled
 * window, requantization, clamp, store: ~118 instructions for 36 MACs, 72 of them the MACs); other windows and
 * layers loop in C. Without a clamp narrower than int8, runs of whole windows at stride 1 or 2 (and at stride 1 the
 * windows a row off) go two pixels at a time (TE_DW_PAIR_GROUPS: each input column and weight word both windows
 * read is loaded and unpacked once), as do two rows' border 3×2 windows (transposed). Other layers clip every
 * pixel's window to the input and loop over its taps.
 */
#include "../internal/asm_build.h"
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/armv7em_dsp.h"
#include "../internal/armv7em_dw_groups.h"

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
  const int8_t *w;
  const int32_t *bias;
  int32_t out_c, taps, vector_c, multiplier;
  int32_t xstep, ystep, off2, clamp;
  uint32_t lo4, hi4;
} te_dw_layer;

/* Channels [o0, out_c) of one output pixel whose window is k, in any layout: the vector groups tap by tap, the
   channels the groups leave four at a time in scalar arithmetic; x0 is the input of tap (ky0, kx0). */
static void te_dw_clipped_pixel(const int8_t *x0, const te_clip *k, const te_window *g, const te_mac_params *p,
                                const te_dw_layer *L, int32_t o0, int8_t *y) {
  const int32_t xstep = L->xstep, ystep = L->ystep, off2 = L->off2, multiplier = L->multiplier;
  int32_t o, j;
  for (o = o0; o < L->vector_c; o += 4) {
    const int32_t *wp = (const int32_t *)(const void *)L->w + (o >> 2) * L->taps * 2;
    const int8_t *xp = x0 + (multiplier == 1 ? o : o / multiplier);
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, ky, kx;
    if (L->bias) {
      a0 = L->bias[o];
      a1 = L->bias[o + 1];
      a2 = L->bias[o + 2];
      a3 = L->bias[o + 3];
    }
    wp += (k->ky0 * g->kw + k->kx0) * 2;
    for (ky = k->ky0; ky < k->ky1; ky++) {
      const int8_t *xr = xp;
      for (kx = k->kx0; kx < k->kx1; kx++) {
        if (multiplier == 1) TE_TAP4(te_load32(xr));
        else TE_TAP1(*xr + p->input_offset);
        xr += xstep;
      }
      xp += ystep;
      wp += (g->kw - (k->kx1 - k->kx0)) * 2;
    }
    if (!p->shifts) {
      te_smmul_requantize4(a0, a1, a2, a3, p->multipliers + 2 * o, p->output_offset, 1, L->clamp, L->lo4, L->hi4,
                           y + o);
    } else {
      const int32_t acc[4] = {a0, a1, a2, a3};
      te_requantize_channels(acc, 4, p->multipliers + o, p->shifts + o, p->output_offset, p->act_min, p->act_max, y + o);
    }
  }
  /* Channels the groups leave: four at a time through the same requantization. */
  for (; o < L->out_c; o += 4) {
    const int32_t len = L->out_c - o < 4 ? L->out_c - o : 4;
    int32_t acc[4], ky, kx;
    for (j = 0; j < len; j++) {
      int32_t s = L->bias ? L->bias[o + j] : 0;
      for (ky = k->ky0; ky < k->ky1; ky++) {
        for (kx = k->kx0; kx < k->kx1; kx++) {
          const int8_t xv = x0[(ky - k->ky0) * ystep + (kx - k->kx0) * xstep + (o + j) / multiplier];
          s += (xv + p->input_offset) * te_weight(L->w, L->taps, o + j, ky * g->kw + kx);
        }
      }
      acc[j] = s;
    }
    te_dsp_requantize(acc, len, p, o, y + o);
  }
}

/* The window of output pixel (oy, ox) clipped to the input. */
static te_clip te_clip_window(const te_window *g, int32_t oy, int32_t ox) {
  te_clip k;
  k.iy = oy * g->stride_h - g->pad_top;
  k.ix = ox * g->stride_w - g->pad_left;
  k.ky0 = te_first_tap(k.iy, g->dilation_h);
  k.ky1 = te_end_tap(k.iy, g->dilation_h, g->kh, g->h);
  k.kx0 = te_first_tap(k.ix, g->dilation_w);
  k.kx1 = te_end_tap(k.ix, g->dilation_w, g->kw, g->w);
  return k;
}

/* Channels [o0, out_c) of output pixel (n, oy, ox), its window clipped here. */
static void te_dw_pixel(const int8_t *x, const te_window *g, const te_mac_params *p, const te_dw_layer *L, int32_t n,
                        int32_t oy, int32_t ox, int32_t o0, int8_t *y) {
  const te_clip k = te_clip_window(g, oy, ox);
  const int8_t *x0 = x + ((n * g->h + k.iy + k.ky0 * g->dilation_h) * g->w + k.ix + k.kx0 * g->dilation_w) * g->c;
  te_dw_clipped_pixel(x0, &k, g, p, L, o0, y);
}

#ifdef __OPTIMIZE__ /* -O0 keeps r7 for the frame: too few registers left for the asm */
/* A tap of the 3×3 path as asm (gcc spills the C form): one LDR of x at addr, then TE_M4. Twelve registers, which
   gcc finds on M4 and M7. */
#define TE_X4(addr) "ldr %[xv], " addr "\n\t" TE_M4("%[xv]")

/* The same for a group reading one input channel (the low halfword of x + off2 is x + offset). */
#define TE_X1(addr)                            \
  "ldrsb %[xv], " addr "\n\t"                  \
  "ldrd %[we], %[wo], [%[wp]], #8\n\t"         \
  "add %[xv], %[xv], %[off]\n\t"               \
  "smlabb %[a0], %[we], %[xv], %[a0]\n\t"      \
  "smlatb %[a2], %[we], %[xv], %[a2]\n\t"      \
  "smlabb %[a1], %[wo], %[xv], %[a1]\n\t"      \
  "smlatb %[a3], %[wo], %[xv], %[a3]\n\t"

#define TE_ROW_ASM(TAPS)                                                                                         \
  __asm__(TAPS : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [wp] "+r"(wp), [xv] "=&r"(xv),        \
                 [xe] "=&r"(xe), [we] "=&r"(we), [wo] "=&r"(wo)                                                 \
          : [xp] "r"(xp), [off] "r"(off2), [xs] "r"(xstep)                                                      \
          : "memory")

/* One row of a window: three, two or one taps at xp, xp + xs, xp + 2·xs; wp advances past them. */
#define TE_ROW3(TAP) TE_ROW_ASM(TAP("[%[xp]]") TAP("[%[xp], %[xs]]") TAP("[%[xp], %[xs], lsl #1]"))
#define TE_ROW2(TAP) TE_ROW_ASM(TAP("[%[xp]]") TAP("[%[xp], %[xs]]"))
#define TE_ROW1(TAP) TE_ROW_ASM(TAP("[%[xp]]"))

/* One row of `cols` taps. */
#define TE_ROW(TAP, cols)               \
  do {                                  \
    if ((cols) == 3) TE_ROW3(TAP);      \
    else if ((cols) == 2) TE_ROW2(TAP); \
    else TE_ROW1(TAP);                  \
  } while (0)

/* `rows` (at most 3) rows of `cols` taps from the window's tap at xp and wp: constant rows and cols unroll it. */
#define TE_WINDOW(TAP, rows, cols) \
  do {                             \
    int32_t r;                     \
    for (r = 0; r < (rows); r++) { \
      if (r) {                     \
        xp += ystep;               \
        wp += 6 - 2 * (cols);      \
      }                            \
      TE_ROW(TAP, cols);           \
    }                              \
  } while (0)

/* Four accumulators plus bias requantized with the (M2, R) pairs at mr and stored at y. Depthwise layers keep the
   sign fix-up (the compiler leaves te_mac_params.no_sign_fixup clear for them). */
#define TE_DW_STORE4(clamp) te_smmul_requantize4(a0, a1, a2, a3, mr, offset, 1, clamp, L->lo4, L->hi4, y)

/* Every group of `count` pixels `pixel` bytes of input apart, wp0 their first tap's weights (TE_DW_GROUPS). */
#define TE_DW_PIXELS(WINDOW, CLAMP)                                                         \
  for (; count > 0; count--, x0 += pixel) {                                                 \
    const int32_t *wp = wp0, *bp = L->bias, *mr = p->multipliers;                          \
    const int8_t *xp = x0, *end = y + L->vector_c;                                          \
    int32_t a0, a1, a2, a3, xv, xn, xe, we, wo;                                             \
    TE_DW_GROUPS(WINDOW, CLAMP);                                                            \
  }

/* `count` pixels `pixel` bytes of input apart, multiplier 1 and every channel in a group, each the window of shape
   rows · 4 + cols (15, 14, 11 or 10: see te_dw3x3_run) from tap `tap0` whose input is at x0. */
static __attribute__((noinline)) void te_dw3x3_pixels(const int8_t *x0, int32_t count, int32_t pixel, int32_t shape,
                                                      int32_t tap0, const te_mac_params *p, const te_dw_layer *L,
                                                      int8_t *y) {
  const int32_t xstep = L->xstep, ystep = L->ystep, off2 = L->off2, offset = p->output_offset;
  const uint32_t lo4 = L->lo4, hi4 = L->hi4;
  const int32_t *wp0 = (const int32_t *)(const void *)L->w + 2 * tap0;
  /* The clamp only where the range is narrower than int8's (SSAT gives int8's): ~6 cycles a group. */
  if (L->clamp) {
    if (shape == 15) TE_DW_PIXELS(TE_W33, CLAMPED)
    else if (shape == 14) TE_DW_PIXELS(TE_W32, CLAMPED)
    else if (shape == 11) TE_DW_PIXELS(TE_W23, CLAMPED)
    else TE_DW_PIXELS(TE_W22, CLAMPED)
  } else if (shape == 15) TE_DW_PIXELS(TE_W33, UNCLAMPED)
  else if (shape == 14) TE_DW_PIXELS(TE_W32, UNCLAMPED)
  else if (shape == 11) TE_DW_PIXELS(TE_W23, UNCLAMPED)
  else TE_DW_PIXELS(TE_W22, UNCLAMPED)
}

/* `pairs` pairs of windows `pixel` bytes of input apart (multiplier 1, every channel in a group, no clamp), whole at
   stride 1 or 2, or a row off (`rows` 2, from tap tap0) at stride 1, the first's input at x0: TE_DW_PAIR_GROUPS. */
static __attribute__((noinline)) void te_dw3x3_pairs(const int8_t *x0, int32_t pairs, int32_t pixel, int32_t rows,
                                                     int32_t tap0, const te_mac_params *p, const te_dw_layer *L,
                                                     int8_t *out) {
  const int32_t xstep = L->xstep, ystep = L->ystep, off2 = L->off2, offset = p->output_offset, oc = L->out_c;
  te_dw_pair_run r = {(const int32_t *)(const void *)L->w + 2 * tap0, L->bias, p->multipliers, 2 * pixel - oc, oc,
                      2 * oc, pairs};
  te_dw_pair_run *const run = &r;
  const int32_t *wp = r.wp0, *bp = r.b0, *mr = r.m0;
  const int8_t *xp = x0, *end = out + oc;
  int8_t *y = out;
  int32_t a0, a1, a2, a3, xv, xn, xe, we, wo;
  if (rows == 2) TE_DW_PAIR_GROUPS(TE_PAIR_ROWS2, TE_PAIR_ROW1);
  else if (pixel == xstep) TE_DW_PAIR_GROUPS(TE_PAIR_ROWS3, TE_PAIR_ROW1);
  else TE_DW_PAIR_GROUPS(TE_PAIR_ROWS3, TE_PAIR_ROW2);
}

/* The 3×2 windows (a border column) of pixels (oy, ox), (oy + 1, ox), `stride` (1, 2) input rows apart, from tap tap0
   at x0 (multiplier 1, groups only, no clamp): TE_DW_PAIR_GROUPS transposed, `row` output bytes between the two. */
static __attribute__((noinline)) void te_dw3x3_column_pair(const int8_t *x0, int32_t stride, int32_t tap0,
                                                           const te_mac_params *p, const te_dw_layer *L, int32_t row,
                                                           int8_t *y) {
  const int32_t xstep = L->ystep, ystep = L->xstep, off2 = L->off2, offset = p->output_offset, oc = row;
  te_dw_pair_run r = {(const int32_t *)(const void *)L->w + 2 * tap0, L->bias, p->multipliers, 0, 0, 0, 1};
  te_dw_pair_run *const run = &r;
  const int32_t *wp = r.wp0, *bp = r.b0, *mr = r.m0;
  const int8_t *xp = x0, *end = y + L->out_c;
  int32_t a0, a1, a2, a3, xv, xn, xe, we, wo;
  if (stride == 1) TE_DW_PAIR_GROUPS(TE_PAIR_ROWS2, TE_PAIR_COL1);
  else TE_DW_PAIR_GROUPS(TE_PAIR_ROWS2, TE_PAIR_COL2);
}

/* Every group of one pixel of a 3×3 layer with bias and 'smmul' constants: `rows` × `cols` taps from tap
   (ky0, kx0) whose input is x0. x advances by four channels a group (multiplier 1) or one channel every
   multiplier / 4 groups. */
static void te_dw3x3_groups(const int8_t *x0, int32_t rows, int32_t cols, int32_t tap0, const te_mac_params *p,
                            const te_dw_layer *L, int8_t *y) {
  const int32_t xstep = L->xstep, ystep = L->ystep, off2 = L->off2, offset = p->output_offset;
  const int32_t per = L->multiplier == 1 ? 1 : L->multiplier >> 2, xadv = L->multiplier == 1 ? 4 : 1;
  const int32_t *wg = (const int32_t *)(const void *)L->w + 2 * tap0, *bias = L->bias, *mr = p->multipliers;
  const int8_t *xc = x0, *end = y + L->vector_c;
  while (y < end) {
    int32_t j;
    for (j = 0; j < per; j++) {
      const int8_t *xp = xc;
      const int32_t *wp = wg;
      int32_t a0, a1, a2, a3, xv, xe, we, wo;
      TE_LDRD_POST(a0, a1, bias);
      TE_LDRD_POST(a2, a3, bias);
      if (L->multiplier == 1) TE_WINDOW(TE_X4, rows, cols);
      else TE_WINDOW(TE_X1, rows, cols);
      TE_DW_STORE4(L->clamp);
      mr += 8;
      y += 4;
      wg += 18;
    }
    xc += xadv;
  }
}

/* `count` pixels whose windows are `rows` × `cols` taps from tap0, their channels in vector groups then the rest:
   multiplier 1 on the windows a 3×3 takes at padding ≤ 1 (whole, a row or a column off) unrolled, the others window
   by window. */
static void te_dw3x3_run(const int8_t *x, const int8_t *x0, int32_t count, int32_t rows, int32_t cols, int32_t tap0,
                         const te_window *g, const te_mac_params *p, const te_dw_layer *L, int32_t n, int32_t oy,
                         int32_t ox, int8_t *y) {
  const int32_t pixel = g->stride_w * g->c;
  const int32_t shape = L->multiplier == 1 && L->vector_c == L->out_c ? rows * 4 + cols : 0;
  /* Whole windows at stride 1 or 2, or a row off at stride 1, in int8's range: two pixels at a time, the odd one
     alone. */
  if ((shape == 15 ? g->stride_w <= 2 : shape == 11 && g->stride_w == 1) && !L->clamp && count >= 2) {
    te_dw3x3_pairs(x0, count >> 1, pixel, rows, tap0, p, L, y);
    if (count & 1) te_dw3x3_pixels(x0 + (count - 1) * pixel, 1, pixel, shape, tap0, p, L, y + (count - 1) * L->out_c);
  } else if (shape == 15 || shape == 14 || shape == 11 || shape == 10)
    te_dw3x3_pixels(x0, count, pixel, shape, tap0, p, L, y);
  else
    for (; count > 0; count--, x0 += pixel, ox++, y += L->out_c) {
      te_dw3x3_groups(x0, rows, cols, tap0, p, L, y);
      if (L->vector_c < L->out_c) te_dw_pixel(x, g, p, L, n, oy, ox, L->vector_c, y);
    }
}

/* A 3×3 layer with bias and 'smmul' constants, row by row: the vertical clip once per row, the interior of each
   unclipped row as one loop of whole windows, border pixels through te_dw3x3_groups' clipped rows. */
static void te_dw3x3(const int8_t *x, const te_window *g, const te_mac_params *p, const te_dw_layer *L, int8_t *y) {
  const int32_t sw = g->stride_w, out_c = L->out_c;
  /* Output columns [lo, hi) read no padding. */
  const int32_t lo = (g->pad_left + sw - 1) / sw;
  const int32_t hi_num = g->w - 3 + g->pad_left;
  int32_t hi = hi_num < 0 ? 0 : hi_num / sw + 1, n, oy, ox;
  /* Output rows from `top` on read no padding row above. */
  const int32_t top = (g->pad_top + g->stride_h - 1) / g->stride_h;
  /* A column pair writes a pixel a row ahead of raster order, which a layer writing over its own input forbids (the
     planner's slide: IN_PLACE_TILE_PIXELS, compiler/plan/plan-memory.ts): pairs only where y lies apart from x. */
  const uintptr_t x0 = (uintptr_t)x, x1 = x0 + (uintptr_t)g->n * g->h * g->w * g->c;
  const uintptr_t y0 = (uintptr_t)y, y1 = y0 + (uintptr_t)g->n * g->oh * g->ow * out_c;
  const int32_t column_pairs =
      L->multiplier == 1 && L->vector_c == out_c && !L->clamp && g->stride_h <= 2 && (y1 <= x0 || x1 <= y0);
  if (hi > g->ow) hi = g->ow;
  if (hi < lo) hi = lo;
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++) {
      const int32_t iy = oy * g->stride_h - g->pad_top;
      const int32_t ky0 = iy < 0 ? -iy : 0, ky1 = iy + 3 > g->h ? g->h - iy : 3;
      const int32_t row = (n * g->h + iy + ky0) * g->w;
      for (ox = 0; ox < g->ow;) {
        const int32_t ix = ox * sw - g->pad_left;
        const int32_t kx0 = ix < 0 ? -ix : 0, kx1 = ix + 3 > g->w ? g->w - ix : 3;
        const int32_t rows = ky1 > ky0 && kx1 > kx0 ? ky1 - ky0 : 0;
        /* The interior of a row as one run, border pixels one by one or two rows at a time (the second skipped).
           A pair needs its second row in the call: a band (a ring's row, a patch cell) may stop above rows its
           input still holds. */
        const int32_t count = ox == lo && lo < hi ? hi - lo : 1;
        const int32_t paired = column_pairs && count == 1 && rows == 3 && kx1 - kx0 == 2;
        const int32_t second = paired && (oy - top) & 1;
        if (paired && !second && oy + 1 < g->oh && (oy + 1) * g->stride_h + 3 <= g->h + g->pad_top)
          te_dw3x3_column_pair(x + (row + ix + kx0) * g->c, g->stride_h, kx0, p, L, g->ow * out_c, y);
        else if (!second)
          te_dw3x3_run(x, x + (row + ix + kx0) * g->c, count, rows, kx1 - kx0, ky0 * 3 + kx0, g, p, L, n, oy, ox, y);
        ox += count;
        y += count * out_c;
      }
    }
  }
}
#endif

void te_depthwise_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g,
                            int32_t multiplier, const te_mac_params *p, int8_t *y) {
  const int32_t c = g->c, out_c = c * multiplier;
  const int32_t off2 = (int32_t)(((uint32_t)(uint16_t)p->input_offset << 16) | (uint16_t)p->input_offset);
  const te_dw_layer L = {w,
                         bias,
                         out_c,
                         g->kh * g->kw,
                         multiplier == 1 || multiplier % 4 == 0 ? out_c & ~3 : 0,
                         multiplier,
                         g->dilation_w * c,
                         g->dilation_h * g->w * c,
                         off2,
                         p->act_min > -128 || p->act_max < 127,
                         te_splat4_s8(p->act_min),
                         te_splat4_s8(p->act_max)};
  int32_t n, oy, ox;
#ifdef __OPTIMIZE__
  if (bias && !p->shifts && g->kh == 3 && g->kw == 3 && g->dilation_h == 1 && g->dilation_w == 1) {
    te_dw3x3(x, g, p, &L, y);
    return;
  }
#endif
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++) {
      for (ox = 0; ox < g->ow; ox++) {
        te_dw_pixel(x, g, p, &L, n, oy, ox, 0, y);
        y += out_c;
      }
    }
  }
}
