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
#include "../internal/patch.h"

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

/* One step of four k for two rows and four channels, 32 MACs: the rows' four words at xp (r12, te_widen_row_pair),
   the group's eight at wp (lr; channel j's (k, k + 2) pair at word 2j, its (k + 1, k + 3) at 2j + 1), the first row's
   accumulators in r0..r3, the second's in r4..r7, x in r8, r9 and w in r10, r11. Loads come in runs (a load after a
   load costs one cycle, after anything else two) and both pointers advance on their run's first load: 32 cycles on
   the Cortex-M4 against the one-row step's 44. Registers are named, not bound by gcc, so the naked group loops below
   can use the same text; every instruction is 32-bit (.w). */
#define TE_ROW_PAIR_STEP                                                                                            \
  "ldr.w r8, [r12], #16\n\t"                                                                                       \
  "ldr.w r9, [r12, #-12]\n\t"                                                                                      \
  "ldr.w r10, [lr], #32\n\t"                                                                                       \
  "ldr.w r11, [lr, #-24]\n\t"                                                                                      \
  "smlad r0, r8, r10, r0\n\tsmlad r4, r9, r10, r4\n\t"                                                              \
  "smlad r1, r8, r11, r1\n\tsmlad r5, r9, r11, r5\n\t"                                                              \
  "ldr.w r10, [lr, #-16]\n\t"                                                                                      \
  "ldr.w r11, [lr, #-8]\n\t"                                                                                       \
  "smlad r2, r8, r10, r2\n\tsmlad r6, r9, r10, r6\n\t"                                                              \
  "smlad r3, r8, r11, r3\n\tsmlad r7, r9, r11, r7\n\t"                                                              \
  "ldr.w r8, [r12, #-8]\n\t"                                                                                       \
  "ldr.w r9, [r12, #-4]\n\t"                                                                                       \
  "ldr.w r10, [lr, #-28]\n\t"                                                                                      \
  "ldr.w r11, [lr, #-20]\n\t"                                                                                      \
  "smlad r0, r8, r10, r0\n\tsmlad r4, r9, r10, r4\n\t"                                                              \
  "smlad r1, r8, r11, r1\n\tsmlad r5, r9, r11, r5\n\t"                                                              \
  "ldr.w r10, [lr, #-12]\n\t"                                                                                      \
  "ldr.w r11, [lr, #-4]\n\t"                                                                                       \
  "smlad r2, r8, r10, r2\n\tsmlad r6, r9, r10, r6\n\t"                                                              \
  "smlad r3, r8, r11, r3\n\tsmlad r7, r9, r11, r7\n\t"

/* The same step from the two rows in int8 (te_conv2d_s8, te_matmul_s8: no widened copy), the first at xp (r12), the
   second r10 bytes after it, unpacked here with SXTB16 (the (x0, x2) halves first, then (x1, x3), both rows in r8,
   r9) and each weight word loaded alone into r11, the one register left: 40 cycles for the 32 MACs. */
#define TE_RAW_PAIR_HALF(ror, first, w1, w2, w3)                                                                   \
  "ldr.w r9, [r12, r10]\n\t"                                                                                      \
  first                                                                                                           \
  "sxtb16 r8, r8" ror "\n\tsxtb16 r9, r9" ror "\n\t"                                                               \
  "smlad r0, r8, r11, r0\n\tsmlad r4, r9, r11, r4\n\t"                                                             \
  "ldr.w r11, [lr, #" w1 "]\n\t"                                                                                  \
  "smlad r1, r8, r11, r1\n\tsmlad r5, r9, r11, r5\n\t"                                                             \
  "ldr.w r11, [lr, #" w2 "]\n\t"                                                                                  \
  "smlad r2, r8, r11, r2\n\tsmlad r6, r9, r11, r6\n\t"                                                             \
  "ldr.w r11, [lr, #" w3 "]\n\t"                                                                                  \
  "smlad r3, r8, r11, r3\n\tsmlad r7, r9, r11, r7\n\t"
#define TE_RAW_PAIR_STEP                                                                                           \
  TE_RAW_PAIR_HALF("", "ldr.w r8, [r12]\n\tldr.w r11, [lr], #32\n\t", "-24", "-16", "-8")                          \
  TE_RAW_PAIR_HALF(", ror #8", "ldr.w r8, [r12], #4\n\tldr.w r11, [lr, #-28]\n\t", "-20", "-12", "-4")

/* The group's bias at r11 into r0..r3 and r4..r7 (one LDM, the second row's copy by moves), r11 left past it. */
#define TE_ROW_PAIR_BIAS "ldmia r11!, {r0, r1, r2, r3}\n\tmov r4, r0\n\tmov r5, r1\n\tmov r6, r2\n\tmov r7, r3\n\t"

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

/* What the naked group loops read, copied onto their stack (the byte offsets the asm uses are in the comments). */
typedef struct {
  const int32_t *bias; /* 0: the first group's folded bias, 16 bytes a group */
  const int32_t *mr;   /* 4: its 'smmul' (M2, R) pairs, 32 bytes a group */
  int8_t *ya, *yb;     /* 8, 12: where both rows' outputs go */
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
  int32_t out_c;       /* 60: a row's outputs, a multiple of four */
} te_pair_job;

/* Entry: r0 the job (copied to [sp]), r1 the weights (lr). */
#define TE_PAIR_PROLOGUE \
  "push {r4-r11, lr}\n\t" \
  "mov lr, r1\n\t"        \
  "ldmia r0, {r1-r12}\n\t" \
  "push {r1-r12}\n"

/* A group's start: xp back at xs, the bias loaded and advanced (and r8 = steps % 8 for TE_ROW_PAIR_STEPS). */
#define TE_PAIR_GROUP_START \
  "1:\n\t"                  \
  "ldr r11, [sp, #0]\n\t"   \
  "ldr r12, [sp, #16]\n\t"  \
  "ldr r8, [sp, #40]\n\t"   \
  TE_ROW_PAIR_BIAS          \
  "str r11, [sp, #0]\n\t"

/* Channel J of both rows (r<J>, r<J + 4>) requantized (te_smmul_requantize: (M2, R) from r11, the offset in r12),
   saturated and put in byte J of r0 and r4. */
#define TE_PAIR_REQUANTIZE(a, b) \
  "ldrd r8, r9, [r11], #8\n\t"          \
  "smmlar " a ", " a ", r8, " a "\n\t"  \
  "smmlar " b ", " b ", r8, " b "\n\t"  \
  "add " a ", " a ", " a ", asr #31\n\t" \
  "add " b ", " b ", " b ", asr #31\n\t" \
  "smmlsr " a ", " a ", r9, r12\n\t"     \
  "smmlsr " b ", " b ", r9, r12\n\t"     \
  "ssat " a ", #8, " a "\n\t"             \
  "ssat " b ", #8, " b "\n\t"
#define TE_PAIR_INSERT(a, b, lsb) "bfi r0, " a ", #" lsb ", #8\n\tbfi r4, " b ", #" lsb ", #8\n\t"

/* Both packed rows (r0, r4) clamped bytewise to the activation range (te_clamp4_s8). */
#define TE_PAIR_CLAMP                                                                                              \
  "ldrd r8, r9, [sp, #28]\n\t"                                                                                     \
  "ssub8 r10, r0, r8\n\tsel r0, r0, r8\n\tssub8 r10, r0, r9\n\tsel r0, r9, r0\n\t"                                 \
  "ssub8 r10, r4, r8\n\tsel r4, r4, r8\n\tssub8 r10, r4, r9\n\tsel r4, r9, r4\n\t"

/* The group's eight accumulators requantized in registers, CLAMP (TE_PAIR_CLAMP, or nothing where the range is
   int8's, which SSAT already gives: 10 cycles a group), stored at ya and yb; the next group until ya reaches
   ya_end. */
#define TE_PAIR_GROUP_END(CLAMP)                                                                                   \
  "ldr r11, [sp, #4]\n\t"                                                                                          \
  "ldr r12, [sp, #24]\n\t"                                                                                         \
  TE_PAIR_REQUANTIZE("r0", "r4")                                                                                   \
  TE_PAIR_REQUANTIZE("r1", "r5") TE_PAIR_INSERT("r1", "r5", "8")                                                   \
  TE_PAIR_REQUANTIZE("r2", "r6") TE_PAIR_INSERT("r2", "r6", "16")                                                  \
  TE_PAIR_REQUANTIZE("r3", "r7") TE_PAIR_INSERT("r3", "r7", "24")                                                  \
  "str r11, [sp, #4]\n\t"                                                                                          \
  CLAMP                                                                                                            \
  "ldrd r8, r9, [sp, #8]\n\t"                                                                                      \
  "str r0, [r8], #4\n\t"                                                                                           \
  "str r4, [r9], #4\n\t"                                                                                           \
  "strd r8, r9, [sp, #8]\n\t"                                                                                      \
  "ldr r10, [sp, #36]\n\t"                                                                                         \
  "cmp r8, r10\n\t"                                                                                                \
  "bne 1b\n\t"
#define TE_PAIR_RETURN "add sp, #48\n\tpop {r4-r11, pc}\n\t"

/* Every full group of four channels over both rows, from the bias to the stored bytes in one asm function: the
   accumulators never leave their registers (gcc's allocator cannot hold fourteen for an inline asm and spilled
   them around the requantization). Naked, so the C around it is none: the job and the weights arrive in r0, r1. Two
   and four steps (K ≤ 16, VWW's first pointwise layers) run straight, without the dispatch and the end test. */
#define TE_PAIR_GROUPS_CLAMP(name, STEPS, CLAMP)                                                       \
  static __attribute__((naked, noinline)) void name(const te_pair_job *job __attribute__((unused)), \
                                                    const int8_t *w __attribute__((unused))) {       \
    __asm__ volatile(TE_PAIR_PROLOGUE TE_PAIR_GROUP_START STEPS TE_PAIR_GROUP_END(CLAMP) TE_PAIR_RETURN); \
  }

/* The pair loops' entry: the job's pointer kept above its stack copy, at [sp, #48]. */
#define TE_PAIR_LOOP_PROLOGUE \
  "push {r4-r11, lr}\n\t"    \
  "push {r0}\n\t"            \
  "ldmia r0, {r1-r12}\n\t"   \
  "push {r1-r12}\n"

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

/* After a pair's last group (r9: the second row's end, where the next pair's outputs start): the next pair's bias,
   constants and outputs, or the return. */
#define TE_PAIR_NEXT              \
  "ldr r0, [sp, #48]\n\t"         \
  "ldr r1, [r0, #52]\n\t"         \
  "subs r1, r1, #1\n\t"           \
  "beq 9f\n\t"                    \
  "str r1, [r0, #52]\n\t"         \
  "ldrd r2, r3, [r0]\n\t"         \
  "ldr r4, [r0, #60]\n\t"         \
  "strd r2, r3, [sp]\n\t"         \
  "add r5, r9, r4\n\t"            \
  "strd r9, r5, [sp, #8]\n\t"     \
  "str r5, [sp, #36]\n\t"         \
  "b 2b\n"                        \
  "9:\n\t"                        \
  "add sp, #52\n\t"               \
  "pop {r4-r11, pc}\n\t"

/* Every pair of job->pairs in one asm function (out_c % 4 = 0, k % 4 = 0, int8's range): no call, entry or C loop
   a pair (~50 cycles each on VWW's ~2,000 pointwise pairs). */
#define TE_PAIR_LOOP(name, SETUP, STEPS)                                                                  \
  static __attribute__((naked, noinline)) void name(const te_pair_job *job __attribute__((unused)),      \
                                                    const int8_t *w __attribute__((unused))) {            \
    __asm__ volatile(TE_PAIR_LOOP_PROLOGUE "2:\n\t" SETUP TE_PAIR_GROUP_START STEPS TE_PAIR_GROUP_END("") \
                         TE_PAIR_NEXT);                                                                   \
  }

/* Each group loop twice: name##_clamped for a range narrower than int8's, name for int8's (every MLPerf Tiny
   layer); the pair loop name##_loop, over the widened rows (or, `raw`, in place), for int8's only (a clamped copy
   of each would cost 3 KB of code for layers that are rare). */
#define TE_PAIR_GROUPS(name, STEPS, SETUP)                    \
  TE_PAIR_GROUPS_CLAMP(name##_clamped, STEPS, TE_PAIR_CLAMP) \
  TE_PAIR_GROUPS_CLAMP(name, STEPS, "")                      \
  TE_PAIR_LOOP(name##_loop, SETUP, STEPS)
#define TE_ROW_PAIR_STEP4 TE_ROW_PAIR_STEP TE_ROW_PAIR_STEP TE_ROW_PAIR_STEP TE_ROW_PAIR_STEP
#define TE_ROW_PAIR_STEP8 TE_ROW_PAIR_STEP4 TE_ROW_PAIR_STEP4
TE_PAIR_GROUPS(te_row_pair_groups_k8, TE_ROW_PAIR_STEP TE_ROW_PAIR_STEP, TE_PAIR_WIDEN)
TE_PAIR_GROUPS(te_row_pair_groups_k16, TE_ROW_PAIR_STEP4, TE_PAIR_WIDEN)
TE_PAIR_GROUPS(te_row_pair_groups_any, TE_ROW_PAIR_STEPS(TE_ROW_PAIR_STEP, "[sp, #20]"), TE_PAIR_WIDEN)
TE_PAIR_GROUPS(te_raw_pair_groups, "ldr r10, [sp, #44]\n\t" TE_ROW_PAIR_STEPS(TE_RAW_PAIR_STEP, "[sp, #20]"),
               TE_PAIR_IN_PLACE)

/* K = 32 as eight straight steps and K a multiple of 64 as sixteen a pass, no dispatch: VWW's K = 32 to 256
   pointwise layers lose the TBH and half their end tests (12 to 30 cycles a group). */
TE_PAIR_LOOP(te_row_pair_groups_k32_loop, TE_PAIR_WIDEN, TE_ROW_PAIR_STEP8)
TE_PAIR_LOOP(te_row_pair_groups_k64n_loop, TE_PAIR_WIDEN,
             "11:\n\t" TE_ROW_PAIR_STEP8 TE_ROW_PAIR_STEP8 "ldr r8, [sp, #20]\n\tcmp r12, r8\n\tbne 11b\n\t")

typedef void te_pair_fn(const te_pair_job *job, const int8_t *w);

/* The group loop (`loop` 0) or pair loop (1, int8's range only) for the rows' form and step count and the layer's
   clamp (inlined: a table lookup a pair cost VWW's first conv 8 K cycles). */
static inline __attribute__((always_inline)) te_pair_fn *te_pair_fn_of(int32_t raw, int32_t steps, int32_t clamp,
                                                                        int32_t loop) {
  if (raw) {
    if (loop) return te_raw_pair_groups_loop;
    return clamp ? te_raw_pair_groups_clamped : te_raw_pair_groups;
  }
  if (steps == 2) {
    if (loop) return te_row_pair_groups_k8_loop;
    return clamp ? te_row_pair_groups_k8_clamped : te_row_pair_groups_k8;
  }
  if (steps == 4) {
    if (loop) return te_row_pair_groups_k16_loop;
    return clamp ? te_row_pair_groups_k16_clamped : te_row_pair_groups_k16;
  }
  if (loop && steps == 8) return te_row_pair_groups_k32_loop;
  if (loop && !(steps & 15)) return te_row_pair_groups_k64n_loop;
  if (loop) return te_row_pair_groups_any_loop;
  return clamp ? te_row_pair_groups_any_clamped : te_row_pair_groups_any;
}

/* The job of one call's row pairs: what stays the same for every pair (the bias, the constants); 'smmul' only. `xs`
   and `end` as te_pair_job says, set here for the widened copy in scratch (te_conv2d_s8 resets `end` for its int8
   windows; te_matmul_s8 sets both per pair, its rows read in place). */
static te_pair_job te_pair_job_of(const void *xs, int32_t steps, int32_t k, const int32_t *folded_bias,
                                  const te_row_constants *c) {
  te_pair_job job;
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

/* Both rows' out_c channels written at ya and yb: the full groups by the step count's naked loop, from the widened
   copy at job->xs, or (`raw`) from the int8 rows at job->xs and k bytes after it; a last out_c % 4 channels (their
   group and bias zero-padded) here. Inlined into each pair loop: a call a pair cost VWW's first layers 4%. */
static inline __attribute__((always_inline)) void te_row_pair_times_matrix(te_pair_job *job, int32_t steps,
                                                                           int32_t raw, const int8_t *w, int32_t out_c,
                                                                           const te_row_constants *c, int8_t *ya,
                                                                           int8_t *yb) {
  const int32_t full = out_c & ~3;
  const int32_t *const last = (const int32_t *)(const void *)w + 2 * steps * full;
  int32_t a[4], b[4], bias[4], j;
  if (full) {
    job->ya = ya, job->yb = yb, job->ya_end = ya + full;
    te_pair_fn_of(raw, steps, c->clamp, 0)(job, w);
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
   group of four channels over both; where k and out_c are multiples of four and the range is int8's, every pair in
   one asm loop (te_*_loop). Layers with TFLite's (multiplier, shift) arrays (no 'smmul' pairs), other k and a lone
   last row take one row at a time. */
static inline __attribute__((always_inline)) void te_matmul_pairs(const int8_t *x, const int8_t *w,
                                                                  const int32_t *folded_bias, int32_t rows, int32_t k,
                                                                  int32_t out_c, const te_mac_params *p,
                                                                  int32_t *scratch, int8_t *y) {
  const te_row_constants c = te_row_constants_of(p);
  const int32_t steps = (k + 3) >> 2;
  te_pair_job job = te_pair_job_of(scratch, steps, k, folded_bias, &c);
  int32_t r = 0;
  if (!p->shifts && !c.clamp && !(k & 3) && !(out_c & 3) && rows >= 2) {
    /* Every pair in the asm: the outputs of the second row end where the next pair's begin. */
    r = rows & ~1;
    job.x = x, job.pairs = rows >> 1, job.w = w, job.out_c = out_c;
    job.ya = y, job.yb = y + out_c, job.ya_end = y + out_c;
    te_pair_fn_of(!scratch, steps, c.clamp, 1)(&job, w);
    x += r * k, y += r * out_c;
  }
  if (!p->shifts && (scratch || !(k & 3))) {
    for (; r + 2 <= rows; r += 2, x += 2 * k, y += 2 * out_c) {
      if (scratch) {
        te_widen_row_pair(x, x + k, k, scratch);
      } else {
        job.xs = x, job.end = x + k;
      }
      te_row_pair_times_matrix(&job, steps, !scratch, w, out_c, &c, y, y + out_c);
    }
  }
  for (; r < rows; r++, x += k, y += out_c) te_row_times_matrix(x, w, folded_bias, k, out_c, &c, y);
}

void te_matmul_row_pairs_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k,
                            int32_t out_c, const te_mac_params *p, int32_t *scratch, int8_t *y) {
  te_matmul_pairs(x, w, folded_bias, rows, k, out_c, p, scratch, y);
}

void te_matmul_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k, int32_t out_c,
                  const te_mac_params *p, int8_t *y) {
  te_matmul_pairs(x, w, folded_bias, rows, k, out_c, p, NULL, y);
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

/* Two output pixels at a time, as te_matmul_pairs takes two rows: their windows gathered into `patch` and, when
   `wide`, widened into its first 16·ceil(k/4) bytes (the windows after them), else read as they are (the second
   window k bytes after the first, which has 4·ceil(k/4) bytes of room: its last word is read whole). A lone last
   pixel, and layers with TFLite's (multiplier, shift) arrays, take the one-window path. The pixel's row and column
   are counted rather than divided out, and a pair wholly inside the input skips the gather's bounds tests. */
static inline __attribute__((always_inline)) void te_conv2d_pairs(const int8_t *x, const int8_t *w,
                                                                  const int32_t *folded_bias, const te_window *g,
                                                                  int32_t out_c, const te_mac_params *p,
                                                                  int8_t *patch, int32_t wide, int8_t *y) {
  const int32_t k = g->kh * g->kw * g->c, steps = (k + 3) >> 2, pixels = g->oh * g->ow, ow = g->ow;
  const int32_t c_in = g->c, last_iy = (g->kh - 1) * g->dilation_h, last_ix = g->stride_w + g->kw - 1;
  const int8_t zero_point = (int8_t)(-p->input_offset);
  const te_row_constants c = te_row_constants_of(p);
  int8_t *const pa = wide ? patch + 16 * steps : patch, *const pb = pa + k;
  te_pair_job job = te_pair_job_of(patch, steps, k, folded_bias, &c);
  int32_t n, i, oy, ox;
  if (!wide) job.end = pa + 4 * steps;
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
        if (wide) te_widen_row_pair(pa, pb, k, (int32_t *)(void *)patch); /* the arena's scratch is word-aligned */
        te_row_pair_times_matrix(&job, steps, !wide, w, out_c, &c, y, y + out_c);
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

void te_conv2d_row_pairs_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, const te_window *g,
                            int32_t out_c, const te_mac_params *p, int8_t *patch, int8_t *y) {
  te_conv2d_pairs(x, w, folded_bias, g, out_c, p, patch, 1, y);
}

void te_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, const te_window *g, int32_t out_c,
                  const te_mac_params *p, int8_t *patch, int8_t *y) {
  te_conv2d_pairs(x, w, folded_bias, g, out_c, p, patch, 0, y);
}
