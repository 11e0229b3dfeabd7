/*
 * tinyedge: the asm loop of the cortex-m-dsp depthwise kernel (Cortex-M4/M7) over every channel group of one pixel
 * whose window is 3×3, 3×2, 2×3 or 2×2 taps of a 3×3 filter in the 'c4-int16' layout with bias and 'smmul' constants
 * (kernel-table.ts): bias, the unrolled window, requantization, clamp and store, ~118 instructions a group of four
 * channels, 72 of them the MACs. The stream pointers (bias, requantization pairs, output) live in the stack frame as
 * memory operands, so the window keeps fourteen registers across the loop; gcc spills them otherwise.
 *
 * The caller declares a0..a3, xv, xn, xe, we, wo (int32_t), wp (weights of the window's first tap), xp (its input),
 * bp, mr, y, end (output end) and off2, xstep, ystep, offset, lo4, hi4 as te_depthwise_conv2d_s8 computes them.
 * Needs -O1 or more (at -O0 gcc keeps r7 for the frame).
 */
#ifndef TINYEDGE_ARMV7EM_DW_GROUPS_H
#define TINYEDGE_ARMV7EM_DW_GROUPS_H

/* The MACs of one tap for four channels whose x word is in register X: one LDRD of the weights (w0, w2), (w1, w3),
   the x + offset unpack, four SMLAxy. */
#define TE_M4(X)                              \
  "ldrd %[we], %[wo], [%[wp]], #8\n\t"        \
  "sxtab16 %[xe], %[off], " X "\n\t"          \
  "sxtab16 " X ", %[off], " X ", ror #8\n\t"  \
  "smlabb %[a0], %[xe], %[we], %[a0]\n\t"     \
  "smlatt %[a2], %[xe], %[we], %[a2]\n\t"     \
  "smlabb %[a1], " X ", %[wo], %[a1]\n\t"     \
  "smlatt %[a3], " X ", %[wo], %[a3]\n\t"

/* One requantized channel: acc in place through the (M2, R) pair at xv (the mr stream) and the output offset in xe,
   saturated to int8. */
#define TE_RQ(acc)                                  \
  "ldrd %[we], %[wo], [%[xv]], #8\n\t"              \
  "smmlar " acc ", " acc ", %[we], " acc "\n\t"     \
  "add " acc ", " acc ", " acc ", asr #31\n\t"      \
  "smmlsr " acc ", " acc ", %[wo], %[xe]\n\t"       \
  "ssat " acc ", #8, " acc "\n\t"

/* The bytewise clamp of the packed word in a0 to [lo4, hi4] (in memory). */
#define TE_CLAMP_ASM                         \
  "ldr %[a1], %[lo]\n\t"                    \
  "ldr %[a2], %[hi]\n\t"                    \
  "ssub8 %[a3], %[a0], %[a1]\n\t"           \
  "sel %[a0], %[a0], %[a1]\n\t"             \
  "ssub8 %[a3], %[a0], %[a2]\n\t"           \
  "sel %[a0], %[a2], %[a0]\n\t"

/* Two taps at addresses A and B, their x loads back to back; one tap at A. */
#define TE_T2(A, B) "ldr %[xv], " A "\n\tldr %[xn], " B "\n\t" TE_M4("%[xv]") TE_M4("%[xn]")
#define TE_T1(A) "ldr %[xv], " A "\n\t" TE_M4("%[xv]")

/* The windows a 3×3 takes at padding ≤ 1 (whole, a column or a row off) for TE_DW_GROUPS, taps paired across rows
   where a row has three: each leaves xp where it started and wp at the next group's first tap (skipping the taps
   outside the window). */
#define TE_SKIP1 "add %[wp], %[wp], #8\n\t"
#define TE_NEXT_ROW "add %[xp], %[xp], %[ys]\n\t"
#define TE_W33                                                                                      \
  TE_T2("[%[xp]]", "[%[xp], %[xs]]") TE_T2("[%[xp], %[xs], lsl #1]", "[%[xp], %[ys]]") TE_NEXT_ROW \
  TE_T2("[%[xp], %[xs]]", "[%[xp], %[xs], lsl #1]") TE_NEXT_ROW                                    \
  TE_T2("[%[xp]]", "[%[xp], %[xs]]") TE_T1("[%[xp], %[xs], lsl #1]") "sub %[xp], %[xp], %[ys], lsl #1\n\t"
#define TE_W32                                                                        \
  TE_T2("[%[xp]]", "[%[xp], %[xs]]") TE_SKIP1 TE_NEXT_ROW                              \
  TE_T2("[%[xp]]", "[%[xp], %[xs]]") TE_SKIP1 TE_NEXT_ROW                              \
  TE_T2("[%[xp]]", "[%[xp], %[xs]]") TE_SKIP1 "sub %[xp], %[xp], %[ys], lsl #1\n\t"
#define TE_W23                                                                                      \
  TE_T2("[%[xp]]", "[%[xp], %[xs]]") TE_T2("[%[xp], %[xs], lsl #1]", "[%[xp], %[ys]]") TE_NEXT_ROW \
  TE_T2("[%[xp], %[xs]]", "[%[xp], %[xs], lsl #1]") "sub %[xp], %[xp], %[ys]\n\tadd %[wp], %[wp], #24\n\t"
#define TE_W22                                                                        \
  TE_T2("[%[xp]]", "[%[xp], %[xs]]") TE_SKIP1 TE_NEXT_ROW                              \
  TE_T2("[%[xp]]", "[%[xp], %[xs]]") "sub %[xp], %[xp], %[ys]\n\tadd %[wp], %[wp], #32\n\t"

/* Every group of one pixel (multiplier 1, every channel in a group) as one asm loop: bias, the WINDOW, requantization,
   the clamp (CLAMP: TE_CLAMP_ASM or "" when the range is int8's) and the store, with the stream pointers kept in the stack frame
   (memory operands) so that the window keeps its fourteen registers across the loop. */
#define TE_DW_GROUPS(WINDOW, CLAMP)                                                                                       \
  __asm__("1:\n\t"                                                                                                 \
          "ldr %[xv], %[bp]\n\t"                                                                                   \
          "ldrd %[a0], %[a1], [%[xv]], #8\n\t"                                                                     \
          "ldrd %[a2], %[a3], [%[xv]], #8\n\t"                                                                     \
          "str %[xv], %[bp]\n\t"                                                                                   \
          WINDOW                                                                                                    \
          "add %[xp], %[xp], #4\n\t"                                                                               \
          "ldr %[xv], %[mr]\n\t"                                                                                   \
          "ldr %[xe], %[offset]\n\t"                                                                               \
          TE_RQ("%[a0]") TE_RQ("%[a1]") "bfi %[a0], %[a1], #8, #8\n\t"                                              \
          TE_RQ("%[a2]") "bfi %[a0], %[a2], #16, #8\n\t"                                                            \
          TE_RQ("%[a3]") "bfi %[a0], %[a3], #24, #8\n\t"                                                            \
          "str %[xv], %[mr]\n\t"                                                                                   \
          CLAMP                                                                                                     \
          "ldr %[a1], %[y]\n\t"                                                                                    \
          "ldr %[a2], %[end]\n\t"                                                                                  \
          "str %[a0], [%[a1]], #4\n\t"                                                                             \
          "str %[a1], %[y]\n\t"                                                                                    \
          "cmp %[a1], %[a2]\n\t"                                                                                   \
          "bcc 1b\n\t"                                                                                             \
          : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [wp] "+r"(wp), [xp] "+r"(xp),           \
            [xv] "=&r"(xv), [xn] "=&r"(xn), [xe] "=&r"(xe), [we] "=&r"(we), [wo] "=&r"(wo), [bp] "+m"(bp),          \
            [mr] "+m"(mr), [y] "+m"(y)                                                                              \
          : [off] "r"(off2), [xs] "r"(xstep), [ys] "r"(ystep), [offset] "m"(offset), [end] "m"(end),                \
            [lo] "m"(lo4), [hi] "m"(hi4)                                                                            \
          : "cc", "memory")

#endif
