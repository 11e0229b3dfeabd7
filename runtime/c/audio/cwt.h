/*
 * tinyedge: the fixed-point CWT front end of audio models (FunnelNet): int16 PCM → Morlet scalogram → the model's
 * int8 input. Bit-exact with compiler/reference/audio/cwt-int.ts; the design (scales, Q14 taps, rounding, integer
 * magnitude, column averaging, requantization) is in compiler/audio/cwt-kernels.ts. The compiler emits
 * the tables as const arrays (flash); no malloc, no floating point.
 */
#ifndef TINYEDGE_AUDIO_CWT_H
#define TINYEDGE_AUDIO_CWT_H

#include <stdint.h>

typedef struct {
  int32_t samples;    /* PCM samples in one clip */
  int32_t rows;       /* scales, highest frequency first */
  int32_t columns;    /* output columns */
  int32_t subsamples; /* points averaged into one column */
  int32_t hop;        /* samples between columns */
  int32_t step;       /* samples between the points of a column */
  const int32_t *offsets; /* per row: where its taps start in taps (re[0..2h], then im[0..2h]) */
  const int32_t *halves;  /* per row: half-width h */
  const int16_t *taps;    /* Q14 Morlet taps */
  int32_t multiplier, shift, zero_point; /* column sum → int8 (TFLite's MultiplyByQuantizedMultiplier) */
} te_cwt;

/* out[r·columns + t] for every row r and column t: the model's [1, rows, columns, 1] input. */
void te_cwt_s16_s8(const te_cwt *cwt, const int16_t *pcm, int8_t *out);

#endif
