/* The offload frame header in C (see wire_frame.h), byte for byte wire-protocol.ts's. */
#include "wire_frame.h"

#include <string.h>

uint32_t te_crc32(uint32_t crc, const uint8_t *data, size_t n) {
  size_t i;
  int k;
  crc = ~crc;
  /* Bitwise (no table): a cut tensor is tens of KB, a few hundred thousand steps next to a network round trip. */
  for (i = 0; i < n; i++) {
    crc ^= data[i];
    for (k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v) {
  put16(p, (uint16_t)v);
  put16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t get16(const uint8_t *p) {
  return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p) {
  return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16;
}

void te_frame_write_header(const te_frame_header *h, const uint8_t *payload, uint8_t *out) {
  uint32_t scale_bits;
  int i;
  memcpy(out, "TEOF", 4);
  out[4] = TE_WIRE_VERSION;
  out[5] = h->kind;
  out[6] = h->codec;
  out[7] = h->element_type;
  memcpy(out + 8, h->model_hash, 8);
  put16(out + 16, h->cut_id);
  put16(out + 18, h->rank);
  put32(out + 20, h->sequence);
  for (i = 0; i < 4; i++) put32(out + 24 + 4 * i, h->shape[i]);
  memcpy(&scale_bits, &h->scale, 4);
  put32(out + 40, scale_bits);
  put32(out + 44, (uint32_t)h->zero_point);
  put32(out + 48, h->payload_bytes);
  put32(out + 52, te_crc32(te_crc32(0, out, 52), payload, h->payload_bytes));
}

int te_frame_read_header(const uint8_t *in, te_frame_header *h) {
  uint32_t scale_bits;
  int i;
  if (memcmp(in, "TEOF", 4) != 0 || in[4] != TE_WIRE_VERSION) return -1;
  h->kind = in[5];
  h->codec = in[6];
  h->element_type = in[7];
  memcpy(h->model_hash, in + 8, 8);
  h->cut_id = get16(in + 16);
  h->rank = get16(in + 18);
  h->sequence = get32(in + 20);
  for (i = 0; i < 4; i++) h->shape[i] = get32(in + 24 + 4 * i);
  scale_bits = get32(in + 40);
  memcpy(&h->scale, &scale_bits, 4);
  h->zero_point = (int32_t)get32(in + 44);
  h->payload_bytes = get32(in + 48);
  if (h->kind < TE_FRAME_CUT || h->kind > TE_FRAME_HELLO || h->codec > TE_CODEC_ENTROPY) return -1;
  if (h->element_type < TE_ELEMENT_INT8 || h->element_type > TE_ELEMENT_INT16 || h->rank < 1 || h->rank > 4) return -1;
  return 0;
}

int te_frame_crc_ok(const uint8_t *header, const uint8_t *payload) {
  return te_crc32(te_crc32(0, header, 52), payload, get32(header + 48)) == get32(header + 52);
}
