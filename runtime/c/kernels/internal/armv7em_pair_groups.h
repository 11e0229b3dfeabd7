/*
 * tinyedge: the row-pair asm of the cortex-m-dsp matmul and convolution (Cortex-M4/M7, conv2d.c): the step of two
 * rows × four channels (widened or int8), the naked functions that run every full group of a pair from the bias to
 * the stored bytes with the accumulators in registers, the loops over every pair of a matmul (a row's pairs of 3×3
 * windows of 3 channels: armv7em_window3x3_c3.h). Each is an external function (te_pair_fn, tinyedge/row_pairs.h, which picks one per
 * call), so the linker keeps only those a model's calls name. Included once, by conv2d.c, after armv7em_dsp.h.
 */
#ifndef TINYEDGE_ARMV7EM_PAIR_GROUPS_H
#define TINYEDGE_ARMV7EM_PAIR_GROUPS_H

/* Channel a of the first row and b of the second, x in r8 and r9, weight word w: two SMLAD. The _FROM_BIAS form
   starts b from a's bias (the first step of a group, so the bias is loaded once into r0..r3, not copied into r4..r7). */
#define TE_PAIR_MAC(a, b, w) "smlad " a ", r8, " w ", " a "\n\tsmlad " b ", r9, " w ", " b "\n\t"
#define TE_PAIR_MAC_FROM_BIAS(a, b, w) "smlad " b ", r9, " w ", " a "\n\tsmlad " a ", r8, " w ", " a "\n\t"

/* One step of four k for two rows and four channels, 32 MACs: the rows' four words at xp (r12, te_widen_row_pair),
   the group's eight at wp (lr; channel j's (k, k + 2) pair at word 2j, its (k + 1, k + 3) at 2j + 1), the first row's
   accumulators in r0..r3, the second's in r4..r7, x in r8, r9 and w in r10, r11 (TE_ROW_PAIR_STEP_AT: the rows'
   words at other addresses). Loads come in runs (a load after a load costs one cycle, after anything else two) and
   both pointers advance on their run's first load: 32 cycles on the Cortex-M4 against the one-row step's 44. Registers are named, not bound by gcc, so the naked group loops below
   can use the same text; every instruction is 32-bit (.w). */
#define TE_ROW_PAIR_STEP_AT(MAC, xa_even, xb_even, xa_odd, xb_odd)                                              \
  "ldr.w r8, " xa_even "\n\t"                                                                                      \
  "ldr.w r9, " xb_even "\n\t"                                                                                      \
  "ldr.w r10, [lr], #32\n\t"                                                                                       \
  "ldr.w r11, [lr, #-24]\n\t"                                                                                      \
  MAC("r0", "r4", "r10") MAC("r1", "r5", "r11")                                                                    \
  "ldr.w r10, [lr, #-16]\n\t"                                                                                      \
  "ldr.w r11, [lr, #-8]\n\t"                                                                                       \
  MAC("r2", "r6", "r10") MAC("r3", "r7", "r11")                                                                    \
  "ldr.w r8, " xa_odd "\n\t"                                                                                       \
  "ldr.w r9, " xb_odd "\n\t"                                                                                       \
  "ldr.w r10, [lr, #-28]\n\t"                                                                                      \
  "ldr.w r11, [lr, #-20]\n\t"                                                                                      \
  TE_PAIR_MAC("r0", "r4", "r10") TE_PAIR_MAC("r1", "r5", "r11")                                                    \
  "ldr.w r10, [lr, #-12]\n\t"                                                                                      \
  "ldr.w r11, [lr, #-4]\n\t"                                                                                       \
  TE_PAIR_MAC("r2", "r6", "r10") TE_PAIR_MAC("r3", "r7", "r11")
#define TE_ROW_PAIR_STEP_WITH(MAC) \
  TE_ROW_PAIR_STEP_AT(MAC, "[r12], #16", "[r12, #-12]", "[r12, #-8]", "[r12, #-4]")
#define TE_ROW_PAIR_STEP TE_ROW_PAIR_STEP_WITH(TE_PAIR_MAC)
#define TE_ROW_PAIR_FIRST_STEP TE_ROW_PAIR_STEP_WITH(TE_PAIR_MAC_FROM_BIAS)

/* The same step from the two rows in int8 (te_conv2d_s8, te_matmul_s8: no widened copy), the first at xp (r12), the
   second r10 bytes after it, unpacked here with SXTB16 (the (x0, x2) halves first, then (x1, x3), both rows in r8,
   r9) and each weight word loaded alone into r11, the one register left: 40 cycles for the 32 MACs. */
#define TE_RAW_PAIR_HALF(ror, first, w1, w2, w3)                                                                   \
  "ldr.w r9, [r12, r10]\n\t"                                                                                      \
  first                                                                                                           \
  "sxtb16 r8, r8" ror "\n\tsxtb16 r9, r9" ror "\n\t"                                                               \
  TE_PAIR_MAC("r0", "r4", "r11")                                                                                  \
  "ldr.w r11, [lr, #" w1 "]\n\t"                                                                                  \
  TE_PAIR_MAC("r1", "r5", "r11")                                                                                  \
  "ldr.w r11, [lr, #" w2 "]\n\t"                                                                                  \
  TE_PAIR_MAC("r2", "r6", "r11")                                                                                  \
  "ldr.w r11, [lr, #" w3 "]\n\t"                                                                                  \
  TE_PAIR_MAC("r3", "r7", "r11")
#define TE_RAW_PAIR_STEP                                                                                           \
  TE_RAW_PAIR_HALF("", "ldr.w r8, [r12]\n\tldr.w r11, [lr], #32\n\t", "-24", "-16", "-8")                          \
  TE_RAW_PAIR_HALF(", ror #8", "ldr.w r8, [r12], #4\n\tldr.w r11, [lr, #-28]\n\t", "-20", "-12", "-4")

/* The group's bias at r11 into r0..r3 and r4..r7 (one LDM, the second row's copy by moves), r11 left past it. Where
   the steps run straight, their first (TE_ROW_PAIR_FIRST_STEP) starts r4..r7 from r0..r3 instead of the moves. */
#define TE_ROW_PAIR_BIAS_COPY "mov r4, r0\n\tmov r5, r1\n\tmov r6, r2\n\tmov r7, r3\n\t"
#define TE_ROW_PAIR_BIAS "ldmia r11!, {r0, r1, r2, r3}\n\t" TE_ROW_PAIR_BIAS_COPY

/* STEP `steps` times: steps % 8 in r8 picks, through a table (TBH: one branch whatever the entry), where the
   eight-step loop is entered (0: at its first step, e: at its (9 − e)th); it ends when xp (r12) reaches the end that
   END (an operand or a stack slot) holds, a test every eight steps. Labels 10..18. */
#define TE_ROW_PAIR_STEPS(STEP, END)                                                                               \
  "tbh [pc, r8, lsl #1]\n"                                                                                          \
  "10:\n\t"                                                                                                        \
  ".hword (11f - 10b) / 2, (18f - 10b) / 2, (17f - 10b) / 2, (16f - 10b) / 2\n\t"                                    \
  ".hword (15f - 10b) / 2, (14f - 10b) / 2, (13f - 10b) / 2, (12f - 10b) / 2\n"                                     \
  "11:\n\t" STEP "12:\n\t" STEP "13:\n\t" STEP "14:\n\t" STEP "15:\n\t" STEP "16:\n\t" STEP "17:\n\t" STEP       \
  "18:\n\t" STEP                                                                                                    \
  "ldr r8, " END "\n\t"                                                                                            \
  "cmp r12, r8\n\t"                                                                                                \
  "bne 11b\n\t"


/* What the naked group loops read, copied onto their stack (the byte offsets the asm uses are in the comments). */
struct te_pair_job {
  const int32_t *bias; /* 0: the first group's folded bias, 16 bytes a group */
  const int32_t *mr;   /* 4: its 'smmul' (M2, R) pairs, 32 bytes a group */
  int8_t *ya;          /* 8: where the first row's outputs go */
  int32_t out_c;       /* 12: and the second's, out_c bytes after them (the rows' outputs are contiguous) */
  const void *xs;      /* 16: the widened rows (te_widen_row_pair), or the first int8 row */
  const void *end;     /* 20: where xp stops: xs + 16·steps, or xs + 4·steps */
  int32_t offset;      /* 24: the output offset */
  uint32_t lo4, hi4;   /* 28, 32: the activation range in each byte */
  int8_t *ya_end;      /* 36: ya + 4·(out_c / 4) */
  int32_t entry;       /* 40: steps % 8 */
  int32_t k;           /* 44: the int8 rows' length, the second's offset from the first */
  /* Read from the job itself (not its stack copy) by the pair loops, te_pair_loop_*: */
  const int8_t *x;     /* 48: the next pair's first row (k int8), the second k bytes after it */
  int32_t pairs;       /* 52: the pairs left */
  const int8_t *w;     /* 56: the weights, each pair's groups from the first */
  int32_t pitch;       /* 60: te_window3x3_c3_pair_loop: from one window row to the next in the input */
  int32_t next;        /* 64: and from the first window to the second (c·stride_w) */
};

/* Entry: r0 the job (copied to [sp]), r1 the weights (lr). */
#define TE_PAIR_PROLOGUE \
  "push {r4-r11, lr}\n\t" \
  "mov lr, r1\n\t"        \
  "ldmia r0, {r1-r12}\n\t" \
  "push {r1-r12}\n"

/* A group's start: xp back at xs, the first row's bias loaded into r0..r3 and advanced; the steps that follow put
   the second row's in r4..r7 (TE_ROW_PAIR_FIRST_STEP or TE_PAIR_DISPATCHED). */
#define TE_PAIR_GROUP_START          \
  "1:\n\t"                           \
  "ldr r11, [sp, #0]\n\t"            \
  "ldr r12, [sp, #16]\n\t"           \
  "ldmia r11!, {r0, r1, r2, r3}\n\t" \
  "str r11, [sp, #0]\n\t"

/* STEP steps % 8 + 8·n times from the frame's entry and end (TE_ROW_PAIR_STEPS), the bias copied first. */
#define TE_PAIR_DISPATCHED(STEP) \
  "ldr r8, [sp, #40]\n\t" TE_ROW_PAIR_BIAS_COPY TE_ROW_PAIR_STEPS(STEP, "[sp, #20]")

/* Channel J of both rows (r<J>, r<J + 4>) requantized (te_smmul_requantize: its M2 in m, R in r, the offset in r12),
   saturated and put in byte J of r0 and r4. FIXUP: TE_PAIR_SIGN_FIXUP, or TE_PAIR_NO_FIXUP for the _nofixup functions,
   called for layers whose pairs hold R − 1 (te_mac_params.no_sign_fixup): 8 cycles a group less. */
#define TE_PAIR_SIGN_FIXUP(a, b) "add " a ", " a ", " a ", asr #31\n\tadd " b ", " b ", " b ", asr #31\n\t"
#define TE_PAIR_NO_FIXUP(a, b) ""
#define TE_PAIR_REQUANTIZE(a, b, m, r, FIXUP) \
  "smmlar " a ", " a ", " m ", " a "\n\t"       \
  "smmlar " b ", " b ", " m ", " b "\n\t"       \
  FIXUP(a, b)                                   \
  "smmlsr " a ", " a ", " r ", r12\n\t"         \
  "smmlsr " b ", " b ", " r ", r12\n\t"         \
  "ssat " a ", #8, " a "\n\t"                   \
  "ssat " b ", #8, " b "\n\t"
#define TE_PAIR_INSERT(a, b, lsb) "bfi r0, " a ", #" lsb ", #8\n\tbfi r4, " b ", #" lsb ", #8\n\t"

/* Both packed rows (r0, r4) clamped bytewise to the activation range (te_clamp4_s8). */
#define TE_PAIR_CLAMP                                                                                              \
  "ldrd r8, r9, [sp, #28]\n\t"                                                                                     \
  "ssub8 r10, r0, r8\n\tsel r0, r0, r8\n\tssub8 r10, r0, r9\n\tsel r0, r9, r0\n\t"                                 \
  "ssub8 r10, r4, r8\n\tsel r4, r4, r8\n\tssub8 r10, r4, r9\n\tsel r4, r9, r4\n\t"

/* The group's eight accumulators requantized in registers, CLAMP (TE_PAIR_CLAMP, or nothing where the range is
   int8's, which SSAT already gives: 10 cycles a group), stored at ya and ya + out_c; the next group until ya reaches
   ya_end. The four (M2, R) pairs (r11) go through r8, r9 and r10 in turn as single loads in runs of two or three (a
   load after a load costs one cycle; an LDRD three), and ya and out_c load after a store: 2 cycles a group less. */
#define TE_PAIR_GROUP_END(CLAMP, FIXUP)                                                                                  \
  "ldr r11, [sp, #4]\n\t"                                                                                          \
  "ldr r12, [sp, #24]\n\t"                                                                                         \
  "ldr r8, [r11], #32\n\tldr r9, [r11, #-28]\n\tldr r10, [r11, #-24]\n\t"                                           \
  TE_PAIR_REQUANTIZE("r0", "r4", "r8", "r9", FIXUP)                                                                       \
  "ldr r8, [r11, #-20]\n\tldr r9, [r11, #-16]\n\t"                                                                 \
  TE_PAIR_REQUANTIZE("r1", "r5", "r10", "r8", FIXUP) TE_PAIR_INSERT("r1", "r5", "8")                                       \
  "ldr r10, [r11, #-12]\n\tldr r8, [r11, #-8]\n\t"                                                                 \
  TE_PAIR_REQUANTIZE("r2", "r6", "r9", "r10", FIXUP) TE_PAIR_INSERT("r2", "r6", "16")                                      \
  "ldr r9, [r11, #-4]\n\t"                                                                                         \
  TE_PAIR_REQUANTIZE("r3", "r7", "r8", "r9", FIXUP) TE_PAIR_INSERT("r3", "r7", "24")                                       \
  "str r11, [sp, #4]\n\t"                                                                                          \
  CLAMP                                                                                                            \
  "ldr r8, [sp, #8]\n\t"                                                                                           \
  "ldr r9, [sp, #12]\n\t"                                                                                          \
  "str r4, [r8, r9]\n\t"                                                                                           \
  "str r0, [r8], #4\n\t"                                                                                           \
  "str r8, [sp, #8]\n\t"                                                                                           \
  "ldr r10, [sp, #36]\n\t"                                                                                         \
  "cmp r8, r10\n\t"                                                                                                \
  "bne 1b\n\t"
#define TE_PAIR_RETURN "add sp, #48\n\tpop {r4-r11, pc}\n\t"

/* Every full group of four channels over both rows, from the bias to the stored bytes in one asm function: the
   accumulators never leave their registers (gcc's allocator cannot hold fourteen for an inline asm and spilled
   them around the requantization). Naked, so the C around it is none: the job and the weights arrive in r0, r1. Two
   and four steps (K ≤ 16, VWW's first pointwise layers) run straight, without the dispatch and the end test. */
#define TE_PAIR_GROUPS_CLAMP(name, STEPS, CLAMP, FIXUP)                                                       \
  __attribute__((naked, noinline)) void name(const te_pair_job *job __attribute__((unused)),               \
                                             const int8_t *w __attribute__((unused))) {                     \
    __asm__ volatile(TE_PAIR_PROLOGUE TE_PAIR_GROUP_START STEPS TE_PAIR_GROUP_END(CLAMP, FIXUP) TE_PAIR_RETURN); \
  }

/* The pair loops' entry: the job's pointer kept above its stack copy, at [sp, #48]; TE_PAIR_LOOP_PROLOGUE_ROOM
   leaves `room` bytes of the frame above it (from [sp, #52]) to the loop. */
#define TE_PAIR_JOB_PUSH   \
  "push {r0}\n\t"          \
  "ldmia r0, {r1-r12}\n\t" \
  "push {r1-r12}\n"
#define TE_PAIR_LOOP_PROLOGUE "push {r4-r11, lr}\n\t" TE_PAIR_JOB_PUSH
#define TE_PAIR_LOOP_PROLOGUE_ROOM(room) "push {r4-r11, lr}\n\tsub sp, #" room "\n\t" TE_PAIR_JOB_PUSH

/* A pair's start in the loops over the rows of te_matmul_pairs (k % 4 = 0): lr at the weights, and the rows at
   job->x widened into xs as te_widen_row_pair lays them out (16 cycles a step); job->x moves to the next pair. */
#define TE_PAIR_WIDEN              \
  "ldr r0, [sp, #48]\n\t"          \
  "ldr r12, [r0, #48]\n\t"         \
  "ldr r10, [sp, #44]\n\t"         \
  "ldr r11, [sp, #16]\n\t"         \
  "ldr r7, [sp, #20]\n\t"          \
  "ldr lr, [r0, #56]\n\t"          \
  "add r10, r12, r10\n"            \
  "3:\n\t"                         \
  "ldr r8, [r12], #4\n\t"          \
  "ldr r9, [r10], #4\n\t"          \
  "sxtb16 r0, r8\n\t"              \
  "sxtb16 r1, r9\n\t"              \
  "sxtb16 r2, r8, ror #8\n\t"      \
  "sxtb16 r3, r9, ror #8\n\t"      \
  "stmia r11!, {r0-r3}\n\t"        \
  "cmp r11, r7\n\t"                \
  "bne 3b\n\t"                     \
  "ldr r0, [sp, #48]\n\t"          \
  "str r10, [r0, #48]\n\t"

/* Two steps of TE_PAIR_WIDEN: both rows' two words loaded from the addresses a0, a1 (the first row's) and b0, b1,
   unpacked and stored with one STM: 11 cycles a step against the loop's 16. For K = 8 and 16 straight (job->x moved
   past the pair first, the words at offsets from there), for K a multiple of 8 as a loop (K = 32, 64·n). */
#define TE_PAIR_WIDEN_START(pair_bytes) \
  "ldr r0, [sp, #48]\n\t"              \
  "ldr r12, [r0, #48]\n\t"             \
  "ldr r11, [sp, #16]\n\t"             \
  "ldr lr, [r0, #56]\n\t"              \
  "add r12, r12, #" pair_bytes "\n\t"   \
  "str r12, [r0, #48]\n\t"
#define TE_PAIR_WIDEN_TWO_STEPS(a0, a1, b0, b1)                                                             \
  "ldr r8, " a0 "\n\tldr r6, " a1 "\n\tldr r9, " b0 "\n\tldr r7, " b1 "\n\t"                                         \
  "sxtb16 r0, r8\n\tsxtb16 r1, r9\n\tsxtb16 r2, r8, ror #8\n\tsxtb16 r3, r9, ror #8\n\t"                     \
  "sxtb16 r4, r6\n\tsxtb16 r5, r7\n\tsxtb16 r6, r6, ror #8\n\tsxtb16 r7, r7, ror #8\n\t"                     \
  "stmia r11!, {r0-r7}\n\t"
#define TE_PAIR_WIDEN_K8 \
  TE_PAIR_WIDEN_START("16") TE_PAIR_WIDEN_TWO_STEPS("[r12, #-16]", "[r12, #-12]", "[r12, #-8]", "[r12, #-4]")
#define TE_PAIR_WIDEN_K16                                                                                     \
  TE_PAIR_WIDEN_START("32") TE_PAIR_WIDEN_TWO_STEPS("[r12, #-32]", "[r12, #-28]", "[r12, #-16]", "[r12, #-12]") \
  TE_PAIR_WIDEN_TWO_STEPS("[r12, #-24]", "[r12, #-20]", "[r12, #-8]", "[r12, #-4]")
/* The loop: the first row (r12) ends where the second (r10) starts, held in lr until the weights' pointer goes there. */
#define TE_PAIR_WIDEN_K8N                                                                  \
  "ldr r0, [sp, #48]\n\t"                                                                 \
  "ldr r12, [r0, #48]\n\t"                                                                \
  "ldr r10, [sp, #44]\n\t"                                                                \
  "ldr r11, [sp, #16]\n\t"                                                                \
  "add r10, r12, r10\n\t"                                                                 \
  "mov lr, r10\n"                                                                          \
  "3:\n\t" TE_PAIR_WIDEN_TWO_STEPS("[r12], #8", "[r12, #-4]", "[r10], #8", "[r10, #-4]") \
  "cmp r12, lr\n\t"                                                                        \
  "bne 3b\n\t"                                                                            \
  "ldr r0, [sp, #48]\n\t"                                                                 \
  "ldr lr, [r0, #56]\n\t"                                                                 \
  "str r10, [r0, #48]\n\t"

/* The same for rows read in place (te_matmul_s8): xs and end set to the pair's first row. */
#define TE_PAIR_IN_PLACE         \
  "ldr r0, [sp, #48]\n\t"        \
  "ldr r12, [r0, #48]\n\t"       \
  "ldr r10, [sp, #44]\n\t"       \
  "ldr lr, [r0, #56]\n\t"        \
  "add r11, r12, r10\n\t"        \
  "strd r12, r11, [sp, #16]\n\t" \
  "add r11, r11, r10\n\t"        \
  "str r11, [r0, #48]\n\t"

/* After a pair's last group (r8: the first row's end, r9: out_c; the next pair's outputs start at the second row's
   end): the next pair's bias, constants and outputs, or the return (single loads and stores: 2 cycles a pair less
   than LDRD and STRD). TE_PAIR_NEXT_FREEING frees `frame` bytes on return (52, or 52 + TE_PAIR_LOOP_PROLOGUE_ROOM's). */
#define TE_PAIR_NEXT_FREEING(frame) \
  "ldr r0, [sp, #48]\n\t"         \
  "ldr r1, [r0, #52]\n\t"         \
  "subs r1, r1, #1\n\t"           \
  "beq 9f\n\t"                    \
  "str r1, [r0, #52]\n\t"         \
  "ldr r2, [r0]\n\t"              \
  "ldr r3, [r0, #4]\n\t"          \
  "add r8, r8, r9\n\t"            \
  "add r5, r8, r9\n\t"            \
  "str r2, [sp]\n\t"              \
  "str r3, [sp, #4]\n\t"          \
  "str r8, [sp, #8]\n\t"          \
  "str r5, [sp, #36]\n\t"         \
  "b 2b\n"                        \
  "9:\n\t"                        \
  "add sp, #" frame "\n\t"        \
  "pop {r4-r11, pc}\n\t"
#define TE_PAIR_NEXT TE_PAIR_NEXT_FREEING("52")

/* Every pair of job->pairs in one asm function (out_c % 4 = 0, k % 4 = 0, int8's range): no call, entry or C loop
   a pair (~50 cycles each on VWW's ~2,000 pointwise pairs). TE_PAIR_LOOP_FRAMED's PROLOGUE and NEXT may give SETUP
   and STEPS room in the frame (TE_PAIR_LOOP_PROLOGUE_ROOM, TE_PAIR_NEXT_FREEING); FIXUP is the requantization's sign
   fix-up or none. */
#define TE_PAIR_LOOP_FRAMED(name, PROLOGUE, SETUP, STEPS, NEXT, FIXUP)                                          \
  __attribute__((naked, noinline)) void name(const te_pair_job *job __attribute__((unused)),                   \
                                             const int8_t *w __attribute__((unused))) {                         \
    __asm__ volatile(PROLOGUE "2:\n\t" SETUP TE_PAIR_GROUP_START STEPS TE_PAIR_GROUP_END("", FIXUP) NEXT);      \
  }
#define TE_PAIR_LOOP_WITH(name, SETUP, STEPS, FIXUP) \
  TE_PAIR_LOOP_FRAMED(name, TE_PAIR_LOOP_PROLOGUE, SETUP, STEPS, TE_PAIR_NEXT, FIXUP)
/* The pair loop name and, without the sign fix-up, name##_nofixup. */
#define TE_PAIR_LOOP(name, SETUP, STEPS)                    \
  TE_PAIR_LOOP_WITH(name, SETUP, STEPS, TE_PAIR_SIGN_FIXUP) \
  TE_PAIR_LOOP_WITH(name##_nofixup, SETUP, STEPS, TE_PAIR_NO_FIXUP)

/* Each group loop twice: name##_clamped for a range narrower than int8's, name for int8's (every MLPerf Tiny
   layer); the pair loop name##_loop, over the widened rows (or, `raw`, in place), for int8's only (a clamped copy
   of each would cost 3 KB of code for layers that are rare). TE_PAIR_GROUPS adds those of int8's range without the
   sign fix-up (name##_nofixup, name##_loop_nofixup: the compiler sets no_sign_fixup for int8's range only); the
   raw ones, chosen at run time by te_matmul_s8 and te_conv2d_s8, have none (row_pairs.h). */
#define TE_PAIR_GROUPS_WITH_FIXUP(name, STEPS, SETUP)                             \
  TE_PAIR_GROUPS_CLAMP(name##_clamped, STEPS, TE_PAIR_CLAMP, TE_PAIR_SIGN_FIXUP) \
  TE_PAIR_GROUPS_CLAMP(name, STEPS, "", TE_PAIR_SIGN_FIXUP)                      \
  TE_PAIR_LOOP_WITH(name##_loop, SETUP, STEPS, TE_PAIR_SIGN_FIXUP)
#define TE_PAIR_GROUPS(name, STEPS, SETUP)                            \
  TE_PAIR_GROUPS_WITH_FIXUP(name, STEPS, SETUP)                       \
  TE_PAIR_GROUPS_CLAMP(name##_nofixup, STEPS, "", TE_PAIR_NO_FIXUP) \
  TE_PAIR_LOOP_WITH(name##_loop_nofixup, SETUP, STEPS, TE_PAIR_NO_FIXUP)
#define TE_ROW_PAIR_STEP4 TE_ROW_PAIR_STEP TE_ROW_PAIR_STEP TE_ROW_PAIR_STEP TE_ROW_PAIR_STEP
#define TE_ROW_PAIR_STEP8 TE_ROW_PAIR_STEP4 TE_ROW_PAIR_STEP4
TE_PAIR_GROUPS(te_row_pair_groups_k8, TE_ROW_PAIR_FIRST_STEP TE_ROW_PAIR_STEP, TE_PAIR_WIDEN_K8)
TE_PAIR_GROUPS(te_row_pair_groups_k16, TE_ROW_PAIR_FIRST_STEP TE_ROW_PAIR_STEP TE_ROW_PAIR_STEP TE_ROW_PAIR_STEP,
               TE_PAIR_WIDEN_K16)
TE_PAIR_GROUPS(te_row_pair_groups_any, TE_PAIR_DISPATCHED(TE_ROW_PAIR_STEP), TE_PAIR_WIDEN)
TE_PAIR_GROUPS_WITH_FIXUP(te_raw_pair_groups, "ldr r10, [sp, #44]\n\t" TE_PAIR_DISPATCHED(TE_RAW_PAIR_STEP), TE_PAIR_IN_PLACE)

/* K = 32 as eight straight steps and K a multiple of 64 as sixteen a pass, no dispatch: VWW's K = 32 to 256
   pointwise layers lose the TBH and half their end tests (12 to 30 cycles a group). */
TE_PAIR_LOOP(te_row_pair_groups_k32_loop, TE_PAIR_WIDEN_K8N,
             TE_ROW_PAIR_FIRST_STEP TE_ROW_PAIR_STEP TE_ROW_PAIR_STEP TE_ROW_PAIR_STEP TE_ROW_PAIR_STEP4)
TE_PAIR_LOOP(te_row_pair_groups_k64n_loop, TE_PAIR_WIDEN_K8N,
             TE_ROW_PAIR_BIAS_COPY "11:\n\t" TE_ROW_PAIR_STEP8 TE_ROW_PAIR_STEP8 "ldr r8, [sp, #20]\n\tcmp r12, r8\n\tbne 11b\n\t")

#endif
