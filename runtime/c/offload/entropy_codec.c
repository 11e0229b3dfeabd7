/* The offload entropy codec (see entropy_codec.h); runtime/offload/entropy-codec.ts is its twin in TypeScript. */
#include "entropy_codec.h"

#include <string.h>

#define PROB_BITS 11
#define PROB_INIT (1u << (PROB_BITS - 1))
#define MOVE_BITS 5
#define TOP (1u << 24)
#define MODE_STORED 0
#define MODE_CODED 1

static int reset(te_entropy_state *s, int lanes) {
  int l, i;
  if (lanes != 1 && lanes != 2) return 0;
  for (l = 0; l < 2; l++)
    for (i = 0; i < 256; i++) s->probs[l][i] = PROB_INIT;
  return 1;
}

static void put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

/* The encoder writes up to `limit` bytes and counts past it: once over, coding has not paid. */
typedef struct {
  uint64_t low; /* 33 bits: bit 32 is a carry still to add to the cached byte */
  uint32_t range;
  uint8_t cache;
  uint32_t cache_size;
  uint8_t *out;
  uint32_t limit, length;
} encoder;

static void emit(encoder *e, uint8_t byte) {
  if (e->length < e->limit) e->out[e->length] = byte;
  e->length++;
}

static void shift_low(encoder *e) {
  if (e->low < 0xFF000000u || e->low >= ((uint64_t)1 << 32)) {
    uint8_t carry = (uint8_t)(e->low >> 32);
    uint8_t byte = e->cache;
    do {
      emit(e, (uint8_t)(byte + carry));
      byte = 0xFF;
    } while (--e->cache_size != 0);
    e->cache = (uint8_t)(e->low >> 24);
  }
  e->cache_size++;
  e->low = (e->low & 0x00FFFFFFu) << 8;
}

static void encode_bit(encoder *e, uint16_t *prob, unsigned bit) {
  uint32_t bound = (e->range >> PROB_BITS) * *prob;
  if (bit == 0) {
    e->range = bound;
    *prob = (uint16_t)(*prob + (((1u << PROB_BITS) - *prob) >> MOVE_BITS));
  } else {
    e->low += bound;
    e->range -= bound;
    *prob = (uint16_t)(*prob - (*prob >> MOVE_BITS));
  }
  while (e->range < TOP) {
    e->range <<= 8;
    shift_low(e);
  }
}

int32_t te_entropy_encode(const uint8_t *data, uint32_t n, int lanes, uint8_t *out, uint32_t out_cap, te_entropy_state *s) {
  encoder e;
  uint32_t i;
  int k;
  if (!reset(s, lanes)) return TE_ENTROPY_LANES;
  if (out_cap < n + TE_ENTROPY_OVERHEAD) return TE_ENTROPY_SPACE;
  e.low = 0;
  e.range = 0xFFFFFFFFu;
  e.cache = 0;
  e.cache_size = 1;
  e.out = out + TE_ENTROPY_OVERHEAD;
  e.limit = n;
  e.length = 0;
  for (i = 0; i < n && e.length <= e.limit; i++) {
    uint16_t *tree = s->probs[i % (uint32_t)lanes];
    unsigned node = 1;
    for (k = 7; k >= 0; k--) {
      unsigned bit = (data[i] >> k) & 1u;
      encode_bit(&e, &tree[node], bit);
      node = (node << 1) | bit;
    }
  }
  for (k = 0; k < 5; k++) shift_low(&e);
  put_u32(out + 1, n);
  if (e.length >= n) {
    out[0] = MODE_STORED;
    memcpy(out + TE_ENTROPY_OVERHEAD, data, n);
    return (int32_t)(n + TE_ENTROPY_OVERHEAD);
  }
  out[0] = MODE_CODED;
  return (int32_t)(e.length + TE_ENTROPY_OVERHEAD);
}

typedef struct {
  uint32_t range, code;
  const uint8_t *in;
  uint32_t at, len;
  int truncated;
} decoder;

/* Past the end it returns 0 and marks the stream truncated, so the bit loop stays bounded and the caller fails. */
static uint8_t next_byte(decoder *d) {
  if (d->at >= d->len) {
    d->truncated = 1;
    return 0;
  }
  return d->in[d->at++];
}

static unsigned decode_bit(decoder *d, uint16_t *prob) {
  uint32_t bound = (d->range >> PROB_BITS) * *prob;
  unsigned bit;
  if (d->code < bound) {
    d->range = bound;
    *prob = (uint16_t)(*prob + (((1u << PROB_BITS) - *prob) >> MOVE_BITS));
    bit = 0;
  } else {
    d->code -= bound;
    d->range -= bound;
    *prob = (uint16_t)(*prob - (*prob >> MOVE_BITS));
    bit = 1;
  }
  while (d->range < TOP) {
    d->range <<= 8;
    d->code = (d->code << 8) | next_byte(d);
  }
  return bit;
}

te_entropy_status te_entropy_decode(const uint8_t *payload, uint32_t len, int lanes, uint8_t *out, uint32_t expected,
                                    te_entropy_state *s) {
  decoder d;
  uint32_t announced, i;
  int k;
  if (!reset(s, lanes)) return TE_ENTROPY_LANES;
  if (len < TE_ENTROPY_OVERHEAD) return TE_ENTROPY_TRUNCATED;
  announced = (uint32_t)payload[1] | (uint32_t)payload[2] << 8 | (uint32_t)payload[3] << 16 | (uint32_t)payload[4] << 24;
  if (announced != expected) return TE_ENTROPY_LENGTH;
  if (payload[0] == MODE_STORED) {
    if (len - TE_ENTROPY_OVERHEAD != expected) return TE_ENTROPY_LENGTH;
    memcpy(out, payload + TE_ENTROPY_OVERHEAD, expected);
    return TE_ENTROPY_OK;
  }
  if (payload[0] != MODE_CODED) return TE_ENTROPY_MODE;
  d.range = 0xFFFFFFFFu;
  d.code = 0;
  d.in = payload;
  d.at = TE_ENTROPY_OVERHEAD;
  d.len = len;
  d.truncated = 0;
  if (next_byte(&d) != 0) return d.truncated ? TE_ENTROPY_TRUNCATED : TE_ENTROPY_MODE;
  for (k = 0; k < 4; k++) d.code = (d.code << 8) | next_byte(&d);
  for (i = 0; i < expected && !d.truncated; i++) {
    uint16_t *tree = s->probs[i % (uint32_t)lanes];
    unsigned node = 1;
    while (node < 256) node = (node << 1) | decode_bit(&d, &tree[node]);
    out[i] = (uint8_t)node;
  }
  if (d.truncated) return TE_ENTROPY_TRUNCATED;
  return d.at == d.len ? TE_ENTROPY_OK : TE_ENTROPY_TRAILING;
}

const char *te_entropy_status_name(te_entropy_status status) {
  switch (status) {
    case TE_ENTROPY_OK: return "ok";
    case TE_ENTROPY_LANES: return "lanes";
    case TE_ENTROPY_SPACE: return "space";
    case TE_ENTROPY_MODE: return "mode";
    case TE_ENTROPY_LENGTH: return "length";
    case TE_ENTROPY_TRUNCATED: return "truncated";
    case TE_ENTROPY_TRAILING: return "trailing";
  }
  return "unknown";
}
