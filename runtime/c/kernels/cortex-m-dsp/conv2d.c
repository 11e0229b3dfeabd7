/*
 * Cortex-M4/M7 (Armv7E-M DSP) int8 convolution and matrix product, weights 'o4-s16-pairs' (kernel-table.ts): int16,
 * per group of four output channels and per step of four k, each channel's pairs (w0, w2) and (w1, w3), K and the
 * last group zero-padded by the compiler. A step loads four int8 of x once, unpacks them into the same pairs with
 * SXTB16 (bytes 0, 2 and 1, 3), loads the group's eight weight words with two LDM and multiplies with eight SMLAD:
 * 16 MACs in 13 instructions, no weight sign-extension (the int8 layout needed 21).
 */
#include "../internal/asm_build.h"
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/armv7em_dsp.h"
#include "../internal/patch.h"
#include "../internal/armv7em_pair_groups.h"
#include "../internal/armv7em_window3x3_c3.h"

/* The multiplies of one step, x in %[xo] (raw). The LDM lists need ascending registers: w0..w3 are bound to r8..r11. */
#define TE_S16_STEP_MACS                           \
  "ldmia %[wp]!, {%[w0], %[w1], %[w2], %[w3]}\n\t" \
  "sxtb16 %[xe], %[xo]\n\t"                        \
  "sxtb16 %[xo], %[xo], ror #8\n\t"                \
  "smlad %[s0], %[xe], %[w0], %[s0]\n\t"           \
  "smlad %[s0], %[xo], %[w1], %[s0]\n\t"           \
  "smlad %[s1], %[xe], %[w2], %[s1]\n\t"           \
  "smlad %[s1], %[xo], %[w3], %[s1]\n\t"           \
  "ldmia %[wp]!, {%[w0], %[w1], %[w2], %[w3]}\n\t" \
  "smlad %[s2], %[xe], %[w0], %[s2]\n\t"           \
  "smlad %[s2], %[xo], %[w1], %[s2]\n\t"           \
  "smlad %[s3], %[xe], %[w2], %[s3]\n\t"           \
  "smlad %[s3], %[xo], %[w3], %[s3]\n\t"

/* One step reading its four x bytes at xp. */
#define TE_S16_STEP "ldr %[xo], [%[xp]], #4\n\t" TE_S16_STEP_MACS

#define TE_S16_OPERANDS                                                                                       \
  : [s0] "+r"(*s0), [s1] "+r"(*s1), [s2] "+r"(*s2), [s3] "+r"(*s3), [xp] "+r"(xp), [wp] "+r"(*wp), [n] "+r"(n), \
    [xe] "=&r"(xe), [xo] "+&r"(xo), [w0] "=&r"(w0), [w1] "=&r"(w1), [w2] "=&r"(w2), [w3] "=&r"(w3)           \
  :                                                                                                          \
  : "cc", "memory"

/* The k % 4 last bytes of x, zero-extended into a word (their weights are zero past k, so any value would do; the
   bytes past x are not read). For k ≥ 4 the word ending at x + k, shifted down: one load, not a byte loop (K = 27,
   the first conv of an RGB model, pays it twice a window pair). */
static inline uint32_t te_tail_word(const int8_t *x, int32_t k) {
  uint32_t v = 0;
  int32_t i;
  if (k >= 4) return te_load32(x + k - 4) >> (32 - 8 * (k & 3));
  for (i = 0; i < k; i++) v |= (uint32_t)(uint8_t)x[i] << (8 * i);
  return v;
}

/* *s0..*s3 += x[0..k) times the four channels of the group at *wp, which is left at the next group; `tail` is
   te_tail_word(x, k). The k / 4 steps run in one asm block, two a pass, entered at the second step when their count
   is odd (LSRS puts the odd bit in C), so the accumulators stay in registers from the bias to the requantization. */
static inline __attribute__((always_inline)) void te_s16_group_dot(const int8_t *xp, const int32_t **wp, int32_t k,
                                                                    uint32_t tail, int32_t *s0, int32_t *s1,
                                                                    int32_t *s2, int32_t *s3) {
  int32_t n = k >> 2, xe;
  uint32_t xo = tail;
  register int32_t w0 __asm__("r8"), w1 __asm__("r9"), w2 __asm__("r10"), w3 __asm__("r11");
  __asm__ volatile("lsrs %[n], %[n], #1\n\t"
                   "bcs 2f\n\t"
                   "subs %[n], %[n], #1\n\t"
                   "bmi 3f\n"
                   "1:\n\t" TE_S16_STEP "2:\n\t" TE_S16_STEP "subs %[n], %[n], #1\n\t"
                   "bge 1b\n"
                   "3:" TE_S16_OPERANDS);
  if (k & 3) {
    xo = tail;
    __asm__ volatile(TE_S16_STEP_MACS TE_S16_OPERANDS);
  }
}

/* Channels [o, out_c) of row x (fewer than four: their group zero-padded to four, weights at wp) into y + o. */
static void te_row_last_group(const int8_t *x, const int32_t *wp, const int32_t *folded_bias, int32_t k, int32_t o,
                              int32_t out_c, const te_mac_params *p, int8_t *y) {
  int32_t s[4], j;
  for (j = 0; j < 4; j++) s[j] = o + j < out_c ? folded_bias[o + j] : 0;
  te_s16_group_dot(x, &wp, k, k & 3 ? te_tail_word(x, k) : 0, &s[0], &s[1], &s[2], &s[3]);
  te_dsp_requantize(s, out_c - o, p, o, y + o);
}

static inline __attribute__((always_inline)) void te_row_times_matrix(const int8_t *x, const int8_t *w,
                                                                      const int32_t *folded_bias, int32_t k,
                                                                      int32_t out_c, const te_row_constants *c,
                                                                      int8_t *y) {
  const int32_t *wp = (const int32_t *)(const void *)w; /* an int32 array (render-nodes.ts): word-aligned */
  const uint32_t tail = k & 3 ? te_tail_word(x, k) : 0;
  int32_t o;
  for (o = 0; o + 4 <= out_c; o += 4) {
    int32_t s0, s1, s2, s3;
    /* Two LDRD: gcc's four loads of the group's bias came with register moves. */
    __asm__("ldrd %0, %1, [%4]\n\tldrd %2, %3, [%4, #8]"
            : "=&r"(s0), "=&r"(s1), "=&r"(s2), "=r"(s3)
            : "r"(folded_bias + o), "m"(*(const int32_t(*)[4])(folded_bias + o)));
    te_s16_group_dot(x, &wp, k, tail, &s0, &s1, &s2, &s3);
    te_requantize_group4(s0, s1, s2, s3, c, o, y);
  }
  if (o < out_c) te_row_last_group(x, wp, folded_bias, k, o, out_c, c->p, y);
}

/* Rows a and b (k int8 each) widened into s as, per step of four k, the words SXTB16 makes: a's (x0, x2), b's, a's
   (x1, x3), b's; the k % 4 last bytes zero-extended (their weights are zero). */
static void te_widen_row_pair(const int8_t *a, const int8_t *b, int32_t k, int32_t *s) {
  int32_t i;
  for (i = 0; i + 4 <= k; i += 4, s += 4) {
    const uint32_t va = te_load32(a + i), vb = te_load32(b + i);
    s[0] = (int32_t)__sxtb16(va);
    s[1] = (int32_t)__sxtb16(vb);
    s[2] = te_sxtb16_ror8(va);
    s[3] = te_sxtb16_ror8(vb);
  }
  if (k & 3) {
    const uint32_t va = te_tail_word(a, k), vb = te_tail_word(b, k);
    s[0] = (int32_t)__sxtb16(va);
    s[1] = (int32_t)__sxtb16(vb);
    s[2] = te_sxtb16_ror8(va);
    s[3] = te_sxtb16_ror8(vb);
  }
}

/* The last, zero-padded group (out_c % 4 channels): its accumulators a and b from the bias at `bias` (padded) plus
   the widened rows at xs (`steps` steps) times the group at wp. */
static void te_row_pair_last_group_dot(const int32_t *xs, int32_t steps, const int32_t *wp, const int32_t *bias,
                                       int32_t *a, int32_t *b) {
  const int32_t *const end = xs + 4 * steps;
  /* Bound by hand to the registers TE_ROW_PAIR_STEP names. */
  register const int32_t *xp __asm__("r12") = xs;
  register const int32_t *wq __asm__("lr") = wp;
  register int32_t a0 __asm__("r0"), a1 __asm__("r1"), a2 __asm__("r2"), a3 __asm__("r3");
  register int32_t b0 __asm__("r4"), b1 __asm__("r5"), b2 __asm__("r6"), b3 __asm__("r7");
  register int32_t x0 __asm__("r8") = steps & 7, x1 __asm__("r9"), w0 __asm__("r10");
  register const int32_t *w1 __asm__("r11") = bias;
  __asm__ volatile(TE_ROW_PAIR_BIAS TE_ROW_PAIR_STEPS(TE_ROW_PAIR_STEP, "%[end]")
                   : "=&r"(a0), "=&r"(a1), "=&r"(a2), "=&r"(a3), "=&r"(b0), "=&r"(b1), "=&r"(b2), "=&r"(b3),
                     "+r"(xp), "+r"(wq), "=&r"(w0), "+&r"(x0), "=&r"(x1), "+&r"(w1)
                   : [end] "m"(end)
                   : "cc", "memory");
  a[0] = a0, a[1] = a1, a[2] = a2, a[3] = a3, b[0] = b0, b[1] = b1, b[2] = b2, b[3] = b3;
}


/* The job of one call's row pairs: what stays the same for every pair (the bias, the constants); 'smmul' only. `xs`
   and `end` as te_pair_job says, set here for the widened copy in scratch (te_conv2d_s8 resets `end` for its int8
   windows; te_matmul_s8 sets both per pair, its rows read in place). */
static te_pair_job te_pair_job_of(const void *xs, int32_t steps, int32_t k, int32_t out_c, const int32_t *folded_bias,
                                  const te_row_constants *c) {
  te_pair_job job;
  job.out_c = out_c;
  job.bias = folded_bias;
  job.mr = c->p->multipliers;
  job.xs = xs;
  job.end = (const int8_t *)xs + 16 * steps;
  job.offset = c->p->output_offset;
  job.lo4 = c->lo4;
  job.hi4 = c->hi4;
  job.entry = steps & 7;
  job.k = k;
  return job;
}

/* Both rows' out_c channels written at ya and yb: the full groups by `groups` (te_pair_fn_of's group loop for the
   step count and clamp), from the widened copy at job->xs, or (`raw`) from the int8 rows at job->xs and k bytes
   after it; a last out_c % 4 channels (their group and bias zero-padded) here. Inlined into each pair loop: a call a
   pair cost VWW's first layers 4%. */
static inline __attribute__((always_inline)) void te_row_pair_times_matrix(te_pair_job *job, int32_t steps,
                                                                           int32_t raw, te_pair_fn *groups,
                                                                           const int8_t *w, int32_t out_c,
                                                                           const te_row_constants *c, int8_t *ya,
                                                                           int8_t *yb) {
  const int32_t full = out_c & ~3;
  const int32_t *const last = (const int32_t *)(const void *)w + 2 * steps * full;
  int32_t a[4], b[4], bias[4], j;
  if (full) {
    job->ya = ya, job->ya_end = ya + full;
    groups(job, w);
  }
  if (full == out_c) return;
  if (raw) {
    const int8_t *const xa = (const int8_t *)job->xs;
    te_row_last_group(xa, last, job->bias, job->k, full, out_c, c->p, ya);
    te_row_last_group(xa + job->k, last, job->bias, job->k, full, out_c, c->p, yb);
    return;
  }
  for (j = 0; j < 4; j++) bias[j] = full + j < out_c ? job->bias[full + j] : 0;
  te_row_pair_last_group_dot((const int32_t *)job->xs, steps, last, bias, a, b);
  te_dsp_requantize(a, out_c - full, c->p, full, ya + full);
  te_dsp_requantize(b, out_c - full, c->p, full, yb + full);
}

/* Rows two at a time: each pair widened once into `scratch` (16·ceil(k/4) bytes), or without it (NULL) read in
   place, the second row right after the first, where k % 4 = 0 (the last word of a row must not run past x); every
   group of four channels over both; where te_matmul_pair_loop_ok (k and out_c multiples of four, int8's range),
   every pair in one asm loop (te_*_loop). `pair_fn` is te_matmul_pair_fn's choice for widened rows (the model's
   call names it), made here for rows read in place (te_matmul_s8): the pair loop, else the group loop, or none
   (fewer than two rows, layers with TFLite's (multiplier, shift) arrays, raw rows of other k or without the sign
   fix-up), which take one row at a time, as a lone last row does. */
static inline __attribute__((always_inline)) void te_matmul_pairs(const int8_t *x, const int8_t *w,
                                                                  const int32_t *folded_bias, int32_t rows, int32_t k,
                                                                  int32_t out_c, const te_mac_params *p,
                                                                  int32_t *scratch, te_pair_fn *pair_fn, int8_t *y) {
  const te_row_constants c = te_row_constants_of(p);
  const int32_t steps = (k + 3) >> 2;
  te_pair_job job = te_pair_job_of(scratch, steps, k, out_c, folded_bias, &c);
  int32_t r = 0;
  if (!scratch) pair_fn = te_matmul_pair_fn(rows, k, out_c, p, 1);
  if (pair_fn && te_matmul_pair_loop_ok(rows, k, out_c, p)) {
    /* Every pair in the asm: the outputs of the second row end where the next pair's begin. */
    r = rows & ~1;
    job.x = x, job.pairs = rows >> 1, job.w = w;
    job.ya = y, job.ya_end = y + out_c;
    pair_fn(&job, w);
    x += r * k, y += r * out_c;
  } else if (rows >= 2 && pair_fn) {
    for (; r + 2 <= rows; r += 2, x += 2 * k, y += 2 * out_c) {
      if (scratch) {
        te_widen_row_pair(x, x + k, k, scratch);
      } else {
        job.xs = x, job.end = x + k;
      }
      te_row_pair_times_matrix(&job, steps, !scratch, pair_fn, w, out_c, &c, y, y + out_c);
    }
  }
  for (; r < rows; r++, x += k, y += out_c) te_row_times_matrix(x, w, folded_bias, k, out_c, &c, y);
}

void te_matmul_row_pairs_with_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows,
                                 int32_t k, int32_t out_c, const te_mac_params *p, int32_t *scratch,
                                 te_pair_fn *pair_fn, int8_t *y) {
  te_matmul_pairs(x, w, folded_bias, rows, k, out_c, p, scratch, pair_fn, y);
}

void te_matmul_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k, int32_t out_c,
                  const te_mac_params *p, int8_t *y) {
  te_matmul_pairs(x, w, folded_bias, rows, k, out_c, p, NULL, NULL, y);
}

/* Windows of two neighbouring pixels of one output row whose taps all lie inside the input (dilation_w 1), src at
   the first one's top-left tap: kh runs of kw·c bytes each, no bounds tests (te_gather_patch tests every row). */
static void te_gather_inner_pair(const int8_t *src, const te_window *g, int8_t *pa, int8_t *pb) {
  const int32_t run = g->kw * g->c, next = g->stride_w * g->c, pitch = g->dilation_h * g->w * g->c;
  int32_t ky;
  for (ky = 0; ky < g->kh; ky++, src += pitch, pa += run, pb += run) {
    te_copy_run(pa, src, run);
    te_copy_run(pb, src + next, run);
  }
}

/* A 3×3 window of 3 channels with padded taps (te_gather_patch's job) into patch[27], tap by tap: te_gather_patch's
   memset and three-byte runs cost ~460 est. cycles a window here (VWW's first conv has 142 such windows). */
static void te_gather_window3x3_c3(const int8_t *x, const te_window *g, int32_t n, int32_t oy, int32_t ox,
                                   int8_t zero_point, int8_t *patch) {
  const int32_t h = g->h, w = g->w, dilation_h = g->dilation_h, dilation_w = g->dilation_w;
  const int32_t iy0 = oy * g->stride_h - g->pad_top, ix0 = ox * g->stride_w - g->pad_left;
  int32_t ky, kx;
  for (ky = 0; ky < 3; ky++) {
    const int32_t iy = iy0 + ky * dilation_h;
    const int8_t *const row = x + (n * h + iy) * w * 3;
    for (kx = 0; kx < 3; kx++, patch += 3) {
      const int32_t ix = ix0 + kx * dilation_w;
      const int32_t inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
      patch[0] = inside ? row[3 * ix] : zero_point;
      patch[1] = inside ? row[3 * ix + 1] : zero_point;
      patch[2] = inside ? row[3 * ix + 2] : zero_point;
    }
  }
}

/* Two output pixels at a time, as te_matmul_pairs takes two rows: their windows gathered into `patch` and, when
   `wide`, widened into its first 16·ceil(k/4) bytes (the windows after them), else read as they are (the second
   window k bytes after the first, which has 4·ceil(k/4) bytes of room: its last word is read whole). A lone last
   pixel, and layers with TFLite's (multiplier, shift) arrays, take the one-window path. The pixel's row and column
   are counted rather than divided out, and a pair wholly inside the input skips the gather's bounds tests. 3×3
   windows of 3 channels (K = 27), out_c a multiple of four and int8's range, take te_window3x3_c3_pair_loop instead:
   a row's run of inner pairs in one call, gathered by the asm (the first 8·ceil(k/4) bytes of `patch` in either
   form), and each other pair alone, gathered here. `pair_fn` is te_conv2d_pair_fn's choice: that loop, else the
   group loop (none with TFLite's arrays, or raw windows without the sign fix-up: one window at a time). */
static inline __attribute__((always_inline)) void te_conv2d_pairs(const int8_t *x, const int8_t *w,
                                                                  const int32_t *folded_bias, const te_window *g,
                                                                  int32_t out_c, const te_mac_params *p,
                                                                  int8_t *patch, int32_t wide, te_pair_fn *pair_fn,
                                                                  int8_t *y) {
  const int32_t k = g->kh * g->kw * g->c, steps = (k + 3) >> 2, pixels = g->oh * g->ow, ow = g->ow;
  const int32_t c_in = g->c, last_iy = (g->kh - 1) * g->dilation_h, last_ix = g->stride_w + g->kw - 1;
  const int8_t zero_point = (int8_t)(-p->input_offset);
  const te_row_constants c = te_row_constants_of(p);
  int8_t *const pa = wide ? patch + 16 * steps : patch, *const pb = pa + k;
  const int32_t window3x3_c3 = te_window3x3_c3_ok(g, out_c, p);
  const int32_t pitch = g->dilation_h * g->w * c_in;
  te_pair_job job = te_pair_job_of(patch, steps, k, out_c, folded_bias, &c);
  int32_t n, i, oy, ox;
  if (!wide) job.end = pa + 4 * steps;
  job.w = w;
  for (n = 0; n < g->n; n++) {
    i = 0;
    if (pair_fn) {
      for (oy = 0, ox = 0; i + 2 <= pixels; i += 2, y += 2 * out_c) {
        const int32_t iy = oy * g->stride_h - g->pad_top, ix = ox * g->stride_w - g->pad_left;
        const int32_t inner =
            ox + 1 < ow && g->dilation_w == 1 && iy >= 0 && iy + last_iy < g->h && ix >= 0 && ix + last_ix < g->w;
        if (window3x3_c3) {
          /* The row's inner pairs from here in one call (2 more pixels and 2·stride_w more columns a pair), or a
             pair with padded taps gathered here into `patch`, which the loop then reads as an input whose rows
             are 9 bytes apart and whose second window is 28 bytes after the first. */
          int32_t pairs = 1;
          if (inner) {
            const int32_t in_row = (ow - ox) >> 1, in_input = (g->w - 1 - last_ix - ix) / (2 * g->stride_w) + 1;
            pairs = in_row < in_input ? in_row : in_input;
            job.x = x + ((n * g->h + iy) * g->w + ix) * c_in, job.pitch = pitch, job.next = g->stride_w * c_in;
          } else {
            te_gather_window3x3_c3(x, g, n, oy, ox, zero_point, patch);
            te_gather_window3x3_c3(x, g, n, ox + 1 < ow ? oy : oy + 1, ox + 1 < ow ? ox + 1 : 0, zero_point,
                                   patch + 28);
            job.x = patch, job.pitch = 9, job.next = 28;
          }
          job.pairs = pairs, job.ya = y, job.ya_end = y + out_c;
          pair_fn(&job, w);
          i += 2 * (pairs - 1), y += 2 * (pairs - 1) * out_c, ox += 2 * (pairs - 1);
        } else {
          if (inner) {
            te_gather_inner_pair(x + ((n * g->h + iy) * g->w + ix) * c_in, g, pa, pb);
          } else {
            te_gather_patch(x, g, n, oy, ox, zero_point, pa);
            te_gather_patch(x, g, n, ox + 1 < ow ? oy : oy + 1, ox + 1 < ow ? ox + 1 : 0, zero_point, pb);
          }
          if (wide) te_widen_row_pair(pa, pb, k, (int32_t *)(void *)patch); /* the arena's scratch is word-aligned */
          te_row_pair_times_matrix(&job, steps, !wide, pair_fn, w, out_c, &c, y, y + out_c);
        }
        ox += 2;
        if (ox >= ow) ox -= ow, oy++;
      }
    }
    for (; i < pixels; i++, y += out_c) {
      te_gather_patch(x, g, n, i / ow, i % ow, zero_point, pa);
      te_row_times_matrix(pa, w, folded_bias, k, out_c, &c, y);
    }
  }
}

void te_conv2d_row_pairs_with_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, const te_window *g,
                                 int32_t out_c, const te_mac_params *p, int8_t *patch, te_pair_fn *pair_fn, int8_t *y) {
  te_conv2d_pairs(x, w, folded_bias, g, out_c, p, patch, 1, pair_fn, y);
}

/* The raw windows' function is chosen at run time here, as te_matmul_s8's. */
void te_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, const te_window *g, int32_t out_c,
                  const te_mac_params *p, int8_t *patch, int8_t *y) {
  te_conv2d_pairs(x, w, folded_bias, g, out_c, p, patch, 0, te_conv2d_pair_fn(g, out_c, p, 1), y);
}
