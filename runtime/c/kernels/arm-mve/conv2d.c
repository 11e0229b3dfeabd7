/*
 * Cortex-M55 Helium (MVE) int8 convolution and matrix product. Weights in MatmulLayout 'o4-k16'
 * (compiler/backends/c/kernel-table.ts): groups of four output channels, each [K16/16][4 channels][16 k] with K
 * zero-padded to a multiple of 16 and out_c to a multiple of 8 (zero channels), the folded bias, multipliers and
 * shifts padded alike; one pointer walks a group with post-incrementing loads.
 * VMLADAVA.S8 sums sixteen products into a scalar, and only the eight even registers can hold its sum, so a tile is
 * eight accumulators: two rows (pixels) × four channels (2 + 4 loads and 8 VMLADAVA per 16 k), or one row × eight
 * channels for a lone row (fully connected layers). The four channels of a row are one vector for requantization
 * (kernels/internal/mve_requantize.h) and one 4-byte store. Only a k % 16 tail loads the rows under a predicate
 * (the padded weights are zero); the patch of te_conv2d_s8 holds two windows, gathered with vector copies
 * (kernels/internal/mve_patch.h). Where out_c is a multiple of 4 and every shift negative (every MLPerf Tiny layer),
 * two rows run through one assembly loop over the channels (kernels/internal/mve_matmul_rows.h), which also reads
 * a pair of windows inside the input where they lie: one window row (1 × 1 stride 2), or 3 × 3 windows whose rows
 * are whole 16-byte blocks.
 */
#include "../internal/asm_build.h"
#include <arm_mve.h>
#include "tinyedge/kernels.h"
#include "../internal/mve_matmul_rows.h"
#include "../internal/mve_patch.h"
#include "../internal/mve_requantize.h"

/* The layer's constants as locals (stores through int8_t * could alias fields read through a pointer). */
typedef struct {
  const int8_t *w;
  const int32_t *bias, *m, *shift;
  int32_t k, out_c, output_offset;
  int32_t blocks;    /* whole 16-byte steps of k */
  int32_t group;     /* bytes of one group of four channels: 4 · K16 */
  mve_pred16_t tail; /* the k % 16 last bytes */
  int32x4_t lo, hi;
  te_mve_rows *rows; /* te_mve_matmul_rows's arguments, where its shapes hold (`whole`) */
  int whole;         /* out_c a multiple of 4 */
} te_mm;

static te_mm te_mm_of(const int8_t *w, const int32_t *folded_bias, int32_t k, int32_t out_c, const te_mac_params *p,
                      te_mve_rows *rows) {
  te_mm L;
  L.w = w;
  L.bias = folded_bias;
  L.m = p->multipliers;
  L.shift = p->shifts;
  L.k = k;
  L.out_c = out_c;
  L.output_offset = p->output_offset;
  L.blocks = k / 16;
  L.group = 4 * ((k + 15) & ~15);
  L.tail = vctp8q((uint32_t)(k % 16));
  L.lo = vdupq_n_s32(p->act_min);
  L.hi = vdupq_n_s32(p->act_max);
  L.whole = out_c % 4 == 0;
  L.rows = rows;
  return L;
}

/* te_mve_matmul_rows's constants of the layer, set only where two rows run (set in te_mm_of, the stores cost
   te_mm_1x8 registers: AD 1.7 K more instructions). */
static void te_mve_rows_of(const int8_t *w, const int32_t *folded_bias, int32_t k, int32_t out_c, const te_mac_params *p,
                           te_mve_rows *rows) {
  rows->blocks = k / 16;
  rows->tail = k % 16;
  rows->m = p->multipliers;
  rows->shift = p->shifts;
  rows->w = w;
  rows->bias = folded_bias;
  rows->groups = out_c / 4;
  rows->output_offset = p->output_offset;
  rows->act_min = p->act_min;
  rows->act_max = p->act_max;
}

/* Four channels of one row requantized and stored at y (`n` of them: the rest are padding), their multipliers and
   shifts at m and s. `right`: every shift of the layer is negative (a constant where inlined). */
TE_MVE_INLINE void te_mm_store(const te_mm *L, int right, int32x4_t acc, int32x4_t m, int32x4_t s, int32_t n, int8_t *y) {
  const int32x4_t v = right ? te_mve_requantize_right(acc, m, s, L->output_offset, L->lo, L->hi)
                            : te_mve_requantize_lanes(acc, m, s, L->output_offset, L->lo, L->hi);
  if (n >= 4) vstrbq_s32(y, v);
  else vstrbq_p_s32(y, v, vctp32q((uint32_t)n));
}

/* One step of a 2 × 4 tile: rows in %q[p] and %q[q], four weight vectors from [%[w]] (post-incremented). */
#define TE_MM_2X4_STEP                         \
  "vldrb.8 %q[v], [%[w]], #16\n\t"             \
  "vmladava.s8 %[a0], %q[p], %q[v]\n\t"        \
  "vmladava.s8 %[b0], %q[q], %q[v]\n\t"        \
  "vldrb.8 %q[v], [%[w]], #16\n\t"             \
  "vmladava.s8 %[a1], %q[p], %q[v]\n\t"        \
  "vmladava.s8 %[b1], %q[q], %q[v]\n\t"        \
  "vldrb.8 %q[v], [%[w]], #16\n\t"             \
  "vmladava.s8 %[a2], %q[p], %q[v]\n\t"        \
  "vmladava.s8 %[b2], %q[q], %q[v]\n\t"        \
  "vldrb.8 %q[v], [%[w]], #16\n\t"             \
  "vmladava.s8 %[a3], %q[p], %q[v]\n\t"        \
  "vmladava.s8 %[b3], %q[q], %q[v]\n\t"
#define TE_MM_2X4_ACC                                                                                         \
  [a0] "+Te"(a0), [a1] "+Te"(a1), [a2] "+Te"(a2), [a3] "+Te"(a3), [b0] "+Te"(b0), [b1] "+Te"(b1), [b2] "+Te"(b2), \
      [b3] "+Te"(b3), [w] "+r"(w)

/* Rows x0 and x1 times the four channels whose weights start at *wp (left at the next group's) and whose folded
   bias is bias[0..3]: the eight sums. The second row's sums start as copies inside the assembly and the k % 16 tail
   loads under a VCTP predicate (zeroing the lanes past k), so gcc keeps the accumulators where they start. */
TE_MVE_INLINE void te_mm_2x4(const te_mm *L, const int8_t *x0, const int8_t *x1, const int8_t **wp, const int32_t *bias,
                             int32x4_t *ya, int32x4_t *yb) {
  const int8_t *w = *wp;
  int32_t a0 = bias[0], a1 = bias[1], a2 = bias[2], a3 = bias[3], b0, b1, b2, b3, n = L->blocks;
  const int32_t kt = L->k % 16;
  int8x16_t p, q, v;
  __asm__("mov %[b0], %[a0]\n\t"
          "mov %[b1], %[a1]\n\t"
          "mov %[b2], %[a2]\n\t"
          "mov %[b3], %[a3]\n\t"
          "cmp %[n], #0\n\t"
          "beq 2f\n"
          "1:\n\t"
          "vldrb.8 %q[p], [%[x0]], #16\n\t"
          "vldrb.8 %q[q], [%[x1]], #16\n\t" TE_MM_2X4_STEP "subs %[n], #1\n\t"
          "bne 1b\n"
          "2:"
          : [a0] "+Te"(a0), [a1] "+Te"(a1), [a2] "+Te"(a2), [a3] "+Te"(a3), [b0] "=&Te"(b0), [b1] "=&Te"(b1), [b2] "=&Te"(b2),
            [b3] "=&Te"(b3), [w] "+r"(w), [x0] "+r"(x0), [x1] "+r"(x1), [n] "+r"(n), [p] "=&w"(p), [q] "=&w"(q), [v] "=&w"(v)
          :
          : "memory", "cc");
  if (kt)
    __asm__("vctp.8 %[kt]\n\t"
            "vpstt\n\t"
            "vldrbt.8 %q[p], [%[x0]]\n\t"
            "vldrbt.8 %q[q], [%[x1]]\n\t" TE_MM_2X4_STEP
            : TE_MM_2X4_ACC, [p] "=&w"(p), [q] "=&w"(q), [v] "=&w"(v)
            : [x0] "r"(x0), [x1] "r"(x1), [kt] "r"(kt)
            : "memory");
  *wp = w;
  *ya = te_mve_lanes(a0, a1, a2, a3);
  *yb = te_mve_lanes(b0, b1, b2, b3);
}

/* One step of a 1 × 8 tile: the row in %q[p], four weight vectors from each of [%[w]] and [%[u]]. */
#define TE_MM_1X8_STEP                         \
  "vldrb.8 %q[v], [%[w]], #16\n\t"             \
  "vmladava.s8 %[a0], %q[p], %q[v]\n\t"        \
  "vldrb.8 %q[v], [%[u]], #16\n\t"             \
  "vmladava.s8 %[b0], %q[p], %q[v]\n\t"        \
  "vldrb.8 %q[v], [%[w]], #16\n\t"             \
  "vmladava.s8 %[a1], %q[p], %q[v]\n\t"        \
  "vldrb.8 %q[v], [%[u]], #16\n\t"             \
  "vmladava.s8 %[b1], %q[p], %q[v]\n\t"        \
  "vldrb.8 %q[v], [%[w]], #16\n\t"             \
  "vmladava.s8 %[a2], %q[p], %q[v]\n\t"        \
  "vldrb.8 %q[v], [%[u]], #16\n\t"             \
  "vmladava.s8 %[b2], %q[p], %q[v]\n\t"        \
  "vldrb.8 %q[v], [%[w]], #16\n\t"             \
  "vmladava.s8 %[a3], %q[p], %q[v]\n\t"        \
  "vldrb.8 %q[v], [%[u]], #16\n\t"             \
  "vmladava.s8 %[b3], %q[p], %q[v]\n\t"
#define TE_MM_1X8_ACC TE_MM_2X4_ACC, [u] "+r"(u)

/* Row x times channels [o, o + 8) (padding past out_c is computed, not stored). */
TE_MVE_INLINE void te_mm_1x8(const te_mm *L, int right, const int8_t *x, int32_t o, int8_t *y) {
  const int8_t *w = L->w + (o / 4) * L->group, *u = w + L->group;
  int32_t a0 = L->bias[o], a1 = L->bias[o + 1], a2 = L->bias[o + 2], a3 = L->bias[o + 3];
  int32_t b0 = L->bias[o + 4], b1 = L->bias[o + 5], b2 = L->bias[o + 6], b3 = L->bias[o + 7], n = L->blocks;
  int8x16_t p, v;
  if (n > 0)
    __asm__("1:\n\t"
            "vldrb.8 %q[p], [%[x]], #16\n\t" TE_MM_1X8_STEP "subs %[n], #1\n\t"
            "bne 1b"
            : TE_MM_1X8_ACC, [x] "+r"(x), [n] "+r"(n), [p] "=&w"(p), [v] "=&w"(v)
            :
            : "memory", "cc");
  if (L->k % 16) {
    p = vldrbq_z_s8(x, L->tail);
    __asm__(TE_MM_1X8_STEP : TE_MM_1X8_ACC, [v] "=&w"(v) : [p] "w"(p) : "memory");
  }
  te_mm_store(L, right, te_mve_lanes(a0, a1, a2, a3), vldrwq_s32(L->m + o), vldrwq_s32(L->shift + o), L->out_c - o, y + o);
  if (o + 4 < L->out_c)
    te_mm_store(L, right, te_mve_lanes(b0, b1, b2, b3), vldrwq_s32(L->m + o + 4), vldrwq_s32(L->shift + o + 4), L->out_c - o - 4,
                y + o + 4);
}

/* Two rows times every channel, four at a time: the weights, bias and requantization constants walk with the
   channels, both rows' requantizations share the constants. */
TE_MVE_INLINE void te_mm_two_rows(const te_mm *L, int right, const int8_t *x0, const int8_t *x1, int8_t *y0, int8_t *y1) {
  const int8_t *w = L->w;
  const int32_t *bias = L->bias, *m = L->m, *s = L->shift;
  int32_t left;
  if (right && L->whole) {
    L->rows->x0 = x0;
    L->rows->x1 = x1;
    L->rows->y0 = y0;
    L->rows->y1 = y1;
    L->rows->blocks = L->k % 32 == 0 ? L->blocks / 2 : L->blocks;
    if (L->k == 64) te_mve_matmul_rows64(L->rows);
    else if (L->k % 32 == 0) te_mve_matmul_rows2(L->rows);
    else if (L->k >= 16) te_mve_matmul_rows(L->rows);
    else te_mve_matmul_short(L->rows);
    return;
  }
  for (left = L->out_c; left > 0; left -= 4, bias += 4, m += 4, s += 4, y0 += 4, y1 += 4) {
    int32x4_t ya, yb;
    te_mm_2x4(L, x0, x1, &w, bias, &ya, &yb);
    {
      const int32x4_t mv = vldrwq_s32(m), sv = vldrwq_s32(s);
      te_mm_store(L, right, ya, mv, sv, left, y0);
      te_mm_store(L, right, yb, mv, sv, left, y1);
    }
  }
}

/* One row times every channel, eight at a time. */
TE_MVE_INLINE void te_mm_one_row(const te_mm *L, int right, const int8_t *x, int8_t *y) {
  int32_t o;
  for (o = 0; o < L->out_c; o += 8) te_mm_1x8(L, right, x, o, y);
}

/* `rows` rows of x times the matrix, two at a time. */
TE_MVE_INLINE void te_mm_rows(const te_mm *L, int right, const int8_t *x, int32_t rows, int8_t *y) {
  const int32_t k = L->k, out_c = L->out_c;
  int32_t r;
  for (r = 0; r + 2 <= rows; r += 2) te_mm_two_rows(L, right, x + r * k, x + (r + 1) * k, y + r * out_c, y + (r + 1) * out_c);
  if (r < rows) te_mm_one_row(L, right, x + r * k, y + r * out_c);
}

void te_matmul_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k, int32_t out_c,
                  const te_mac_params *p, int8_t *y) {
  te_mve_rows pass;
  const te_mm L = te_mm_of(w, folded_bias, k, out_c, p, &pass);
  if (rows > 1) te_mve_rows_of(w, folded_bias, k, out_c, p, &pass);
  if (te_right_shifts_only(p->shifts, out_c)) te_mm_rows(&L, 1, x, rows, y);
  else te_mm_rows(&L, 0, x, rows, y);
}

/* Two output pixels' windows read where they lie in the input (window row ky at x0 + ky · dilation_h · w · c): one
   row of kw·c bytes, or 3 × 3 windows whose rows are whole 16-byte blocks (te_conv_direct). */
TE_MVE_INLINE void te_conv_windows(const te_mm *L, const te_window *g, const int8_t *x0, const int8_t *x1, int8_t *y0, int8_t *y1) {
  if (g->kh == 1) {
    te_mm_two_rows(L, 1, x0, x1, y0, y1);
    return;
  }
  L->rows->x0 = x0;
  L->rows->x1 = x1;
  L->rows->y0 = y0;
  L->rows->y1 = y1;
  if (g->kw * g->c == 48) {
    te_mve_matmul_windows3_3(L->rows);
  } else if (g->kw * g->c % 32 == 0) {
    L->rows->blocks = g->kw * g->c / 32;
    te_mve_matmul_windows3_2(L->rows);
  } else {
    L->rows->blocks = g->kw * g->c / 16;
    te_mve_matmul_windows3(L->rows);
  }
}

/* Whether te_conv_windows serves the layer's windows that lie inside the input. */
static int te_conv_direct(const te_mm *L, int right, const te_window *g) {
  return right && L->whole && g->dilation_w == 1 && (g->kh == 1 || (g->kh == 3 && g->kw * g->c % 16 == 0));
}

/* Two output pixels' windows at a time (the patch holds two, or where both lie inside the input and the layer is
   te_conv_direct's, none), a lone last one of a row on its own. */
TE_MVE_INLINE void te_conv_pixels(const te_mm *L, int right, const int8_t *x, const te_window *g, int8x16_t zero, int8_t *patch,
                                  int8_t *y) {
  const int32_t k = L->k, out_c = L->out_c, c = g->c, sw = g->stride_w, pl = g->pad_left;
  /* Windows of columns ox in [lo, hi) lie inside the input's columns. */
  const int32_t lo = (pl + sw - 1) / sw, hi = (g->w - g->kw + pl) / sw + 1;
  const int direct = te_conv_direct(L, right, g);
  int32_t n, oy, ox;
  if (direct) L->rows->gap = g->dilation_h * g->w * c - g->kw * c;
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++) {
      const int32_t iy = oy * g->stride_h - g->pad_top;
      const int inside = direct && iy >= 0 && iy + (g->kh - 1) * g->dilation_h < g->h;
      const int8_t *row = inside ? x + ((n * g->h + iy) * g->w - pl) * c : x;
      for (ox = 0; ox + 1 < g->ow; ox += 2) {
        if (inside && ox >= lo && ox + 1 < hi) {
          te_conv_windows(L, g, row + ox * sw * c, row + (ox + 1) * sw * c, y, y + out_c);
        } else {
          te_mve_gather_patch(x, g, n, oy, ox, zero, patch);
          te_mve_gather_patch(x, g, n, oy, ox + 1, zero, patch + k);
          te_mm_two_rows(L, right, patch, patch + k, y, y + out_c);
        }
        y += 2 * out_c;
      }
      if (ox < g->ow) {
        te_mve_gather_patch(x, g, n, oy, ox, zero, patch);
        te_mm_one_row(L, right, patch, y);
        y += out_c;
      }
    }
  }
}

void te_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, const te_window *g, int32_t out_c,
                  const te_mac_params *p, int8_t *patch, int8_t *y) {
  te_mve_rows pass;
  const te_mm L = te_mm_of(w, folded_bias, g->kh * g->kw * g->c, out_c, p, &pass);
  te_mve_rows_of(w, folded_bias, g->kh * g->kw * g->c, out_c, p, &pass);
  const int8x16_t zero = vdupq_n_s8((int8_t)(-p->input_offset));
  if (te_right_shifts_only(p->shifts, out_c)) te_conv_pixels(&L, 1, x, g, zero, patch, y);
  else te_conv_pixels(&L, 0, x, g, zero, patch, y);
}
