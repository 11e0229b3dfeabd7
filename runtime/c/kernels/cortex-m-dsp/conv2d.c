/*
 * Cortex-M4/M7 (Armv7E-M DSP) int8 convolution and matrix product, weights 'o4-s16-pairs' (kernel-table.ts): int16,
 * per group of four output channels and per step of four k, each channel's pairs (w0, w2) and (w1, w3), K and the
 * last group zero-padded by the compiler. A step loads four int8 of x once, unpacks them into the same pairs with
 * SXTB16 (bytes 0, 2 and 1, 3), loads the group's eight weight words with two LDM and multiplies with eight SMLAD:
 * 16 MACs in 13 instructions, no weight sign-extension (the int8 layout needed 21).
 */
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/armv7em_dsp.h"

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

static inline __attribute__((always_inline)) void te_row_times_matrix(const int8_t *x, const int8_t *w,
                                                                      const int32_t *folded_bias, int32_t k,
                                                                      int32_t out_c, const te_row_constants *c,
                                                                      int8_t *y) {
  const te_mac_params *p = c->p;
  const int32_t *wp = (const int32_t *)(const void *)w; /* an int32 array (render-nodes.ts): word-aligned */
  const uint32_t tail = k & 3 ? te_tail_word(x, k) : 0;
  int32_t s[4], o, j;
  for (o = 0; o + 4 <= out_c; o += 4) {
    int32_t s0, s1, s2, s3;
    /* Two LDRD: gcc's four loads of the group's bias came with register moves. */
    __asm__("ldrd %0, %1, [%4]\n\tldrd %2, %3, [%4, #8]"
            : "=&r"(s0), "=&r"(s1), "=&r"(s2), "=r"(s3)
            : "r"(folded_bias + o), "m"(*(const int32_t(*)[4])(folded_bias + o)));
    te_s16_group_dot(x, &wp, k, tail, &s0, &s1, &s2, &s3);
    te_requantize_group4(s0, s1, s2, s3, c, o, y);
  }
  if (o < out_c) {
    /* The last out_c % 4 channels: their group is zero-padded to four. */
    for (j = 0; j < 4; j++) s[j] = o + j < out_c ? folded_bias[o + j] : 0;
    te_s16_group_dot(x, &wp, k, tail, &s[0], &s[1], &s[2], &s[3]);
    te_dsp_requantize(s, out_c - o, p, o, y + o);
  }
}

#include "../internal/row_drivers.h"

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

/* One step of four k for two rows and four channels, 32 MACs: the rows' four words at xp (te_widen_row_pair), the
   group's eight at wp (channel j's (k, k + 2) pair at word 2j, its (k + 1, k + 3) at 2j + 1). Loads come in runs (a
   load after a load costs one cycle, after anything else two) and both pointers advance on their run's first load:
   32 cycles on the Cortex-M4 against the one-row step's 44. */
#define TE_ROW_PAIR_STEP                                                                                            \
  "ldr %[x0], [%[xp]], #16\n\t"                                                                                    \
  "ldr %[x1], [%[xp], #-12]\n\t"                                                                                   \
  "ldr %[w0], [%[wp]], #32\n\t"                                                                                    \
  "ldr %[w1], [%[wp], #-24]\n\t"                                                                                   \
  "smlad %[a0], %[x0], %[w0], %[a0]\n\tsmlad %[b0], %[x1], %[w0], %[b0]\n\t"                                        \
  "smlad %[a1], %[x0], %[w1], %[a1]\n\tsmlad %[b1], %[x1], %[w1], %[b1]\n\t"                                        \
  "ldr %[w0], [%[wp], #-16]\n\t"                                                                                   \
  "ldr %[w1], [%[wp], #-8]\n\t"                                                                                    \
  "smlad %[a2], %[x0], %[w0], %[a2]\n\tsmlad %[b2], %[x1], %[w0], %[b2]\n\t"                                        \
  "smlad %[a3], %[x0], %[w1], %[a3]\n\tsmlad %[b3], %[x1], %[w1], %[b3]\n\t"                                        \
  "ldr %[x0], [%[xp], #-8]\n\t"                                                                                    \
  "ldr %[x1], [%[xp], #-4]\n\t"                                                                                    \
  "ldr %[w0], [%[wp], #-28]\n\t"                                                                                   \
  "ldr %[w1], [%[wp], #-20]\n\t"                                                                                   \
  "smlad %[a0], %[x0], %[w0], %[a0]\n\tsmlad %[b0], %[x1], %[w0], %[b0]\n\t"                                        \
  "smlad %[a1], %[x0], %[w1], %[a1]\n\tsmlad %[b1], %[x1], %[w1], %[b1]\n\t"                                        \
  "ldr %[w0], [%[wp], #-12]\n\t"                                                                                   \
  "ldr %[w1], [%[wp], #-4]\n\t"                                                                                    \
  "smlad %[a2], %[x0], %[w0], %[a2]\n\tsmlad %[b2], %[x1], %[w0], %[b2]\n\t"                                        \
  "smlad %[a3], %[x0], %[w1], %[a3]\n\tsmlad %[b3], %[x1], %[w1], %[b3]\n\t"

/* The group's bias at %[w1] into a0..a3 and b0..b3 (one LDM, the second row's copy by moves). */
#define TE_ROW_PAIR_BIAS \
  "ldmia %[w1], {%[a0], %[a1], %[a2], %[a3]}\n\t" \
  "mov %[b0], %[a0]\n\tmov %[b1], %[a1]\n\tmov %[b2], %[a2]\n\tmov %[b3], %[a3]\n\t"

#define TE_ROW_PAIR_OPERANDS                                                                                 \
  : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [b0] "=&r"(b0), [b1] "=&r"(b1),           \
    [b2] "=&r"(b2), [b3] "=&r"(b3), [xp] "+r"(xp), [wp] "+r"(wq), [w0] "+&r"(w0), [x0] "=&r"(x0),              \
    [x1] "=&r"(x1), [w1] "+&r"(w1)                                                                           \
  : [end] "m"(end)                                                                                           \
  : "cc", "memory"

/* The group's accumulators a0..a3 (first row) and b0..b3 (second row): the folded bias at `bias` plus the widened
   rows at xs (`steps` steps, te_widen_row_pair) times the group at *wp, which is left at the next group. The fourteen
   registers the step needs leave none for a counter: the loop stops when xp reaches `end`, read from the stack. Four
   steps a pass (the taken branch and the end test paid once), entered at the (5 − steps % 4)th when steps % 4 ≠ 0.
   `straight` (a constant at each inlined call): two or four steps (K ≤ 16, VWW's first pointwise layers) run
   without the dispatch and the end test. */
static inline __attribute__((always_inline)) void te_row_pair_group_dot(const int32_t *xs, int32_t steps,
                                                                        int32_t straight, const int32_t **wp,
                                                                        const int32_t *bias, int32_t *a, int32_t *b) {
  const int32_t *const end = xs + 4 * steps;
  /* Bound by hand: gcc's allocator finds no fourteen registers for the asm by itself; LDM wants a0..a3 ascending. */
  register const int32_t *xp __asm__("r12") = xs;
  register const int32_t *wq __asm__("lr") = *wp;
  register int32_t a0 __asm__("r0"), a1 __asm__("r1"), a2 __asm__("r2"), a3 __asm__("r3");
  register int32_t b0 __asm__("r4"), b1 __asm__("r5"), b2 __asm__("r6"), b3 __asm__("r7");
  register int32_t x0 __asm__("r8"), x1 __asm__("r9"), w0 __asm__("r10") = steps & 3;
  register const int32_t *w1 __asm__("r11") = bias;
  if (straight && steps == 2) {
    __asm__ volatile(TE_ROW_PAIR_BIAS TE_ROW_PAIR_STEP TE_ROW_PAIR_STEP TE_ROW_PAIR_OPERANDS);
  } else if (straight) {
    __asm__ volatile(TE_ROW_PAIR_BIAS TE_ROW_PAIR_STEP TE_ROW_PAIR_STEP TE_ROW_PAIR_STEP TE_ROW_PAIR_STEP
                         TE_ROW_PAIR_OPERANDS);
  } else {
    __asm__ volatile(TE_ROW_PAIR_BIAS
                     "cmp %[w0], #2\n\t"
                     "beq 3f\n\t"
                     "bhi 2f\n\t"
                     "cmp %[w0], #1\n\t"
                     "beq 4f\n"
                     "1:\n\t" TE_ROW_PAIR_STEP "2:\n\t" TE_ROW_PAIR_STEP "3:\n\t" TE_ROW_PAIR_STEP "4:\n\t" TE_ROW_PAIR_STEP
                     "ldr %[w0], %[end]\n\t"
                     "cmp %[xp], %[w0]\n\t"
                     "bne 1b\n\t" TE_ROW_PAIR_OPERANDS);
  }
  a[0] = a0, a[1] = a1, a[2] = a2, a[3] = a3, b[0] = b0, b[1] = b1, b[2] = b2, b[3] = b3;
  *wp = wq;
}

/* One channel of both rows requantized with the (M2, R) pair at *mr, which is left at the next pair. */
static inline __attribute__((always_inline)) void te_smmul_requantize_both(int32_t a, int32_t b, const int32_t **mr,
                                                                           int32_t offset, int32_t *za, int32_t *zb) {
  int32_t m, r;
  TE_LDRD_POST(m, r, *mr);
  *za = te_smmul_requantize(a, m, r, offset);
  *zb = te_smmul_requantize(b, m, r, offset);
}

/* Both rows' four channels of a group requantized ('smmul' pairs at mr) into ya and yb: each channel's (M2, R) loaded
   once for both rows (te_smmul_requantize4 twice loads them twice). */
static inline __attribute__((always_inline)) void te_smmul_requantize4_pair(const int32_t *a, const int32_t *b,
                                                                            const int32_t *mr, int32_t offset,
                                                                            int32_t clamp, uint32_t lo4, uint32_t hi4,
                                                                            int8_t *ya, int8_t *yb) {
  int32_t za0, za1, za2, za3, zb0, zb1, zb2, zb3;
  uint32_t wa, wb;
  te_smmul_requantize_both(a[0], b[0], &mr, offset, &za0, &zb0);
  te_smmul_requantize_both(a[1], b[1], &mr, offset, &za1, &zb1);
  te_smmul_requantize_both(a[2], b[2], &mr, offset, &za2, &zb2);
  te_smmul_requantize_both(a[3], b[3], &mr, offset, &za3, &zb3);
  wa = te_pack4_s8(za0, za1, za2, za3);
  wb = te_pack4_s8(zb0, zb1, zb2, zb3);
  if (clamp) wa = te_clamp4_s8(wa, lo4, hi4), wb = te_clamp4_s8(wb, lo4, hi4);
  memcpy(ya, &wa, 4);
  memcpy(yb, &wb, 4);
}

/* Both rows' out_c channels from their widened copy at xs (`steps` steps), written at ya and yb; 'smmul' constants,
   copied out of c (the asm's memory clobber would reload c's fields every group). Always inlined into one copy per
   step count below (its unrolled asm is long); a call a row pair costs little. */
static inline __attribute__((always_inline)) void te_row_pair_groups(const int32_t *xs, int32_t steps,
                                                                     int32_t straight, const int8_t *w,
                                                                     const int32_t *folded_bias, int32_t out_c,
                                                                     const te_row_constants *c, int8_t *ya,
                                                                     int8_t *yb) {
  const te_mac_params *p = c->p;
  const int32_t *const mr = p->multipliers, offset = p->output_offset, clamp = c->clamp;
  const uint32_t lo4 = c->lo4, hi4 = c->hi4;
  const int32_t *wp = (const int32_t *)(const void *)w; /* an int32 array (render-nodes.ts): word-aligned */
  int32_t a[4], b[4], o, j;
  for (o = 0; o + 4 <= out_c; o += 4) {
    te_row_pair_group_dot(xs, steps, straight, &wp, folded_bias + o, a, b);
    te_smmul_requantize4_pair(a, b, mr + 2 * o, offset, clamp, lo4, hi4, ya + o, yb + o);
  }
  if (o < out_c) {
    /* The last out_c % 4 channels: their group is zero-padded to four, and so is its bias here. */
    int32_t bias[4];
    for (j = 0; j < 4; j++) bias[j] = o + j < out_c ? folded_bias[o + j] : 0;
    te_row_pair_group_dot(xs, steps, straight, &wp, bias, a, b);
    te_dsp_requantize(a, out_c - o, p, o, ya + o);
    te_dsp_requantize(b, out_c - o, p, o, yb + o);
  }
}

static __attribute__((noinline)) void te_row_pair_groups_k8(const int32_t *xs, const int8_t *w, const int32_t *bias,
                                                            int32_t out_c, const te_row_constants *c, int8_t *ya,
                                                            int8_t *yb) {
  te_row_pair_groups(xs, 2, 1, w, bias, out_c, c, ya, yb);
}

static __attribute__((noinline)) void te_row_pair_groups_k16(const int32_t *xs, const int8_t *w, const int32_t *bias,
                                                             int32_t out_c, const te_row_constants *c, int8_t *ya,
                                                             int8_t *yb) {
  te_row_pair_groups(xs, 4, 1, w, bias, out_c, c, ya, yb);
}

static __attribute__((noinline)) void te_row_pair_groups_any(const int32_t *xs, int32_t steps, const int8_t *w,
                                                             const int32_t *bias, int32_t out_c,
                                                             const te_row_constants *c, int8_t *ya, int8_t *yb) {
  te_row_pair_groups(xs, steps, 0, w, bias, out_c, c, ya, yb);
}

/* One copy for te_matmul_row_pairs_s8 and te_conv2d_row_pairs_s8, which picks the step count's copy. */
static inline void te_row_pair_times_matrix(const int32_t *xs, int32_t steps, const int8_t *w,
                                            const int32_t *folded_bias, int32_t out_c, const te_row_constants *c,
                                            int8_t *ya, int8_t *yb) {
  if (steps == 2) {
    te_row_pair_groups_k8(xs, w, folded_bias, out_c, c, ya, yb);
  } else if (steps == 4) {
    te_row_pair_groups_k16(xs, w, folded_bias, out_c, c, ya, yb);
  } else {
    te_row_pair_groups_any(xs, steps, w, folded_bias, out_c, c, ya, yb);
  }
}

/* Widens each pair of rows once, then runs every group of four channels over both. Layers with TFLite's (multiplier,
   shift) arrays (no 'smmul' pairs) keep the one-row path. */
void te_matmul_row_pairs_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k,
                            int32_t out_c, const te_mac_params *p, int32_t *scratch, int8_t *y) {
  const te_row_constants c = te_row_constants_of(p);
  const int32_t steps = (k + 3) >> 2;
  int32_t r = 0;
  if (!p->shifts) {
    for (; r + 2 <= rows; r += 2, x += 2 * k, y += 2 * out_c) {
      te_widen_row_pair(x, x + k, k, scratch);
      te_row_pair_times_matrix(scratch, steps, w, folded_bias, out_c, &c, y, y + out_c);
    }
  }
  for (; r < rows; r++, x += k, y += out_c) te_row_times_matrix(x, w, folded_bias, k, out_c, &c, y);
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

/* te_conv2d_s8 two output pixels at a time, as te_matmul_row_pairs_s8 takes two rows: `patch` (cScratchBytes) holds
   their widened windows (16·ceil(k/4) bytes) and then the two int8 windows they are gathered into. A lone last
   pixel, and layers with TFLite's (multiplier, shift) arrays, take the one-window path. The pixel's row and column
   are counted rather than divided out, and a pair wholly inside the input skips the gather's bounds tests. */
void te_conv2d_row_pairs_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, const te_window *g, int32_t out_c,
                  const te_mac_params *p, int8_t *patch, int8_t *y) {
  const int32_t k = g->kh * g->kw * g->c, steps = (k + 3) >> 2, pixels = g->oh * g->ow, ow = g->ow;
  const int32_t c_in = g->c, last_iy = (g->kh - 1) * g->dilation_h, last_ix = g->stride_w + g->kw - 1;
  const int8_t zero_point = (int8_t)(-p->input_offset);
  const te_row_constants c = te_row_constants_of(p);
  int32_t *const wide = (int32_t *)(void *)patch; /* the arena's scratch is word-aligned */
  int8_t *const pa = patch + 16 * steps, *const pb = pa + k;
  int32_t n, i, oy, ox;
  for (n = 0; n < g->n; n++) {
    i = 0;
    if (!p->shifts) {
      for (oy = 0, ox = 0; i + 2 <= pixels; i += 2, y += 2 * out_c) {
        const int32_t iy = oy * g->stride_h - g->pad_top, ix = ox * g->stride_w - g->pad_left;
        if (ox + 1 < ow && g->dilation_w == 1 && iy >= 0 && iy + last_iy < g->h && ix >= 0 && ix + last_ix < g->w) {
          te_gather_inner_pair(x + ((n * g->h + iy) * g->w + ix) * c_in, g, pa, pb);
        } else {
          te_gather_patch(x, g, n, oy, ox, zero_point, pa);
          te_gather_patch(x, g, n, ox + 1 < ow ? oy : oy + 1, ox + 1 < ow ? ox + 1 : 0, zero_point, pb);
        }
        te_widen_row_pair(pa, pb, k, wide);
        te_row_pair_times_matrix(wide, steps, w, folded_bias, out_c, &c, y, y + out_c);
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
