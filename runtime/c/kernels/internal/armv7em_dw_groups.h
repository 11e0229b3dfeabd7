/*
 * tinyedge: the asm loop of the cortex-m-dsp depthwise kernel (Cortex-M4/M7) over every channel group of one pixel
 * whose window is 3×3, 3×2, 2×3 or 2×2 taps of a 3×3 filter in the 'c4-int16' layout with bias and 'smmul' constants
 * (kernel-table.ts): bias, the unrolled window, requantization, clamp and store, ~118 instructions a group of four
 * channels, 72 of them the MACs. The stream pointers (bias, requantization pairs, output) live in the stack frame as
 * memory operands, so the window keeps fourteen registers across the loop; gcc spills them otherwise. Beside it,
 * TE_DW_PAIR_GROUPS: the same for two output pixels at a time (side by side, or one above the other), two channels of
 * both a pass.
 *
 * The caller declares a0..a3, xv, xn, xe, we, wo (int32_t), wp (weights of the window's first tap), xp (its input),
 * bp, mr, y, end (output end) and off2, xstep, ystep, offset, lo4, hi4 as te_depthwise_conv2d_s8 computes them.
 * Needs -O1 or more (at -O0 gcc keeps r7 for the frame).
 */
#ifndef TINYEDGE_ARMV7EM_DW_GROUPS_H
#define TINYEDGE_ARMV7EM_DW_GROUPS_H

/* The MACs of one tap for four channels whose x word is in register X and weights (w0, w2), (w1, w3) in we, wo: the
   x + offset unpack, four SMLAxy. */
#define TE_M4W(X)                             \
  "sxtab16 %[xe], %[off], " X "\n\t"          \
  "sxtab16 " X ", %[off], " X ", ror #8\n\t"  \
  "smlabb %[a0], %[xe], %[we], %[a0]\n\t"     \
  "smlatt %[a2], %[xe], %[we], %[a2]\n\t"     \
  "smlabb %[a1], " X ", %[wo], %[a1]\n\t"     \
  "smlatt %[a3], " X ", %[wo], %[a3]\n\t"

/* The same with the tap's weights loaded first (one LDRD, wp advancing past them). */
#define TE_M4(X) "ldrd %[we], %[wo], [%[wp]], #8\n\t" TE_M4W(X)

/* One requantized channel: acc in place through M2 in register M and R in R, the output offset in OFF, saturated
   to int8. */
#define TE_RQ_IN(acc, M, R, OFF)                    \
  "smmlar " acc ", " acc ", " M ", " acc "\n\t"     \
  "add " acc ", " acc ", " acc ", asr #31\n\t"      \
  "smmlsr " acc ", " acc ", " R ", " OFF "\n\t"     \
  "ssat " acc ", #8, " acc "\n\t"

/* The same through M2 in we, R in wo and the output offset in xe. */
#define TE_RQW(acc) TE_RQ_IN(acc, "%[we]", "%[wo]", "%[xe]")

/* The same with the (M2, R) pair loaded first from the mr stream in xv. */
#define TE_RQ(acc) "ldrd %[we], %[wo], [%[xv]], #8\n\t" TE_RQW(acc)

/* The bytewise clamp of the packed word in a0 to [a1, a2] (lo4, hi4). */
#define TE_CLAMP_ASM                         \
  "ssub8 %[a3], %[a0], %[a1]\n\t"           \
  "sel %[a0], %[a0], %[a1]\n\t"             \
  "ssub8 %[a3], %[a0], %[a2]\n\t"           \
  "sel %[a0], %[a2], %[a0]\n\t"
#define TE_CLAMP_LOADS "ldr %[a1], %[lo]\n\t" "ldr %[a2], %[hi]\n\t"

/* Two taps at input addresses A and B whose weights are WA and WB bytes past wp: the x and first weight loads back
   to back (each after the first pipelines on M4), the second tap's weights while the first's MACs free them. One
   tap at A with weights at WA. */
#define TE_T2(A, B, WA, WB)                                                                            \
  "ldr %[xv], " A "\n\tldr %[xn], " B "\n\t"                                                           \
  "ldr %[we], [%[wp], #" WA "]\n\tldr %[wo], [%[wp], #" WA "+4]\n\t" TE_M4W("%[xv]")                  \
  "ldrd %[we], %[wo], [%[wp], #" WB "]\n\t" TE_M4W("%[xn]")
#define TE_T1(A, WA) "ldr %[xv], " A "\n\tldr %[we], [%[wp], #" WA "]\n\tldr %[wo], [%[wp], #" WA "+4]\n\t" TE_M4W("%[xv]")

/* The windows a 3×3 takes at padding ≤ 1 (whole, a column or a row off) for TE_DW_GROUPS, taps paired across rows
   where a row has three: tap (r, c) has its weights 8·(3r + c) bytes past wp; each window leaves xp where it started
   and wp at the next group's first tap, 72 bytes on. */
#define TE_NEXT_ROW "add %[xp], %[xp], %[ys]\n\t"
#define TE_NEXT_GROUP_W "add %[wp], %[wp], #72\n\t"
#define TE_W33                                                                                                  \
  TE_T2("[%[xp]]", "[%[xp], %[xs]]", "0", "8") TE_T2("[%[xp], %[xs], lsl #1]", "[%[xp], %[ys]]", "16", "24")  \
  TE_NEXT_ROW TE_T2("[%[xp], %[xs]]", "[%[xp], %[xs], lsl #1]", "32", "40") TE_NEXT_ROW                         \
  TE_T2("[%[xp]]", "[%[xp], %[xs]]", "48", "56") TE_T1("[%[xp], %[xs], lsl #1]", "64")                         \
  "sub %[xp], %[xp], %[ys], lsl #1\n\t" TE_NEXT_GROUP_W
#define TE_W32                                                                                                  \
  TE_T2("[%[xp]]", "[%[xp], %[xs]]", "0", "8") TE_NEXT_ROW TE_T2("[%[xp]]", "[%[xp], %[xs]]", "24", "32")      \
  TE_NEXT_ROW TE_T2("[%[xp]]", "[%[xp], %[xs]]", "48", "56") "sub %[xp], %[xp], %[ys], lsl #1\n\t" TE_NEXT_GROUP_W
#define TE_W23                                                                                                  \
  TE_T2("[%[xp]]", "[%[xp], %[xs]]", "0", "8") TE_T2("[%[xp], %[xs], lsl #1]", "[%[xp], %[ys]]", "16", "24")  \
  TE_NEXT_ROW TE_T2("[%[xp], %[xs]]", "[%[xp], %[xs], lsl #1]", "32", "40") "sub %[xp], %[xp], %[ys]\n\t"      \
  TE_NEXT_GROUP_W
#define TE_W22                                                                                                  \
  TE_T2("[%[xp]]", "[%[xp], %[xs]]", "0", "8") TE_NEXT_ROW TE_T2("[%[xp]]", "[%[xp], %[xs]]", "24", "32")      \
  "sub %[xp], %[xp], %[ys]\n\t" TE_NEXT_GROUP_W

/* Every group of one pixel (multiplier 1, every channel in a group) as one asm loop: bias, the WINDOW, requantization,
   the clamp (CLAMP: TE_CLAMP_ASM or "" when the range is int8's) and the store, with the stream pointers kept in the
   stack frame (memory operands) so that the window keeps its fourteen registers across the loop. Loads run back to
   back where the registers allow (on M4 a load after a load or store takes one cycle, otherwise two). */
#define TE_DW_GROUPS(WINDOW, CLAMP)                                                                                \
  __asm__("1:\n\t"                                                                                                 \
          "ldr %[xv], %[bp]\n\t"                                                                                   \
          "ldr %[a1], [%[xv], #4]\n\t"                                                                             \
          "ldr %[a2], [%[xv], #8]\n\t"                                                                             \
          "ldr %[a3], [%[xv], #12]\n\t"                                                                            \
          "ldr %[a0], [%[xv]], #16\n\t"                                                                            \
          "str %[xv], %[bp]\n\t"                                                                                   \
          WINDOW                                                                                                    \
          "add %[xp], %[xp], #4\n\t"                                                                               \
          "ldr %[xv], %[mr]\n\t"                                                                                   \
          "ldr %[xe], %[offset]\n\t"                                                                               \
          "ldr %[wo], [%[xv], #4]\n\t"                                                                             \
          "ldr %[we], [%[xv]], #8\n\t"                                                                             \
          TE_RQW("%[a0]") TE_RQ("%[a1]") "bfi %[a0], %[a1], #8, #8\n\t"                                             \
          TE_RQ("%[a2]") "bfi %[a0], %[a2], #16, #8\n\t"                                                            \
          TE_RQ("%[a3]") "bfi %[a0], %[a3], #24, #8\n\t"                                                            \
          "str %[xv], %[mr]\n\t"                                                                                   \
          TE_CLAMP_LOADS_##CLAMP                                                                                    \
          "ldr %[xe], %[y]\n\t"                                                                                    \
          "ldr %[we], %[end]\n\t"                                                                                  \
          TE_CLAMP_OPS_##CLAMP                                                                                      \
          "str %[a0], [%[xe]], #4\n\t"                                                                             \
          "str %[xe], %[y]\n\t"                                                                                    \
          "cmp %[xe], %[we]\n\t"                                                                                   \
          "bcc 1b\n\t"                                                                                             \
          : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [wp] "+r"(wp), [xp] "+r"(xp),           \
            [xv] "=&r"(xv), [xn] "=&r"(xn), [xe] "=&r"(xe), [we] "=&r"(we), [wo] "=&r"(wo), [bp] "+m"(bp),          \
            [mr] "+m"(mr), [y] "+m"(y)                                                                              \
          : [off] "r"(off2), [xs] "r"(xstep), [ys] "r"(ystep), [offset] "m"(offset), [end] "m"(end),                \
            [lo] "m"(lo4), [hi] "m"(hi4)                                                                            \
          : "cc", "memory")

/* Two output pixels one stride apart (stride 1 or 2) of a 3×3 layer whose windows lie inside the input (multiplier 1,
   every channel in a group, no clamp narrower than int8) as one asm loop over the channel groups, in two passes a
   group: channels (0, 2), whose SXTAB16 halves of an x word and whose 'c4-int16' weight word 0 line up, then (1, 3)
   through the ROR #8 halves and weight word 1. A pass holds the two channels of both pixels in a0..a3 (pixel 0: a0,
   a1; pixel 1: a2, a3), so an input column both windows read is loaded and unpacked once, and each weight word,
   loaded once a row, serves both pixels; the (M2, R) pairs are loaded once for both, and the outputs stored by byte
   (pixel 1 `oc` bytes after pixel 0). The caller declares a0..a3, xv, xn, xe, we, wo (int32_t), wp (weights of the
   group's first tap), xp (pixel 0's window), bp, mr, y (pixel 0's output), end (its end), off2, xstep, ystep, offset
   and oc (output channels), and run (a te_dw_pair_run *: the loop runs every pair of a run, where a C loop around
   it spilled every pointer a pair). Two pixels one above the other (TE_PAIR_COL1, 2: the border columns' 3×2
   windows) run the same loop transposed: xstep and ystep swapped, a pass's "rows" the windows' columns, oc a row of
   output. */

/* A run of pairs for TE_DW_PAIR_GROUPS: the weight, bias and (M2, R) streams' starts, xp's step from the end of a
   pair's groups to the next pair, y's and end's steps from end, and the pairs left (the asm's offsets). */
typedef struct {
  const int32_t *wp0, *b0, *m0;
  int32_t xadv, yadv, eadv, pairs;
} te_dw_pair_run;

/* The weight word of tap (r, c) of pass K (0 or 1), as an immediate offset from wp; TE_PWT the tap (c, r), for the
   pairs one above the other, whose "rows" are the window's columns (xs and ys swapped). */
#define TE_PW(r, c, K) "#(8*(3*" #r "+" #c ")+4*" #K ")"
#define TE_PWT(r, c, K) "#(8*(3*" #c "+" #r ")+4*" #K ")"

/* Row r of a stride-1 pass (columns 0..3: four x words, three weight words, four SXTAB16, twelve SMLAxy against
   six, six, six and twelve for the pixels one by one); ROT picks the halves, and pixel 1's first MACs accumulate on
   B2, B3 (the bias in a0, a1 on the first row). xp is the row's first column. */
#define TE_PAIR_ROW1(r, K, ROT, B2, B3, HOOK) TE_PAIR_ROW1_AT(TE_PW, r, K, ROT, B2, B3, HOOK)
#define TE_PAIR_COL1(r, K, ROT, B2, B3, HOOK) TE_PAIR_ROW1_AT(TE_PWT, r, K, ROT, B2, B3, HOOK)
#define TE_PAIR_ROW1_AT(PW, r, K, ROT, B2, B3, HOOK)                                                    \
  "ldr %[xv], [%[xp]]\n\tldr %[xn], [%[xp], %[xs]]\n\t"                                                \
  "ldr %[xe], [%[wp], " PW(r, 0, K) "]\n\tldr %[we], [%[wp], " PW(r, 1, K) "]\n\t"               \
  "sxtab16 %[xn], %[off], %[xn]" ROT "\n\t"                                                            \
  "smlabb %[a2], %[xn], %[xe], " B2 "\n\tsmlatt %[a3], %[xn], %[xe], " B3 "\n\t"                       \
  "sxtab16 %[xv], %[off], %[xv]" ROT "\n\t"                                                            \
  "smlabb %[a0], %[xv], %[xe], %[a0]\n\tsmlatt %[a1], %[xv], %[xe], %[a1]\n\t"                         \
  "smlabb %[a0], %[xn], %[we], %[a0]\n\tsmlatt %[a1], %[xn], %[we], %[a1]\n\t"                         \
  "add %[xe], %[xp], %[xs], lsl #1\n\t" HOOK                                                           \
  "ldr %[xv], [%[xe]]\n\tldr %[xn], [%[xe], %[xs]]\n\tldr %[wo], [%[wp], " PW(r, 2, K) "]\n\t"      \
  "sxtab16 %[xv], %[off], %[xv]" ROT "\n\t"                                                            \
  "smlabb %[a0], %[xv], %[wo], %[a0]\n\tsmlatt %[a1], %[xv], %[wo], %[a1]\n\t"                         \
  "smlabb %[a2], %[xv], %[we], %[a2]\n\tsmlatt %[a3], %[xv], %[we], %[a3]\n\t"                         \
  "sxtab16 %[xn], %[off], %[xn]" ROT "\n\t"                                                            \
  "smlabb %[a2], %[xn], %[wo], %[a2]\n\tsmlatt %[a3], %[xn], %[wo], %[a3]\n\t"

/* The same for stride 2 (columns 0..4, column 2 shared: five x words, three weight words, five SXTAB16). */
#define TE_PAIR_ROW2(r, K, ROT, B2, B3, HOOK) TE_PAIR_ROW2_AT(TE_PW, r, K, ROT, B2, B3, HOOK)
#define TE_PAIR_COL2(r, K, ROT, B2, B3, HOOK) TE_PAIR_ROW2_AT(TE_PWT, r, K, ROT, B2, B3, HOOK)
#define TE_PAIR_ROW2_AT(PW, r, K, ROT, B2, B3, HOOK)                                                    \
  "ldr %[xv], [%[xp]]\n\tldr %[xn], [%[xp], %[xs], lsl #1]\n\t"                                        \
  "ldr %[xe], [%[wp], " PW(r, 0, K) "]\n\tldr %[wo], [%[wp], " PW(r, 2, K) "]\n\t"               \
  "sxtab16 %[xn], %[off], %[xn]" ROT "\n\t"                                                            \
  "smlabb %[a2], %[xn], %[xe], " B2 "\n\tsmlatt %[a3], %[xn], %[xe], " B3 "\n\t"                       \
  "sxtab16 %[xv], %[off], %[xv]" ROT "\n\t"                                                            \
  "smlabb %[a0], %[xv], %[xe], %[a0]\n\tsmlatt %[a1], %[xv], %[xe], %[a1]\n\t"                         \
  "smlabb %[a0], %[xn], %[wo], %[a0]\n\tsmlatt %[a1], %[xn], %[wo], %[a1]\n\t"                         \
  HOOK "add %[we], %[xp], %[xs]\n\t"                                                                   \
  "ldr %[xv], [%[we]]\n\tldr %[xn], [%[we], %[xs], lsl #1]\n\tldr %[we], [%[xp], %[xs], lsl #2]\n\t"    \
  "ldr %[xe], [%[wp], " PW(r, 1, K) "]\n\t"                                                         \
  "sxtab16 %[xv], %[off], %[xv]" ROT "\n\t"                                                            \
  "smlabb %[a0], %[xv], %[xe], %[a0]\n\tsmlatt %[a1], %[xv], %[xe], %[a1]\n\t"                         \
  "sxtab16 %[xn], %[off], %[xn]" ROT "\n\t"                                                            \
  "smlabb %[a2], %[xn], %[xe], %[a2]\n\tsmlatt %[a3], %[xn], %[xe], %[a3]\n\t"                         \
  "sxtab16 %[we], %[off], %[we]" ROT "\n\t"                                                            \
  "smlabb %[a2], %[we], %[wo], %[a2]\n\tsmlatt %[a3], %[we], %[wo], %[a3]\n\t"

/* The three rows of a pass of ROW (TE_PAIR_ROW1 or 2) on the bias in a0, a1; xp back where it started. The same for
   a window a row off (the first or last output row at padding 1). */
#define TE_PAIR_ROWS3(ROW, K, ROT, HOOK)                                                               \
  ROW(0, K, ROT, "%[a0]", "%[a1]", HOOK) TE_NEXT_ROW ROW(1, K, ROT, "%[a2]", "%[a3]", "") TE_NEXT_ROW  \
  ROW(2, K, ROT, "%[a2]", "%[a3]", "") "sub %[xp], %[xp], %[ys], lsl #1\n\t"
#define TE_PAIR_ROWS2(ROW, K, ROT, HOOK)                                                               \
  ROW(0, K, ROT, "%[a0]", "%[a1]", HOOK) TE_NEXT_ROW ROW(1, K, ROT, "%[a2]", "%[a3]", "")              \
  "sub %[xp], %[xp], %[ys]\n\t"

/* Pass (0, 2)'s bias loads, the bias pointer stepped past the group (post-indexed) and stored back by HOOK_<ROW>. At
   stride 1 wo is free until row 0's second chain of loads, so the pointer waits there and its store goes just before
   that chain, whose first load then pipelines (the store costs what it saves); at stride 2 every register is taken
   by then, and the store follows the loads. */
#define TE_PAIR_BIAS_LOADS(P) "ldr " P ", %[bp]\n\tldr %[a1], [" P ", #8]\n\tldr %[a0], [" P "], #16\n\t"
#define TE_PAIR_BIAS_TE_PAIR_ROW1 TE_PAIR_BIAS_LOADS("%[wo]")
#define TE_PAIR_BIAS_TE_PAIR_COL1 TE_PAIR_BIAS_TE_PAIR_ROW1
#define TE_PAIR_BIAS_TE_PAIR_ROW2 TE_PAIR_BIAS_LOADS("%[xv]") "str %[xv], %[bp]\n\t"
#define TE_PAIR_BIAS_TE_PAIR_COL2 TE_PAIR_BIAS_TE_PAIR_ROW2
#define TE_PAIR_HOOK_TE_PAIR_ROW1 "str %[wo], %[bp]\n\t"
#define TE_PAIR_HOOK_TE_PAIR_COL1 TE_PAIR_HOOK_TE_PAIR_ROW1
#define TE_PAIR_HOOK_TE_PAIR_ROW2 ""
#define TE_PAIR_HOOK_TE_PAIR_COL2 ""

/* A pass's requantization, its (M2, R) pairs at xv + MR and xv + MR + 16 (the first of them loaded by FIRST) and
   the output offset in xn, with the loads of the output pointer (xv) and oc (xe) in the second chain of loads. STORE
   comes before that chain, where a store costs what it saves (the chain's first load pipelines after it). */
#define TE_PAIR_REQUANTIZE(FIRST, MR, STORE)                                                           \
  FIRST "ldr %[we], [%[xv], #(" MR "+4)]\n\tldr %[wo], [%[xv], #(" MR "+16)]\n\t"                       \
  TE_RQ_IN("%[a0]", "%[xe]", "%[we]", "%[xn]") TE_RQ_IN("%[a2]", "%[xe]", "%[we]", "%[xn]")            \
  STORE "ldr %[we], [%[xv], #(" MR "+20)]\n\tldr %[xv], %[y]\n\tldr %[xe], %[oc]\n\t"                  \
  TE_RQ_IN("%[a1]", "%[wo]", "%[we]", "%[xn]") TE_RQ_IN("%[a3]", "%[wo]", "%[we]", "%[xn]")

/* Pass (0, 2) steps the bias, (M2, R) and output streams past the group (post-indexed loads and store, each pointer
   stored back once), so pass (1, 3) reads them at negative offsets with no add and no store. */
#define TE_DW_PAIR_GROUPS(ROWS, ROW)                                                                                    \
  __asm__("1:\n\t"                                                                                                 \
          /* Pass (0, 2). */                                                                                       \
          TE_PAIR_BIAS_##ROW                                                                                       \
          ROWS(ROW, 0, "", TE_PAIR_HOOK_##ROW)                                                                     \
          "ldr %[xv], %[mr]\n\t"                                                                                   \
          "ldr %[xn], %[offset]\n\t"                                                                               \
          TE_PAIR_REQUANTIZE("ldr %[xe], [%[xv]], #32\n\t", "-32", "str %[xv], %[mr]\n\t")                         \
          "strb %[a1], [%[xv], #2]\n\tstrb %[a0], [%[xv]], #4\n\t"                                                 \
          "str %[xv], %[y]\n\t"                                                                                    \
          "add %[xv], %[xv], %[xe]\n\t"                                                                            \
          "strb %[a2], [%[xv], #-4]\n\tstrb %[a3], [%[xv], #-2]\n\t"                                               \
          /* Pass (1, 3), the streams already past the group. */                                                  \
          "ldr %[xv], %[bp]\n\t"                                                                                   \
          "ldr %[a0], [%[xv], #-12]\n\t"                                                                           \
          "ldr %[a1], [%[xv], #-4]\n\t"                                                                            \
          ROWS(ROW, 1, ", ror #8", "")                                                                             \
          "ldr %[xv], %[mr]\n\t"                                                                                   \
          "ldr %[xn], %[offset]\n\t"                                                                               \
          TE_PAIR_REQUANTIZE("ldr %[xe], [%[xv], #(8-32)]\n\t", "8-32", "")                                       \
          "strb %[a0], [%[xv], #-3]\n\tstrb %[a1], [%[xv], #-1]\n\t"                                               \
          "add %[xe], %[xv], %[xe]\n\t"                                                                            \
          "strb %[a2], [%[xe], #-3]\n\tstrb %[a3], [%[xe], #-1]\n\t"                                               \
          "ldr %[we], %[end]\n\t"                                                                                  \
          TE_NEXT_GROUP_W                                                                                          \
          "add %[xp], %[xp], #4\n\t"                                                                               \
          "cmp %[xv], %[we]\n\t"                                                                                   \
          "bcc 1b\n\t"                                                                                             \
          /* The next pair: the streams back to their starts, x, y and end on (y is end here). */                 \
          "ldr %[xe], %[run]\n\t"                                                                                  \
          "ldr %[xv], [%[xe], #24]\n\t"                                                                            \
          "subs %[xv], %[xv], #1\n\t"                                                                              \
          "beq 2f\n\t"                                                                                             \
          "str %[xv], [%[xe], #24]\n\t"                                                                            \
          "ldr %[wp], [%[xe]]\n\t"                                                                                 \
          "ldr %[we], [%[xe], #4]\n\t"                                                                             \
          "ldr %[wo], [%[xe], #8]\n\t"                                                                             \
          "ldr %[xv], [%[xe], #12]\n\t"                                                                            \
          "ldr %[xn], %[end]\n\t"                                                                                  \
          "str %[we], %[bp]\n\t"                                                                                   \
          "str %[wo], %[mr]\n\t"                                                                                   \
          "ldr %[we], [%[xe], #16]\n\t"                                                                            \
          "ldr %[wo], [%[xe], #20]\n\t"                                                                            \
          "add %[xp], %[xp], %[xv]\n\t"                                                                            \
          "add %[we], %[xn], %[we]\n\t"                                                                            \
          "add %[wo], %[xn], %[wo]\n\t"                                                                            \
          "str %[we], %[y]\n\t"                                                                                    \
          "str %[wo], %[end]\n\t"                                                                                  \
          "b 1b\n\t"                                                                                               \
          "2:\n\t"                                                                                                 \
          : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [wp] "+r"(wp), [xp] "+r"(xp),           \
            [xv] "=&r"(xv), [xn] "=&r"(xn), [xe] "=&r"(xe), [we] "=&r"(we), [wo] "=&r"(wo), [bp] "+m"(bp),          \
            [mr] "+m"(mr), [y] "+m"(y), [end] "+m"(end)                                                             \
          : [off] "r"(off2), [xs] "r"(xstep), [ys] "r"(ystep), [offset] "m"(offset), [oc] "m"(oc), [run] "m"(run)  \
          : "cc", "memory")

/* CLAMP of TE_DW_GROUPS: CLAMPED loads [lo4, hi4] beside the output pointer's loads and clamps; UNCLAMPED neither. */
#define TE_CLAMP_LOADS_CLAMPED TE_CLAMP_LOADS
#define TE_CLAMP_OPS_CLAMPED TE_CLAMP_ASM
#define TE_CLAMP_LOADS_UNCLAMPED ""
#define TE_CLAMP_OPS_UNCLAMPED ""

#endif
