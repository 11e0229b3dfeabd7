/*
 * tinyedge: the 16×8 step of the cortex-m-dsp int16_mac kernels (Cortex-M4/M7): two int16 rows × four channels
 * against 'o4-k2-s16' weights (kernel-table.ts). An int16 row needs no unpacking: one LDR reads the pair
 * (x[k], x[k + 1]) its weight words are stored against, so a pair of k is two LDR of inputs (one per row), four of
 * weights (each feeding both rows) and eight SMLAD: 14 instructions for 16 MACs. Included once, by int16_mac.c,
 * after armv7em_dsp.h.
 */
#ifndef TINYEDGE_ARMV7EM_S16_PAIRS_H
#define TINYEDGE_ARMV7EM_S16_PAIRS_H

#include <stdint.h>

/* One pair of k: row a's word at xa (r12, advanced), row b's r10 bytes after it, the group's four weight words at lr
   (advanced); row a's accumulators in r0..r3, row b's in r4..r7. */
#define TE_S16_PAIR_STEP                                                                                            \
  "ldr.w r9, [r12, r10]\n\t"                                                                                       \
  "ldr.w r8, [r12], #4\n\t"                                                                                        \
  "ldr.w r11, [lr], #16\n\t"                                                                                       \
  "smlad r0, r8, r11, r0\n\tsmlad r4, r9, r11, r4\n\t"                                                             \
  "ldr.w r11, [lr, #-12]\n\t"                                                                                      \
  "smlad r1, r8, r11, r1\n\tsmlad r5, r9, r11, r5\n\t"                                                             \
  "ldr.w r11, [lr, #-8]\n\t"                                                                                       \
  "smlad r2, r8, r11, r2\n\tsmlad r6, r9, r11, r6\n\t"                                                             \
  "ldr.w r11, [lr, #-4]\n\t"                                                                                       \
  "smlad r3, r8, r11, r3\n\tsmlad r7, r9, r11, r7\n\t"

/* The sums r0..r7 from zero over the pairs: pairs % 4 in r11 picks (TBB) where the four-step loop is entered; it
   ends when xa (r12) reaches the end END (a stack slot) holds. Labels 10..14. */
#define TE_S16_PAIR_LOOP(END)                                                                                       \
  "movs r0, #0\n\tmovs r1, #0\n\tmovs r2, #0\n\tmovs r3, #0\n\t"                                                 \
  "movs r4, #0\n\tmovs r5, #0\n\tmovs r6, #0\n\tmovs r7, #0\n\t"                                                 \
  "tbb [pc, r11]\n"                                                                                                \
  "10:\n\t"                                                                                                       \
  ".byte (11f - 10b) / 2, (14f - 10b) / 2, (13f - 10b) / 2, (12f - 10b) / 2\n"                                    \
  "11:\n\t" TE_S16_PAIR_STEP "12:\n\t" TE_S16_PAIR_STEP "13:\n\t" TE_S16_PAIR_STEP "14:\n\t" TE_S16_PAIR_STEP     \
  "ldr r11, " END "\n\t"                                                                                          \
  "cmp r12, r11\n\t"                                                                                              \
  "bne 11b\n\t"

/*
 * s[0..4) = row a's sums (xa) over `pairs` ≥ 1 pairs of k against one group's words w, channels 0..3, s[4..8) row
 * b's (stride bytes after xa; 0: row a again). The caller keeps pairs ≤ 255 where the sums must be exact (int32).
 * Naked, so the twelve registers of the step stay bound: the loop runs four pairs a turn, entered through a table at
 * the step that leaves pairs % 4 before the first end test (the end, xa + 4·pairs, on the stack).
 */
static __attribute__((naked, noinline, unused)) void te_s16_pair_sums(const int16_t *xa __attribute__((unused)),
                                                                      const int32_t *w __attribute__((unused)),
                                                                      int32_t pairs __attribute__((unused)),
                                                                      int32_t stride __attribute__((unused)),
                                                                      int32_t *s __attribute__((unused))) {
  __asm__ volatile(
      "push {r4-r11, lr}\n\t"
      "mov r12, r0\n\t"
      "mov lr, r1\n\t"
      "mov r10, r3\n\t"
      "add r11, r0, r2, lsl #2\n\t"
      "push {r11}\n\t"
      "and r11, r2, #3\n\t"
      TE_S16_PAIR_LOOP("[sp]")
      "ldr r11, [sp, #40]\n\t"
      "stmia r11, {r0-r7}\n\t"
      "add sp, #4\n\t"
      "pop {r4-r11, pc}\n\t");
}

/* What te_s16_pair_groups reads, copied onto its stack (byte offsets in the comments). */
typedef struct {
  const int16_t *xa;   /* 0: row a (row b `stride` bytes on) */
  const void *end;     /* 4: xa + 4·pairs: where a group's steps stop */
  int32_t stride;      /* 8 */
  int32_t entry;       /* 12: pairs % 4 */
  const int32_t *br;   /* 16: the first group's (int32 bias, SMMULR multiplier) per channel, 8 words a group */
  int16_t *ya;         /* 20: row a's outputs of the first group (row b's y_stride bytes on) */
  int32_t y_stride;    /* 24 */
  const int16_t *ya_end; /* 28: ya + 4·groups */
  uint32_t lo2, hi2;   /* 32, 36: the activation range in both halfwords */
} te_s16_pair_job;

/* Channel J of both rows (r<J>, r<J + 4>): its bias added and SMMULR by its multiplier ((bias, R) from r11), then
   saturated to int16 (the clamp to the activation range follows on the packed pairs). */
#define TE_S16_PAIR_REQUANTIZE(a, b)                                                                                \
  "ldrd r8, r9, [r11], #8\n\t"                                                                                     \
  "add " a ", " a ", r8\n\tadd " b ", " b ", r8\n\t"                                                             \
  "smmulr " a ", " a ", r9\n\tsmmulr " b ", " b ", r9\n\t"                                                       \
  "ssat " a ", #16, " a "\n\tssat " b ", #16, " b "\n\t"

/* A packed pair of outputs clamped halfwise to [lo2 (r8), hi2 (r9)] (SSUB16 sets GE, SEL picks). */
#define TE_S16_PAIR_CLAMP(w) \
  "ssub16 r10, " w ", r8\n\tsel " w ", " w ", r8\n\tssub16 r10, " w ", r9\n\tsel " w ", r9, " w "\n\t"

/*
 * Every full group of four channels of a block for rows a and b, from the sums to the stored int16 outputs, the
 * accumulators never leaving their registers: per group the steps (as te_s16_pair_sums), then each channel's int32
 * bias and SMMULR (te_s16_requantize_fast's path, which te_s16_block_constants_of found exact for every channel:
 * output offset 0), SSAT to int16, the pairs packed by PKHBT and clamped by SSUB16/SEL, two STR a row. Even k only
 * (the groups' words follow each other), pairs ≥ 1; w: the first group's weights.
 */
static __attribute__((naked, noinline, unused)) void te_s16_pair_groups(const te_s16_pair_job *job
                                                                        __attribute__((unused)),
                                                                        const int32_t *w __attribute__((unused))) {
  __asm__ volatile(
      "push {r4-r11, lr}\n\t"
      "mov lr, r1\n\t"
      "ldmia r0, {r1-r10}\n\t"
      "push {r1-r10}\n"
      "1:\n\t"
      "ldr r12, [sp, #0]\n\t"
      "ldr r10, [sp, #8]\n\t"
      "ldr r11, [sp, #12]\n\t"
      TE_S16_PAIR_LOOP("[sp, #4]")
      "ldr r11, [sp, #16]\n\t"
      TE_S16_PAIR_REQUANTIZE("r0", "r4") TE_S16_PAIR_REQUANTIZE("r1", "r5")
      TE_S16_PAIR_REQUANTIZE("r2", "r6") TE_S16_PAIR_REQUANTIZE("r3", "r7")
      "str r11, [sp, #16]\n\t"
      "pkhbt r0, r0, r1, lsl #16\n\tpkhbt r1, r2, r3, lsl #16\n\t"
      "pkhbt r4, r4, r5, lsl #16\n\tpkhbt r5, r6, r7, lsl #16\n\t"
      "ldrd r8, r9, [sp, #32]\n\t"
      TE_S16_PAIR_CLAMP("r0") TE_S16_PAIR_CLAMP("r1") TE_S16_PAIR_CLAMP("r4") TE_S16_PAIR_CLAMP("r5")
      "ldrd r8, r9, [sp, #20]\n\t"
      "add r10, r8, r9\n\t"
      "str r4, [r10]\n\t"
      "str r5, [r10, #4]\n\t"
      "str r1, [r8, #4]\n\t"
      "str r0, [r8], #8\n\t"
      "str r8, [sp, #20]\n\t"
      "ldr r10, [sp, #28]\n\t"
      "cmp r8, r10\n\t"
      "bne 1b\n\t"
      "add sp, #40\n\t"
      "pop {r4-r11, pc}\n\t");
}

#endif
