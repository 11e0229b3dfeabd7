/*
 * tinyedge offload: the device client in C (POSIX sockets), the twin of runtime/offload/device-client.ts. For each
 * frame the caller has run the head; te_offload_infer sends the cut tensor (raw or entropy-coded) to the edge server
 * and waits for the answer until a deadline. On a refused or timed-out connection, a refusal, a timeout or a broken
 * link it runs the tail here (the caller's te_local_tail), so every frame is answered, and the answer is the same
 * (the server runs the same tail on the same bytes). A failed link is retried with exponential backoff; meanwhile
 * frames finish here at once. No malloc: the frame buffers are the caller's (static, sized with the macros below).
 */
#ifndef TINYEDGE_TE_OFFLOAD_H
#define TINYEDGE_TE_OFFLOAD_H

#include <stdint.h>

#include "entropy_codec.h"
#include "wire_frame.h"

/* Longest token a hello frame carries. */
#define TE_OFFLOAD_MAX_TOKEN 256
/* Bytes of the buffer a frame is built in, for a cut tensor of `cut_bytes` (room for the codec's worst case and for
   a hello's token). */
#define TE_OFFLOAD_SEND_BYTES(cut_bytes) \
  (TE_FRAME_HEADER_BYTES + ((cut_bytes) + TE_ENTROPY_OVERHEAD > TE_OFFLOAD_MAX_TOKEN ? (cut_bytes) + TE_ENTROPY_OVERHEAD : TE_OFFLOAD_MAX_TOKEN))
/* Bytes of the buffer answers are read into, for an answer of `answer_bytes` (room for a refusal's reason). */
#define TE_OFFLOAD_RECEIVE_BYTES(answer_bytes) (TE_FRAME_HEADER_BYTES + ((answer_bytes) > 256 ? (answer_bytes) : 256))

/* Runs the tail here: reads the cut tensor's bytes, writes the answer's. */
typedef void (*te_local_tail)(const uint8_t *cut, uint8_t *answer, void *user);

/* Where the server is, what is sent, how long to wait, and the buffers. */
typedef struct {
  const char *host; /* IPv4 or IPv6 address, or a name resolved on each (re)connect, e.g. "192.168.1.20", "edge.local" */
  uint16_t port;
  const char *token; /* the server's shared token, sent in a hello frame on each connection; NULL: none */
  uint8_t model_hash[8];
  uint16_t cut_id;
  uint8_t codec; /* TE_CODEC_RAW or TE_CODEC_ENTROPY */
  /* The cut tensor: element type, shape, quantization, bytes. */
  uint8_t element_type;
  uint16_t rank;
  uint32_t shape[4];
  float scale;
  int32_t zero_point;
  uint32_t cut_bytes;
  uint32_t answer_bytes;
  int connect_timeout_ms, answer_timeout_ms;
  int backoff_min_ms, backoff_max_ms;
  te_local_tail local_tail;
  void *user;
  uint8_t *send_buffer; /* TE_OFFLOAD_SEND_BYTES(cut_bytes) */
  uint8_t *receive_buffer; /* TE_OFFLOAD_RECEIVE_BYTES(answer_bytes) */
} te_offload_config;

/* Who answered a frame and, when this device did, why. */
typedef enum {
  TE_BY_SERVER = 0,
  TE_LOCAL_OFFLINE,  /* no connection (refused, timed out, or waiting out the backoff) */
  TE_LOCAL_TIMEOUT,  /* no answer before the deadline */
  TE_LOCAL_REFUSED,  /* the server said no: te_offload.refusal says why */
  TE_LOCAL_LINK,     /* the connection broke */
  TE_LOCAL_PROTOCOL  /* the server sent something that breaks the protocol */
} te_offload_outcome;

/* The client's state; all of it lives in this struct and the config's buffers. */
typedef struct {
  te_offload_config config;
  int fd; /* -1 when not connected */
  uint32_t sequence;
  int64_t next_attempt_ms;
  int backoff_ms;
  char refusal[64];
  te_entropy_state codec;
} te_offload;

void te_offload_init(te_offload *c, const te_offload_config *config);

/* Answers one frame from its cut tensor (`cut_bytes` bytes) into `answer` (`answer_bytes`), by the server or here. */
te_offload_outcome te_offload_infer(te_offload *c, const uint8_t *cut, uint8_t *answer);

/* Closes the connection. */
void te_offload_close(te_offload *c);

/* "server", "offline", "timeout", "refused", "link" or "protocol". */
const char *te_offload_outcome_name(te_offload_outcome outcome);

#endif
