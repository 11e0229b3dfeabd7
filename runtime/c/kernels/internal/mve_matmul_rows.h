/*
 * tinyedge: two rows times every channel of an 'o4-k16' matrix (kernels/arm-mve/conv2d.c) as one assembly loop, for
 * out_c a multiple of 4 and every shift negative. Written by hand because gcc keeps the eight VMLADAVA
 * accumulators (the even registers r0–r12 and lr, the only ones VMLADAVA writes) apart from the loop variables only
 * by moving them through the stack around each 2 × 4 tile. Here the loop variables that change per tile live on the
 * stack frame, the requantization constants in q5–q7, and a tile costs 34 instructions beside its 16 per 16 k.
 * The requantization is te_mve_requantize_right's (mve_requantize.h), on both rows' four channels.
 * te_mve_matmul_windows3 reads each row as three runs of blocks·16 bytes, `gap` bytes apart: a 3 × 3 convolution
 * window inside the input read where it lies (its kw·c bytes of each window row), with no gathered patch.
 */
#ifndef TINYEDGE_MVE_MATMUL_ROWS_H
#define TINYEDGE_MVE_MATMUL_ROWS_H

#include <stddef.h>
#include <stdint.h>

/* What the assembly reads; the first twelve words are copied to its stack frame (offsets in the assembly). */
typedef struct {
  const int8_t *x0, *x1; /* the two rows */
  int32_t blocks;        /* whole 16-byte steps of k (of a run, for windows), at least 1 but for te_mve_matmul_short */
  const int32_t *m, *shift;
  int8_t *y0, *y1;
  int32_t tail; /* k % 16 (0 for windows) */
  int32_t pad;
  int32_t gap; /* windows: bytes from the end of a run to the next one */
  int32_t pad2[2];
  const int8_t *w; /* the first group of four channels */
  const int32_t *bias;
  int32_t groups; /* out_c / 4, at least 1 */
  int32_t output_offset, act_min, act_max;
} te_mve_rows;

/* The assembly's field offsets (C99 has no _Static_assert: a negative array size stops the build). */
typedef char te_mve_rows_offsets[offsetof(te_mve_rows, gap) == 36 && offsetof(te_mve_rows, w) == 48 &&
                                         offsetof(te_mve_rows, act_max) == 68
                                     ? 1
                                     : -1];

/* 16 k of the 2 × 4 tile: the rows in q0 and q1, four weight vectors from [r5] (post-incremented). */
#define TE_MVE_ROWS_STEP        \
  "vldrb.8 q2, [r5], #16\n\t"   \
  "vmladava.s8 r0, q0, q2\n\t"  \
  "vmladava.s8 r8, q1, q2\n\t"  \
  "vldrb.8 q2, [r5], #16\n\t"   \
  "vmladava.s8 r2, q0, q2\n\t"  \
  "vmladava.s8 r10, q1, q2\n\t" \
  "vldrb.8 q2, [r5], #16\n\t"   \
  "vmladava.s8 r4, q0, q2\n\t"  \
  "vmladava.s8 r12, q1, q2\n\t" \
  "vldrb.8 q2, [r5], #16\n\t"   \
  "vmladava.s8 r6, q0, q2\n\t"  \
  "vmladava.s8 lr, q1, q2\n\t"

/* r0: the te_mve_rows. Frame: [sp] x0, x1, blocks, m, shift, y0, y1, tail, -, gap. */
#define TE_MVE_ROWS_ENTER            \
  "push {r4-r11, lr}\n\t"            \
  "vpush {d8-d15}\n\t"               \
  "sub sp, #48\n\t"                  \
  "vldrw.32 q0, [r0]\n\t"            \
  "vldrw.32 q1, [r0, #16]\n\t"       \
  "vldrw.32 q2, [r0, #32]\n\t"       \
  "vstrw.32 q0, [sp]\n\t"            \
  "vstrw.32 q1, [sp, #16]\n\t"       \
  "vstrw.32 q2, [sp, #32]\n\t"       \
  "ldr r5, [r0, #48]\n\t"            \
  "ldr r9, [r0, #52]\n\t"            \
  "ldr r11, [r0, #56]\n\t"           \
  "ldr r1, [r0, #60]\n\t"            \
  "vdup.32 q7, r1\n\t"               \
  "ldr r1, [r0, #64]\n\t"            \
  "vdup.32 q5, r1\n\t"               \
  "ldr r1, [r0, #68]\n\t"            \
  "vdup.32 q6, r1\n"                 \
  /* A tile: the sums start at the four channels' folded bias, both rows. */ \
  "1:\n\t"                           \
  "ldm r9!, {r0, r2, r4, r6}\n\t"    \
  "ldmdb r9, {r8, r10, r12, lr}\n\t" \
  "ldrd r1, r3, [sp]\n\t"

/* `blocks` steps of 16 k. */
#define TE_MVE_ROWS_RUN         \
  "ldr r7, [sp, #8]\n"          \
  "2:\n\t"                      \
  "vldrb.8 q0, [r1], #16\n\t"   \
  "vldrb.8 q1, [r3], #16\n\t" TE_MVE_ROWS_STEP \
  "subs r7, #1\n\t"             \
  "bne 2b\n\t"

/* `blocks` pairs of steps of 16 k (blocks holding half the 16-byte steps): one loop test per 32 k. */
#define TE_MVE_ROWS_RUN2        \
  "ldr r7, [sp, #8]\n"          \
  "2:\n\t"                      \
  "vldrb.8 q0, [r1], #16\n\t"   \
  "vldrb.8 q1, [r3], #16\n\t" TE_MVE_ROWS_STEP \
  "vldrb.8 q0, [r1], #16\n\t"   \
  "vldrb.8 q1, [r3], #16\n\t" TE_MVE_ROWS_STEP \
  "subs r7, #1\n\t"             \
  "bne 2b\n\t"

/* One step of 16 k, unrolled (no loop). */
#define TE_MVE_ROWS_ONE         \
  "vldrb.8 q0, [r1], #16\n\t"   \
  "vldrb.8 q1, [r3], #16\n\t" TE_MVE_ROWS_STEP

/* Both rows' four sums requantized and stored, then the next tile. */
#define TE_MVE_ROWS_LEAVE               \
  "vmov q0[2], q0[0], r0, r4\n\t"       \
  "vmov q0[3], q0[1], r2, r6\n\t"       \
  "vmov q1[2], q1[0], r8, r12\n\t"      \
  "vmov q1[3], q1[1], r10, lr\n\t"      \
  "ldrd r0, r2, [sp, #12]\n\t"          \
  "vldrw.32 q2, [r0], #16\n\t"          \
  "vldrw.32 q3, [r2], #16\n\t"          \
  "strd r0, r2, [sp, #12]\n\t"          \
  "vqrdmulh.s32 q0, q0, q2\n\t"         \
  "vqrdmulh.s32 q1, q1, q2\n\t"         \
  "vshr.s32 q4, q0, #31\n\t"            \
  "vqadd.s32 q0, q0, q4\n\t"            \
  "vshr.s32 q4, q1, #31\n\t"            \
  "vqadd.s32 q1, q1, q4\n\t"            \
  "vrshl.s32 q0, q0, q3\n\t"            \
  "vrshl.s32 q1, q1, q3\n\t"            \
  "vadd.i32 q0, q0, q7\n\t"             \
  "vadd.i32 q1, q1, q7\n\t"             \
  "vmax.s32 q0, q0, q5\n\t"             \
  "vmax.s32 q1, q1, q5\n\t"             \
  "vmin.s32 q0, q0, q6\n\t"             \
  "vmin.s32 q1, q1, q6\n\t"             \
  "ldrd r0, r2, [sp, #20]\n\t"          \
  "vstrb.32 q0, [r0], #4\n\t"           \
  "vstrb.32 q1, [r2], #4\n\t"           \
  "strd r0, r2, [sp, #20]\n\t"          \
  "subs r11, #1\n\t"                    \
  "bne 1b\n\t"                          \
  "add sp, #48\n\t"                     \
  "vpop {d8-d15}\n\t"                   \
  "pop {r4-r11, pc}"

/* The k % 16 last bytes of the rows under a VCTP predicate (zero lanes past k; the weights are zero there). */
#define TE_MVE_ROWS_TAIL        \
  "vctp.8 r7\n\t"              \
  "vpstt\n\t"                  \
  "vldrbt.8 q0, [r1]\n\t"      \
  "vldrbt.8 q1, [r3]\n\t" TE_MVE_ROWS_STEP

/* Rows x0 and x1 of k bytes, k at least 16 (noipa: gcc reads no effects off an assembly body). */
__attribute__((naked, noipa)) static void te_mve_matmul_rows(const te_mve_rows *c __attribute__((unused))) {
  __asm__(TE_MVE_ROWS_ENTER TE_MVE_ROWS_RUN
          "ldr r7, [sp, #28]\n\t"
          "cbz r7, 3f\n\t" TE_MVE_ROWS_TAIL "3:\n\t" TE_MVE_ROWS_LEAVE);
}

/* Rows of a multiple of 32 bytes, `blocks` their half steps (no tail to test). */
__attribute__((naked, noipa)) static void te_mve_matmul_rows2(const te_mve_rows *c __attribute__((unused))) {
  __asm__(TE_MVE_ROWS_ENTER TE_MVE_ROWS_RUN2 TE_MVE_ROWS_LEAVE);
}

/* Rows of k < 16 bytes: the tail alone (VWW's 8 → 16 pointwise). */
__attribute__((naked, noipa)) static void te_mve_matmul_short(const te_mve_rows *c __attribute__((unused))) {
  __asm__(TE_MVE_ROWS_ENTER "ldr r7, [sp, #28]\n\t" TE_MVE_ROWS_TAIL TE_MVE_ROWS_LEAVE);
}

/* Rows of three runs (k = 3 · blocks · 16): 3 × 3 windows, the next run `gap` bytes past the end of one. */
#define TE_MVE_ROWS_NEXT_RUN "ldr r7, [sp, #36]\n\tadd r1, r7\n\tadd r3, r7\n\t"
__attribute__((naked, noipa)) static void te_mve_matmul_windows3(const te_mve_rows *c __attribute__((unused))) {
  __asm__(TE_MVE_ROWS_ENTER TE_MVE_ROWS_RUN TE_MVE_ROWS_NEXT_RUN TE_MVE_ROWS_RUN TE_MVE_ROWS_NEXT_RUN TE_MVE_ROWS_RUN
              TE_MVE_ROWS_LEAVE);
}

/* The same, runs of an even number of blocks, `blocks` their half. */
__attribute__((naked, noipa)) static void te_mve_matmul_windows3_2(const te_mve_rows *c __attribute__((unused))) {
  __asm__(TE_MVE_ROWS_ENTER TE_MVE_ROWS_RUN2 TE_MVE_ROWS_NEXT_RUN TE_MVE_ROWS_RUN2 TE_MVE_ROWS_NEXT_RUN TE_MVE_ROWS_RUN2
              TE_MVE_ROWS_LEAVE);
}

/* The same, runs of three blocks (3 × 3 windows over 16 channels) unrolled whole. */
#define TE_MVE_ROWS_RUN3 TE_MVE_ROWS_ONE TE_MVE_ROWS_ONE TE_MVE_ROWS_ONE
__attribute__((naked, noipa)) static void te_mve_matmul_windows3_3(const te_mve_rows *c __attribute__((unused))) {
  __asm__(TE_MVE_ROWS_ENTER TE_MVE_ROWS_RUN3 TE_MVE_ROWS_NEXT_RUN TE_MVE_ROWS_RUN3 TE_MVE_ROWS_NEXT_RUN TE_MVE_ROWS_RUN3
              TE_MVE_ROWS_LEAVE);
}

/* Rows of 64 bytes (KWS's pointwise) unrolled whole. */
__attribute__((naked, noipa)) static void te_mve_matmul_rows64(const te_mve_rows *c __attribute__((unused))) {
  __asm__(TE_MVE_ROWS_ENTER TE_MVE_ROWS_ONE TE_MVE_ROWS_ONE TE_MVE_ROWS_ONE TE_MVE_ROWS_ONE TE_MVE_ROWS_LEAVE);
}

#endif
