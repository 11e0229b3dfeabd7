/*
 * tinyedge offload: the frame header of the wire protocol (runtime/offload/wire-protocol.ts is the definition):
 * 56 little-endian bytes — magic "TEOF", version, kind, codec, element type, model hash (8 bytes), cut id, rank,
 * sequence, shape (4 × uint32), scale (float32), zero point, payload length, CRC-32 (zlib's) of header bytes 0..51
 * and the payload. Writing and checking only; the socket work is te_offload.c's.
 */
#ifndef TINYEDGE_WIRE_FRAME_H
#define TINYEDGE_WIRE_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define TE_FRAME_HEADER_BYTES 56
#define TE_WIRE_VERSION 1

enum { TE_FRAME_CUT = 1, TE_FRAME_ANSWER = 2, TE_FRAME_REFUSAL = 3, TE_FRAME_HELLO = 4 };
enum { TE_CODEC_RAW = 0, TE_CODEC_ENTROPY = 1 };
enum { TE_ELEMENT_INT8 = 1, TE_ELEMENT_INT16 = 2 };

/* The header's fields (the CRC is computed, never stored here). */
typedef struct {
  uint8_t kind, codec, element_type;
  uint8_t model_hash[8];
  uint16_t cut_id, rank;
  uint32_t sequence;
  uint32_t shape[4]; /* 1 past the rank */
  float scale;
  int32_t zero_point;
  uint32_t payload_bytes;
} te_frame_header;

/* zlib's crc32(): CRC-32/IEEE, `crc` the value so far (0 to start). */
uint32_t te_crc32(uint32_t crc, const uint8_t *data, size_t n);

/* Writes the 56 header bytes for `h` and its payload (CRC included). */
void te_frame_write_header(const te_frame_header *h, const uint8_t *payload, uint8_t *out);

/* Reads and checks a header (magic, version, kind, codec, element type, rank); returns 0, or -1 when it breaks
   the protocol. */
int te_frame_read_header(const uint8_t *in, te_frame_header *h);

/* 1 when the header's CRC matches its bytes and the payload. */
int te_frame_crc_ok(const uint8_t *header, const uint8_t *payload);

#endif
