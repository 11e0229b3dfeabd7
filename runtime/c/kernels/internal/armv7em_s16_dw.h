/*
 * tinyedge: the 16×8 depthwise windows of the cortex-m-dsp int16_mac kernels (Cortex-M4/M7): four channels of one
 * output pixel (multiplier 1) against 'c4-int16' taps (kernel-table.ts: per tap the words (w0, w2) and (w1, w3)).
 * An int16 input needs no unpacking and no pairing: SMLAxy picks any halves, so a tap is one LDR of (x0, x1), one of
 * (x2, x3), one LDRD of its weights and four SMLAxy; a whole 3×3 window is 67 instructions for 36 MACs, its pointers
 * stepped by register offsets, and the windows a border cuts at padding ≤ 1 the same. TE_S16_DW_GROUP_LOOP runs a
 * pixel's groups from the window to the stored outputs (one SMMULR requantization): 110 instructions a group of a
 * whole window.
 * Included once, by int16_mac.c, after armv7em_dsp.h.
 */
#ifndef TINYEDGE_ARMV7EM_S16_DW_H
#define TINYEDGE_ARMV7EM_S16_DW_H

#include <arm_acle.h>
#include <stdint.h>
#include <string.h>

/* One tap: channels (0, 1) at XA, (2, 3) at XB, the weight words WOFF bytes past wp; TAP0 the window's first, which
   starts the sums (no zeroing). */
#define TE_S16_DW_LOADS(XA, XB, WOFF)                                                                              \
  "ldr %[xa], " XA "\n\tldr %[xb], " XB "\n\tldrd %[we], %[wo], [%[wp], #" WOFF "]\n\t"
#define TE_S16_DW_TAP(XA, XB, WOFF)                                                                                \
  TE_S16_DW_LOADS(XA, XB, WOFF)                                                                                    \
  "smlabb %[a0], %[xa], %[we], %[a0]\n\tsmlabt %[a2], %[xb], %[we], %[a2]\n\t"                                     \
  "smlatb %[a1], %[xa], %[wo], %[a1]\n\tsmlatt %[a3], %[xb], %[wo], %[a3]\n\t"
#define TE_S16_DW_TAP0(XA, XB, WOFF)                                                                               \
  TE_S16_DW_LOADS(XA, XB, WOFF)                                                                                    \
  "smulbb %[a0], %[xa], %[we]\n\tsmulbt %[a2], %[xb], %[we]\n\t"                                                   \
  "smultb %[a1], %[xa], %[wo]\n\tsmultt %[a3], %[xb], %[wo]\n\t"

/* Row R of the window, its three (ROW3) or two (ROW2) columns xs bytes apart (xp at channel 0, xq 4 bytes on; the
   first column's tap by FIRST); the taps' weights 24 bytes a row and 8 a column past wp. */
#define TE_S16_DW_ROW2(R, FIRST)                                                                                   \
  FIRST("[%[xp]]", "[%[xq]]", #R "*24")                                                                            \
  TE_S16_DW_TAP("[%[xp], %[xs]]", "[%[xq], %[xs]]", #R "*24+8")
#define TE_S16_DW_ROW3(R, FIRST)                                                                                   \
  TE_S16_DW_ROW2(R, FIRST) TE_S16_DW_TAP("[%[xp], %[xs], lsl #1]", "[%[xq], %[xs], lsl #1]", #R "*24+16")
#define TE_S16_DW_NEXT_ROW "add %[xp], %[xp], %[ys]\n\tadd %[xq], %[xq], %[ys]\n\t"

/* The windows of a 3×3 filter at padding ≤ 1: whole, or a row or a column (or both) cut by the border; each leaves
   xp on its last row (TE_S16_DW_BACK_<window> takes it back). */
#define TE_S16_DW_33                                                                                               \
  TE_S16_DW_ROW3(0, TE_S16_DW_TAP0) TE_S16_DW_NEXT_ROW TE_S16_DW_ROW3(1, TE_S16_DW_TAP) TE_S16_DW_NEXT_ROW         \
  TE_S16_DW_ROW3(2, TE_S16_DW_TAP)
#define TE_S16_DW_32                                                                                               \
  TE_S16_DW_ROW2(0, TE_S16_DW_TAP0) TE_S16_DW_NEXT_ROW TE_S16_DW_ROW2(1, TE_S16_DW_TAP) TE_S16_DW_NEXT_ROW         \
  TE_S16_DW_ROW2(2, TE_S16_DW_TAP)
#define TE_S16_DW_23 TE_S16_DW_ROW3(0, TE_S16_DW_TAP0) TE_S16_DW_NEXT_ROW TE_S16_DW_ROW3(1, TE_S16_DW_TAP)
#define TE_S16_DW_22 TE_S16_DW_ROW2(0, TE_S16_DW_TAP0) TE_S16_DW_NEXT_ROW TE_S16_DW_ROW2(1, TE_S16_DW_TAP)
#define TE_S16_DW_BACK_TE_S16_DW_33 "sub %[xp], %[xp], %[ys], lsl #1\n\t"
#define TE_S16_DW_BACK_TE_S16_DW_32 TE_S16_DW_BACK_TE_S16_DW_33
#define TE_S16_DW_BACK_TE_S16_DW_23 "sub %[xp], %[xp], %[ys]\n\t"
#define TE_S16_DW_BACK_TE_S16_DW_22 TE_S16_DW_BACK_TE_S16_DW_23

/* (a0, a1, a2, a3) = the sums of one WINDOW of four channels (x at its first tap, columns xs and rows ys bytes apart,
   w that tap's weight words in the group's 18). */
#define TE_S16_DW_WINDOW(WINDOW)                                                                                   \
  __asm__(WINDOW                                                                                                   \
          : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [xa] "=&r"(xa), [xb] "=&r"(xb),        \
            [we] "=&r"(we), [wo] "=&r"(wo), [xp] "+&r"(xp), [xq] "+&r"(xq)                                         \
          : [wp] "r"(w), [xs] "r"(xs), [ys] "r"(ys)                                                                \
          : "memory")

/* The sums of four channels over a window of a 3×3 filter of `shape` (3·rows + columns: 12, 11, 9 or 8, the taps a
   border leaves at padding ≤ 1), in asm; 0 for another shape (the caller sums it tap by tap). */
static inline __attribute__((always_inline)) int32_t te_s16_dw_window(int32_t shape, const int16_t *x,
                                                                      const int32_t *w, int32_t xs, int32_t ys,
                                                                      int32_t *s0, int32_t *s1, int32_t *s2,
                                                                      int32_t *s3) {
  const int16_t *xp = x, *xq = x + 2;
  int32_t a0, a1, a2, a3, xa, xb, we, wo;
  switch (shape) {
  case 12: TE_S16_DW_WINDOW(TE_S16_DW_33); break;
  case 11: TE_S16_DW_WINDOW(TE_S16_DW_32); break;
  case 9: TE_S16_DW_WINDOW(TE_S16_DW_23); break;
  case 8: TE_S16_DW_WINDOW(TE_S16_DW_22); break;
  default: return 0;
  }
  *s0 = a0;
  *s1 = a1;
  *s2 = a2;
  *s3 = a3;
  return 1;
}

/* One requantized channel: its int32 bias added, SMMULR by its multiplier (the pair (bias, R) at br + OFF), SSAT. */
#define TE_S16_DW_REQUANTIZE(A, OFF)                                                                               \
  "ldrd %[b], %[r], [%[br], #" OFF "]\n\t"                                                                         \
  "add " A ", " A ", %[b]\n\tsmmulr " A ", " A ", %[r]\n\tssat " A ", #16, " A "\n\t"

/* y[0..4) from four channels' sums: te_s16_requantize_fast's SMMULR path (output offset 0; br the channels'
   (int32 bias, R) pairs, which te_s16_block_constants_of found exact), the pairs packed and clamped halfwise to
   [lo2, hi2] (the activation range in both halves) by SSUB16/SEL, two STR (y may be unaligned). */
static inline __attribute__((always_inline)) void te_s16_dw_store4(int32_t a0, int32_t a1, int32_t a2, int32_t a3,
                                                                   const int32_t *br, uint32_t lo2, uint32_t hi2,
                                                                   int16_t *y) {
  int32_t b, r;
  __asm__ volatile(TE_S16_DW_REQUANTIZE("%[a0]", "0") TE_S16_DW_REQUANTIZE("%[a1]", "8")
                   TE_S16_DW_REQUANTIZE("%[a2]", "16") TE_S16_DW_REQUANTIZE("%[a3]", "24")
                   "pkhbt %[a0], %[a0], %[a1], lsl #16\n\tpkhbt %[a2], %[a2], %[a3], lsl #16\n\t"
                   "ssub16 %[b], %[a0], %[lo]\n\tsel %[a0], %[a0], %[lo]\n\t"
                   "ssub16 %[b], %[a0], %[hi]\n\tsel %[a0], %[hi], %[a0]\n\t"
                   "ssub16 %[b], %[a2], %[lo]\n\tsel %[a2], %[a2], %[lo]\n\t"
                   "ssub16 %[b], %[a2], %[hi]\n\tsel %[a2], %[hi], %[a2]\n\t"
                   "str %[a0], [%[y]]\n\tstr %[a2], [%[y], #4]\n\t"
                   : [a0] "+&r"(a0), [a1] "+&r"(a1), [a2] "+&r"(a2), [a3] "+&r"(a3), [b] "=&r"(b), [r] "=&r"(r)
                   : [br] "r"(br), [lo] "r"(lo2), [hi] "r"(hi2), [y] "r"(y)
                   : "cc", "memory");
}

/* One requantized channel of the group loop: its (bias, R) pair OFF bytes past xb, SMMULR, SSAT. */
#define TE_S16_DW_GROUP_REQUANTIZE(A, OFF)                                                                         \
  "ldrd %[we], %[wo], [%[xb], #" OFF "]\n\t"                                                                       \
  "add " A ", " A ", %[we]\n\tsmmulr " A ", " A ", %[wo]\n\tssat " A ", #16, " A "\n\t"

/* Every group of a block of one pixel whose groups all take the SMMULR path, as one asm loop: the WINDOW, then
   te_s16_dw_store4's requantization, clamp and store. The streams (br, y) and the loop's constants live in the stack
   frame as memory operands, so the window keeps its thirteen registers across the loop. */
#define TE_S16_DW_GROUP_LOOP(WINDOW)                                                                               \
  __asm__("1:\n\t"                                                                                                 \
          "add %[xq], %[xp], #4\n\t" WINDOW TE_S16_DW_BACK_##WINDOW                                                \
          "add %[wp], %[wp], #72\n\t"                                                                              \
          "add %[xp], %[xp], #8\n\t"                                                                               \
          "ldr %[xb], %[br]\n\t"                                                                                   \
          TE_S16_DW_GROUP_REQUANTIZE("%[a0]", "0") TE_S16_DW_GROUP_REQUANTIZE("%[a1]", "8")                        \
          TE_S16_DW_GROUP_REQUANTIZE("%[a2]", "16") TE_S16_DW_GROUP_REQUANTIZE("%[a3]", "24")                      \
          "add %[xb], %[xb], #32\n\t"                                                                              \
          "str %[xb], %[br]\n\t"                                                                                   \
          "pkhbt %[a0], %[a0], %[a1], lsl #16\n\tpkhbt %[a2], %[a2], %[a3], lsl #16\n\t"                           \
          "ldr %[we], %[lo]\n\tldr %[wo], %[hi]\n\t"                                                               \
          "ssub16 %[xa], %[a0], %[we]\n\tsel %[a0], %[a0], %[we]\n\t"                                              \
          "ssub16 %[xa], %[a0], %[wo]\n\tsel %[a0], %[wo], %[a0]\n\t"                                              \
          "ssub16 %[xa], %[a2], %[we]\n\tsel %[a2], %[a2], %[we]\n\t"                                              \
          "ssub16 %[xa], %[a2], %[wo]\n\tsel %[a2], %[wo], %[a2]\n\t"                                              \
          "ldr %[xb], %[y]\n\t"                                                                                    \
          "ldr %[xa], %[end]\n\t"                                                                                  \
          "str %[a0], [%[xb]]\n\tstr %[a2], [%[xb], #4]\n\t"                                                       \
          "add %[xb], %[xb], #8\n\t"                                                                               \
          "str %[xb], %[y]\n\t"                                                                                    \
          "cmp %[xb], %[xa]\n\t"                                                                                   \
          "bne 1b\n\t"                                                                                             \
          : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [xa] "=&r"(xa), [xb] "=&r"(xb),        \
            [we] "=&r"(we), [wo] "=&r"(wo), [xq] "=&r"(xq), [xp] "+r"(xp), [wp] "+r"(wp), [br] "+m"(br),          \
            [y] "+m"(y)                                                                                            \
          : [xs] "r"(xs), [ys] "r"(ys), [lo] "m"(lo2), [hi] "m"(hi2), [end] "m"(end)                               \
          : "cc", "memory")

/* y[0..4·groups) of one pixel from its window of `shape` (as te_s16_dw_window; another shape returns 0): x at its
   first tap, channel 0; w that tap's weight words in the first group (a 3×3 filter's groups 72 bytes apart); br
   the groups' (bias, R) pairs, every one of them exact (te_s16_dw_store4). */
static inline __attribute__((always_inline)) int32_t te_s16_dw_fast_groups(int32_t shape, const int16_t *x,
                                                                           const int32_t *w, int32_t xs,
                                                                           int32_t ys, const int32_t *br,
                                                                           uint32_t lo2, uint32_t hi2, int16_t *y,
                                                                           const int16_t *end) {
  const int16_t *xp = x, *xq;
  const int32_t *wp = w;
  int32_t a0, a1, a2, a3, xa, xb, we, wo;
  switch (shape) {
  case 12: TE_S16_DW_GROUP_LOOP(TE_S16_DW_33); break;
  case 11: TE_S16_DW_GROUP_LOOP(TE_S16_DW_32); break;
  case 9: TE_S16_DW_GROUP_LOOP(TE_S16_DW_23); break;
  case 8: TE_S16_DW_GROUP_LOOP(TE_S16_DW_22); break;
  default: return 0;
  }
  return 1;
}

/* (s0..s3) += one tap of four channels at x against its two weight words w (windows a border cuts). */
static inline __attribute__((always_inline)) void te_s16_dw_tap(const int16_t *x, const int32_t *w, int32_t *s0,
                                                                int32_t *s1, int32_t *s2, int32_t *s3) {
  int32_t xa, xb;
  memcpy(&xa, x, 4);
  memcpy(&xb, x + 2, 4);
  *s0 = __smlabb(xa, w[0], *s0);
  *s2 = __smlabt(xb, w[0], *s2);
  *s1 = __smlatb(xa, w[1], *s1);
  *s3 = __smlatt(xb, w[1], *s3);
}

#endif
