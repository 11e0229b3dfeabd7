/*
 * tinyedge: the Armv8.2-A dot-product tile of kernels/arm-dotprod, on 'o8-k4' weights (kernel-table.ts). A tile is
 * R ≤ 4 rows (pixels) × 16 (or 8) output channels in 16 (8) int32x4 accumulators. A row is `segments` runs of `len`
 * input bytes `stride` apart: one run for a matrix row, one per window row for a convolution read straight from its
 * input, so inside windows need no gather. The layout pads each run to a multiple of four k with zero weights; per
 * sixteen k each row's inputs are one vector and SDOT by element multiplies four k of four channels (one weight
 * vector) with one 4-byte lane of it. A run's last len % 16 bytes are one whole vector where the caller allows
 * reading past them (the bytes past the run meet zero weights or unused lanes), else eight or four at a time, a last
 * partial word loaded whole or, where it could pass the end of the buffer, copied. The offsets
 * need no care: the compiler folded input_offset·Σw into the bias. Bit-exact with kernels/ref: integer sums in any
 * order are equal, and the requantization is arm_requantize.h's.
 */
#ifndef TINYEDGE_SDOT_TILE_H
#define TINYEDGE_SDOT_TILE_H

#include <arm_neon.h>
#include <stdint.h>
#include <string.h>
#include "tinyedge/kernels.h"
#include "arm_requantize.h"

#define TE_SDOT_INLINE static inline __attribute__((always_inline))

/* Eight bytes at p as lanes 0 and 1 of a vector (one LDR D, which zeroes the rest). */
TE_SDOT_INLINE int8x16_t te_sdot_load8(const int8_t *p) {
  return vcombine_s8(vld1_s8(p), vdup_n_s8(0));
}

/* Four bytes at p as lane 0 of a vector (LD1R needs no alignment). */
TE_SDOT_INLINE int8x16_t te_sdot_load4(const int8_t *p) {
  return vreinterpretq_s8_s32(vld1q_dup_s32((const int32_t *)(const void *)p));
}

/* A run's last `n` (1..3) bytes as lane 0: a whole word where it may be over-read (the bytes past the run meet zero
   weights), else through a zeroed copy. */
TE_SDOT_INLINE int8x16_t te_sdot_load_part(const int8_t *p, int32_t n, int32_t exact) {
  int8_t bytes[4] = {0, 0, 0, 0};
  if (!exact) return te_sdot_load4(p);
  memcpy(bytes, p, (size_t)n);
  return te_sdot_load4(bytes);
}

/* Row r's four accumulators (a<r>0..a<r>3: channels o..o+3, ..., o+12..o+15) += the group's weight vectors w0..w3
   dotted with lane L of x<r>. Named variables, not arrays: GCC keeps arrays of vectors in memory between loops. */
#define TE_SDOT_ROW(r, L)                                   \
  {                                                         \
    a##r##0 = vdotq_laneq_s32(a##r##0, w0, x##r, L);        \
    a##r##1 = vdotq_laneq_s32(a##r##1, w1, x##r, L);        \
    if (NB == 16) {                                         \
      a##r##2 = vdotq_laneq_s32(a##r##2, w2, x##r, L);      \
      a##r##3 = vdotq_laneq_s32(a##r##3, w3, x##r, L);      \
    }                                                       \
  }

/* Every row's accumulators += the next four k of NB channels dotted with lane L of its inputs. */
#define TE_SDOT_LANE(L)                                     \
  {                                                         \
    const int8x16_t w0 = vld1q_s8(wa), w1 = vld1q_s8(wa + 16); \
    const int8x16_t w2 = NB == 16 ? vld1q_s8(wb) : w0;      \
    const int8x16_t w3 = NB == 16 ? vld1q_s8(wb + 16) : w1; \
    wa += 32;                                               \
    if (NB == 16) wb += 32;                                 \
    TE_SDOT_ROW(0, L)                                       \
    if (R > 1) TE_SDOT_ROW(1, L)                            \
    if (R > 2) TE_SDOT_ROW(2, L)                            \
    if (R > 3) TE_SDOT_ROW(3, L)                            \
  }

/* Each row's inputs x<r> from LOAD(pointer) at byte i of its run. */
#define TE_SDOT_LOAD_ROWS(LOAD)                     \
  {                                                 \
    x0 = LOAD(p0 + i);                              \
    if (R > 1) x1 = LOAD(p1 + i);                   \
    if (R > 2) x2 = LOAD(p2 + i);                   \
    if (R > 3) x3 = LOAD(p3 + i);                   \
  }
#define TE_SDOT_PART(q) te_sdot_load_part(q, len - i, exact)

/* The requantization of a row's NB channels, stored at y + o (the first n). */
TE_SDOT_INLINE void te_sdot_store(const int NB, const int right_only, int32x4_t v0, int32x4_t v1, int32x4_t v2,
                                  int32x4_t v3, const te_requant4 q[4], int16x8_t offset, int8x16_t lo, int8x16_t hi,
                                  int32_t n, int8_t *y) {
  v0 = right_only ? te_mbqm4_right(v0, q[0].m, q[0].right) : te_mbqm4(v0, q[0]);
  v1 = right_only ? te_mbqm4_right(v1, q[1].m, q[1].right) : te_mbqm4(v1, q[1]);
  if (NB == 16) {
    int8x16_t b;
    v2 = right_only ? te_mbqm4_right(v2, q[2].m, q[2].right) : te_mbqm4(v2, q[2]);
    v3 = right_only ? te_mbqm4_right(v3, q[3].m, q[3].right) : te_mbqm4(v3, q[3]);
    b = vminq_s8(vmaxq_s8(te_offset_narrow16(v0, v1, v2, v3, offset), lo), hi);
    if (n == 16) {
      vst1q_s8(y, b);
    } else {
      int8_t bytes[16];
      vst1q_s8(bytes, b);
      memcpy(y, bytes, (size_t)n);
    }
  } else {
    const int8x8_t b = vmin_s8(vmax_s8(te_offset_narrow8(v0, v1, offset), vget_low_s8(lo)), vget_low_s8(hi));
    if (n == 8) {
      vst1_s8(y, b);
    } else {
      int8_t bytes[8];
      vst1_s8(bytes, b);
      memcpy(y, bytes, (size_t)n);
    }
  }
}

/* One call's rows and constants as locals (passed by value, so the compiler keeps them in registers: the int8 stores
   may alias any memory, which would make it reload every field of a struct in memory after each). */
typedef struct {
  const int8_t *p0, *p1, *p2, *p3;
  int8_t *y0, *y1, *y2, *y3;
  const int8_t *w;
  const int32_t *bias, *m, *shift;
  int32_t len, segments, stride, exact, over, group_bytes;
  int16x8_t offset;
  int8x16_t lo, hi;
} te_sdot_job;

/* Channels [o, o + NB) (the first `n` real) of the job's R rows. right_only: every channel shifts right
   (te_mbqm4_right), else TFLite's general per-channel shifts (te_mbqm4). */
TE_SDOT_INLINE void te_sdot_tile(const te_sdot_job j, const int R, const int NB, const int right_only, const int OVER, int32_t o,
                                 int32_t n) {
  const int8_t *wa = j.w + (o / 8) * j.group_bytes, *wb = wa + j.group_bytes;
  const int32_t len = j.len, len16 = len & ~15, words = (len - len16) >> 2, stride = j.stride, exact = j.exact;
  const int8_t *p0 = j.p0, *p1 = j.p1, *p2 = j.p2, *p3 = j.p3;
  const int32x4_t b0 = vld1q_s32(j.bias + o), b1 = vld1q_s32(j.bias + o + 4);
  const int32x4_t b2 = NB == 16 ? vld1q_s32(j.bias + o + 8) : b0, b3 = NB == 16 ? vld1q_s32(j.bias + o + 12) : b1;
  int32x4_t a00 = b0, a01 = b1, a02 = b2, a03 = b3, a10 = b0, a11 = b1, a12 = b2, a13 = b3;
  int32x4_t a20 = b0, a21 = b1, a22 = b2, a23 = b3, a30 = b0, a31 = b1, a32 = b2, a33 = b3;
  int8x16_t x0, x1 = vdupq_n_s8(0), x2 = x1, x3 = x1;
  int32_t s, i, c;
  te_requant4 q[4];
  for (s = 0; s < j.segments; s++, p0 += stride, p1 += stride, p2 += stride, p3 += stride) {
    for (i = 0; i < len16; i += 16) {
      TE_SDOT_LOAD_ROWS(vld1q_s8)
      TE_SDOT_LANE(0) TE_SDOT_LANE(1) TE_SDOT_LANE(2) TE_SDOT_LANE(3)
    }
    if (OVER && i < len) {
      TE_SDOT_LOAD_ROWS(vld1q_s8)
      TE_SDOT_LANE(0)
      if (len - i > 4) TE_SDOT_LANE(1)
      if (len - i > 8) TE_SDOT_LANE(2)
      if (len - i > 12) TE_SDOT_LANE(3)
      continue;
    }
    for (c = 0; c + 2 <= words; c += 2, i += 8) {
      TE_SDOT_LOAD_ROWS(te_sdot_load8)
      TE_SDOT_LANE(0) TE_SDOT_LANE(1)
    }
    if (c < words) {
      TE_SDOT_LOAD_ROWS(te_sdot_load4)
      TE_SDOT_LANE(0)
      i += 4;
    }
    if (i < len) {
      TE_SDOT_LOAD_ROWS(TE_SDOT_PART)
      TE_SDOT_LANE(0)
    }
  }
  for (c = 0; c < NB / 4; c++) {
    if (right_only) {
      q[c].m = vld1q_s32(j.m + o + 4 * c);
      q[c].right = vld1q_s32(j.shift + o + 4 * c);
    } else {
      q[c] = te_requant4_load(j.m + o + 4 * c, j.shift + o + 4 * c);
    }
  }
  te_sdot_store(NB, right_only, a00, a01, a02, a03, q, j.offset, j.lo, j.hi, n, j.y0 + o);
  if (R > 1) te_sdot_store(NB, right_only, a10, a11, a12, a13, q, j.offset, j.lo, j.hi, n, j.y1 + o);
  if (R > 2) te_sdot_store(NB, right_only, a20, a21, a22, a23, q, j.offset, j.lo, j.hi, n, j.y2 + o);
  if (R > 3) te_sdot_store(NB, right_only, a30, a31, a32, a33, q, j.offset, j.lo, j.hi, n, j.y3 + o);
}

/* Every output channel of the job's R rows: blocks of sixteen, then eight where fewer than sixteen (padded)
   channels remain. */
TE_SDOT_INLINE void te_sdot_rows_out(const te_sdot_job j, const int R, const int right_only, const int OVER,
                                     int32_t out_c) {
  const int32_t padded = (out_c + 7) & ~7;
  int32_t o;
  for (o = 0; o + 16 <= padded; o += 16) te_sdot_tile(j, R, 16, right_only, OVER, o, out_c - o < 16 ? out_c - o : 16);
  if (o < out_c) te_sdot_tile(j, R, 8, right_only, OVER, o, out_c - o);
}

/* The job of a call: its weights, constants and runs of `segments` × `len` bytes `stride` apart (rows set later). */
static inline te_sdot_job te_sdot_job_of(const int8_t *w, const int32_t *bias, const te_mac_params *p, int32_t len,
                                         int32_t segments, int32_t stride) {
  te_sdot_job j;
  j.p0 = j.p1 = j.p2 = j.p3 = NULL;
  j.y0 = j.y1 = j.y2 = j.y3 = NULL;
  j.w = w;
  j.bias = bias;
  j.m = p->multipliers;
  j.shift = p->shifts;
  j.len = len;
  j.segments = segments;
  j.stride = stride;
  j.exact = 0;
  j.over = 0;
  j.group_bytes = 8 * segments * ((len + 3) & ~3);
  j.offset = vdupq_n_s16((int16_t)p->output_offset);
  j.lo = vdupq_n_s8((int8_t)p->act_min);
  j.hi = vdupq_n_s8((int8_t)p->act_max);
  return j;
}

/* `tiles` tiles of four rows from the job's p0 and y0, rows x_step and y_step bytes apart (inlined per right_only:
   one loop, so the job stays in registers). */
TE_SDOT_INLINE void te_sdot_fours_of(te_sdot_job j, const int right_only, const int OVER, int32_t x_step,
                                     int32_t y_step, int32_t tiles, int32_t out_c) {
  int32_t t;
  for (t = 0; t < tiles; t++, j.p0 += 4 * x_step, j.y0 += 4 * y_step) {
    j.p1 = j.p0 + x_step;
    j.p2 = j.p1 + x_step;
    j.p3 = j.p2 + x_step;
    j.y1 = j.y0 + y_step;
    j.y2 = j.y1 + y_step;
    j.y3 = j.y2 + y_step;
    te_sdot_rows_out(j, 4, right_only, OVER, out_c);
  }
}

/* `rows` rows from the job's p0 and y0, rows x_step and y_step bytes apart: tiles of four, then two and one (never a
   repeated row). */
TE_SDOT_INLINE void te_sdot_run_of(te_sdot_job j, const int OVER, int32_t rows, int32_t x_step, int32_t y_step,
                                   int right_only, int32_t out_c) {
  const int32_t tiles = rows / 4;
  if (right_only) te_sdot_fours_of(j, 1, OVER, x_step, y_step, tiles, out_c);
  else te_sdot_fours_of(j, 0, OVER, x_step, y_step, tiles, out_c);
  j.p0 += 4 * tiles * x_step;
  j.y0 += 4 * tiles * y_step;
  j.p1 = j.p0 + x_step;
  j.y1 = j.y0 + y_step;
  if (rows & 2) {
    if (right_only) te_sdot_rows_out(j, 2, 1, OVER, out_c);
    else te_sdot_rows_out(j, 2, 0, OVER, out_c);
    j.p0 += 2 * x_step;
    j.y0 += 2 * y_step;
  }
  if (rows & 1) {
    if (right_only) te_sdot_rows_out(j, 1, 1, OVER, out_c);
    else te_sdot_rows_out(j, 1, 0, OVER, out_c);
  }
}

/* te_sdot_run_of with words for a run's tail (te_sdot_run) or whole vectors (te_sdot_run_over, where the job allows
   over-reading them: j.over); separate functions, so each keeps its own registers. */
static void te_sdot_run(const te_sdot_job *job, int32_t rows, int32_t x_step, int32_t y_step, int right_only,
                        int32_t out_c) {
  te_sdot_run_of(*job, 0, rows, x_step, y_step, right_only, out_c);
}
static void te_sdot_run_over(const te_sdot_job *job, int32_t rows, int32_t x_step, int32_t y_step, int right_only,
                             int32_t out_c) {
  te_sdot_run_of(*job, 1, rows, x_step, y_step, right_only, out_c);
}

#endif
