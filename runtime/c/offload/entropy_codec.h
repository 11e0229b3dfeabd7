/*
 * tinyedge offload: the entropy codec of the wire protocol (codec byte 1), byte for byte the one in
 * runtime/offload/entropy-codec.ts: an adaptive binary range coder (LZMA's: 11-bit probabilities, shift 5) over the
 * tensor's bytes, each byte down a 256-leaf bit tree, one tree per byte lane of an element (int8: 1, int16: 2).
 * Payload: mode byte (0 stored, 1 coded), decoded length (uint32 LE), then the stored bytes or the coded stream.
 * No malloc: the probability trees live in a te_entropy_state the caller provides (1 KiB).
 */
#ifndef TINYEDGE_ENTROPY_CODEC_H
#define TINYEDGE_ENTROPY_CODEC_H

#include <stddef.h>
#include <stdint.h>

/* Bytes a payload adds to the tensor at worst: an output buffer of n + TE_ENTROPY_OVERHEAD always suffices. */
#define TE_ENTROPY_OVERHEAD 5

/* The adaptive probabilities (one 256-node tree per lane). */
typedef struct {
  uint16_t probs[2][256];
} te_entropy_state;

/* Why a payload was not decoded (0: it was). */
typedef enum {
  TE_ENTROPY_OK = 0,
  TE_ENTROPY_LANES = -1,     /* lanes is not 1 or 2 */
  TE_ENTROPY_SPACE = -2,     /* the output buffer is too small */
  TE_ENTROPY_MODE = -3,      /* unknown mode, or a coded stream not starting with a zero byte */
  TE_ENTROPY_LENGTH = -4,    /* the announced length is not the expected one, or a stored payload's size is off */
  TE_ENTROPY_TRUNCATED = -5, /* the payload ends before the coded stream does */
  TE_ENTROPY_TRAILING = -6   /* bytes after the coded stream */
} te_entropy_status;

/* Codes n bytes (`lanes` bytes per element) into out (capacity out_cap ≥ n + TE_ENTROPY_OVERHEAD), storing them
   when coding does not pay. Returns the payload's length, or a negative te_entropy_status. */
int32_t te_entropy_encode(const uint8_t *data, uint32_t n, int lanes, uint8_t *out, uint32_t out_cap, te_entropy_state *s);

/* Decodes a payload that must hold exactly `expected` bytes into out (capacity ≥ expected). */
te_entropy_status te_entropy_decode(const uint8_t *payload, uint32_t len, int lanes, uint8_t *out, uint32_t expected,
                                    te_entropy_state *s);

/* A short English name of a status. */
const char *te_entropy_status_name(te_entropy_status status);

#endif
