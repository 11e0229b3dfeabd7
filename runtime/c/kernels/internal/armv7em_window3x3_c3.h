/*
 * tinyedge: the pair loop of an RGB model's first conv on Cortex-M4/M7 (conv2d.c): 3×3 windows of 3 channels
 * (K = 27), out_c a multiple of four, int8's range. Each pair's two windows are gathered from the input and widened
 * to int16 once, into 112 bytes of the loop's own stack frame (not the arena: this layer sets VWW's peak), so every
 * group of four channels runs the widened step (TE_ROW_PAIR_STEP_AT, 32 est. M4 cycles a step) on them where the int8
 * windows cost 36 a step and a group (SXTB16 on each word, again for each group). Included once, by conv2d.c, after
 * armv7em_pair_groups.h.
 */
#ifndef TINYEDGE_ARMV7EM_WINDOW3X3_C3_H
#define TINYEDGE_ARMV7EM_WINDOW3X3_C3_H

/* One 3×3 window of 3 channels from the input, its rows at r8, r9 and r10, as seven int8 words in r0, r1, r3, r4,
   r5, r7 and r11 (the last word's top byte zero): per window row three unaligned words, the row-crossing ones
   spliced (BFI, PKHBT); no byte is read past the window's last row. */
#define TE_WINDOW3X3_C3_LOAD                                             \
  "ldr r0, [r8]\n\tldr r1, [r8, #4]\n\tldr r2, [r8, #8]\n\t"            \
  "ldr r3, [r9, #-1]\n\tldr r4, [r9, #3]\n\tldr r5, [r9, #7]\n\t"       \
  "ldr r6, [r10]\n\tldr r7, [r10, #2]\n\tldr r11, [r10, #5]\n\t"        \
  "bfi r3, r2, #0, #8\n\tpkhbt r5, r5, r6, lsl #16\n\tlsr r11, r11, #8\n\t"

/* Those seven words widened (SXTB16: (x0, x2), then (x1, x3) of each) and stored at r12 (advanced by 56) as the step
   reads them: word 2s of the window (x4s, x4s+2), word 2s + 1 (x4s+1, x4s+3). 14 SXTB16 and three STM. */
#define TE_WINDOW3X3_C3_WIDEN                                                                                       \
  "sxtb16 r2, r1\n\tsxtb16 r6, r1, ror #8\n\tsxtb16 r1, r0, ror #8\n\tsxtb16 r0, r0\n\t"                             \
  "stmia r12!, {r0, r1, r2, r6}\n\t"                                                                              \
  "sxtb16 r0, r3\n\tsxtb16 r1, r3, ror #8\n\tsxtb16 r2, r4\n\tsxtb16 r3, r4, ror #8\n\t"                             \
  "stmia r12!, {r0-r3}\n\t"                                                                                       \
  "sxtb16 r0, r5\n\tsxtb16 r1, r5, ror #8\n\tsxtb16 r2, r7\n\tsxtb16 r3, r7, ror #8\n\t"                             \
  "sxtb16 r4, r11\n\tsxtb16 r5, r11, ror #8\n\t"                                                                  \
  "stmia r12!, {r0-r5}\n\t"

/* A pair's two windows gathered from the input at job->x (window rows job->pitch bytes apart), the second job->next
   bytes after the first, and widened into the frame's room ([sp, #52], the second at [sp, #108]); job->x moves on
   by two windows. Pairs with padded taps come gathered by the caller into its patch, which is read the same way
   (pitch 9, next 28). r0 holds the job on entry (TE_PAIR_LOOP_PROLOGUE_ROOM and TE_PAIR_NEXT_FREEING leave it
   there); lr is left at the weights. */
#define TE_WINDOW3X3_C3_GATHER                                                             \
  "ldr r1, [r0, #60]\n\t"                                                                 \
  "ldr r8, [r0, #48]\n\t"                                                                 \
  "ldr lr, [r0, #64]\n\t"                                                                 \
  "add r2, r8, lr, lsl #1\n\t"                                                            \
  "str r2, [r0, #48]\n\t"                                                                 \
  "add r9, r8, r1\n\t"                                                                    \
  "add r10, r9, r1\n\t" TE_WINDOW3X3_C3_LOAD                                               \
  "add r8, r8, lr\n\tadd r9, r9, lr\n\tadd r10, r10, lr\n\t"                                 \
  "add r12, sp, #52\n\t" TE_WINDOW3X3_C3_WIDEN TE_WINDOW3X3_C3_LOAD TE_WINDOW3X3_C3_WIDEN \
  "ldr r0, [sp, #48]\n\t"                                                                 \
  "ldr lr, [r0, #56]\n\t"

/* Step s of both widened windows (x at [sp, #52 + 8s] and [sp, #108 + 8s]). */
#define TE_WINDOW3X3_C3_STEP(MAC, a_even, a_odd, b_even, b_odd) \
  TE_ROW_PAIR_STEP_AT(MAC, "[sp, #" a_even "]", "[sp, #" b_even "]", "[sp, #" a_odd "]", "[sp, #" b_odd "]")

/* Every pair of a run of job->pairs (te_conv2d_pairs), with the sign fix-up only: te_conv2d_s8 picks this loop at run
   time, so a second copy would be linked into every model with such a conv (row_pairs.h). */
TE_PAIR_LOOP_FRAMED(te_window3x3_c3_pair_loop, TE_PAIR_LOOP_PROLOGUE_ROOM("112"), TE_WINDOW3X3_C3_GATHER,
                  TE_WINDOW3X3_C3_STEP(TE_PAIR_MAC_FROM_BIAS, "52", "56", "108", "112")
                      TE_WINDOW3X3_C3_STEP(TE_PAIR_MAC, "60", "64", "116", "120")
                          TE_WINDOW3X3_C3_STEP(TE_PAIR_MAC, "68", "72", "124", "128")
                              TE_WINDOW3X3_C3_STEP(TE_PAIR_MAC, "76", "80", "132", "136")
                                  TE_WINDOW3X3_C3_STEP(TE_PAIR_MAC, "84", "88", "140", "144")
                                      TE_WINDOW3X3_C3_STEP(TE_PAIR_MAC, "92", "96", "148", "152")
                                          TE_WINDOW3X3_C3_STEP(TE_PAIR_MAC, "100", "104", "156", "160"),
                  TE_PAIR_NEXT_FREEING("164"), TE_PAIR_SIGN_FIXUP)

#endif
