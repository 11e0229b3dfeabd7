/* The C device client of split offload (see te_offload.h). */
#define _POSIX_C_SOURCE 200809L
#include "te_offload.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Waits until the socket is ready for `events` or the deadline passes: 1 ready, 0 timed out, -1 error. */
static int wait_for(int fd, short events, int64_t deadline) {
  for (;;) {
    struct pollfd p;
    int64_t left = deadline - now_ms();
    int r;
    if (left <= 0) return 0;
    p.fd = fd;
    p.events = events;
    p.revents = 0;
    r = poll(&p, 1, (int)left);
    if (r > 0) return 1;
    if (r == 0) return 0;
    if (errno != EINTR) return -1;
  }
}

void te_offload_init(te_offload *c, const te_offload_config *config) {
  memset(c, 0, sizeof *c);
  c->config = *config;
  c->fd = -1;
  c->backoff_ms = config->backoff_min_ms;
}

void te_offload_close(te_offload *c) {
  if (c->fd >= 0) close(c->fd);
  c->fd = -1;
}

/* The link failed: close it and wait out the backoff (doubling, up to the maximum) before the next attempt. */
static void back_off(te_offload *c) {
  te_offload_close(c);
  c->next_attempt_ms = now_ms() + c->backoff_ms;
  c->backoff_ms = c->backoff_ms * 2 > c->config.backoff_max_ms ? c->config.backoff_max_ms : c->backoff_ms * 2;
}

/* Sends n bytes by the deadline: 1 sent, 0 timed out, -1 broken. */
static int send_all(int fd, const uint8_t *p, uint32_t n, int64_t deadline) {
  while (n > 0) {
    ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
    if (k > 0) {
      p += k;
      n -= (uint32_t)k;
    } else if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      int r = wait_for(fd, POLLOUT, deadline);
      if (r != 1) return r;
    } else {
      return -1;
    }
  }
  return 1;
}

/* Receives exactly n bytes by the deadline: 1 received, 0 timed out, -1 broken or closed. */
static int receive_all(int fd, uint8_t *p, uint32_t n, int64_t deadline) {
  while (n > 0) {
    ssize_t k = recv(fd, p, n, 0);
    if (k > 0) {
      p += k;
      n -= (uint32_t)k;
    } else if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      int r = wait_for(fd, POLLIN, deadline);
      if (r != 1) return r;
    } else {
      return -1;
    }
  }
  return 1;
}

/* A header of this device's frames: the cut tensor's fields, as the Node client fills them. */
static te_frame_header frame_header(const te_offload *c, uint8_t kind, uint32_t payload_bytes) {
  const te_offload_config *o = &c->config;
  te_frame_header h;
  h.kind = kind;
  h.codec = kind == TE_FRAME_CUT ? o->codec : TE_CODEC_RAW;
  h.element_type = o->element_type;
  memcpy(h.model_hash, o->model_hash, 8);
  h.cut_id = o->cut_id;
  h.rank = o->rank;
  h.sequence = c->sequence;
  memcpy(h.shape, o->shape, sizeof h.shape);
  h.scale = o->scale;
  h.zero_point = o->zero_point;
  h.payload_bytes = payload_bytes;
  return h;
}

/* Builds the cut frame in the send buffer; returns its length. */
static uint32_t cut_frame(te_offload *c, const uint8_t *cut) {
  const te_offload_config *o = &c->config;
  uint8_t *payload = o->send_buffer + TE_FRAME_HEADER_BYTES;
  int lanes = o->element_type == TE_ELEMENT_INT16 ? 2 : 1;
  /* Cannot fail: lanes is 1 or 2 and the buffer has the codec's worst case. */
  uint32_t n = o->codec == TE_CODEC_ENTROPY ? (uint32_t)te_entropy_encode(cut, o->cut_bytes, lanes, payload, o->cut_bytes + TE_ENTROPY_OVERHEAD, &c->codec) : o->cut_bytes;
  te_frame_header h = frame_header(c, TE_FRAME_CUT, n);
  if (o->codec != TE_CODEC_ENTROPY) memcpy(payload, cut, n);
  te_frame_write_header(&h, payload, o->send_buffer);
  return TE_FRAME_HEADER_BYTES + n;
}

/* Sends the hello frame with the token (the first frame on a connection to a server with a token): 1 sent. */
static int send_hello(te_offload *c) {
  const te_offload_config *o = &c->config;
  size_t n = strlen(o->token);
  te_frame_header h = frame_header(c, TE_FRAME_HELLO, (uint32_t)n);
  if (n > TE_OFFLOAD_MAX_TOKEN) return -1;
  h.sequence = 0;
  h.element_type = TE_ELEMENT_INT8;
  h.rank = 1;
  h.shape[0] = h.shape[1] = h.shape[2] = h.shape[3] = 1;
  h.scale = 1.0f;
  h.zero_point = 0;
  memcpy(o->send_buffer + TE_FRAME_HEADER_BYTES, o->token, n);
  te_frame_write_header(&h, o->send_buffer + TE_FRAME_HEADER_BYTES, o->send_buffer);
  return send_all(c->fd, o->send_buffer, TE_FRAME_HEADER_BYTES + (uint32_t)n, now_ms() + o->connect_timeout_ms);
}

static int give_up(te_offload *c) {
  back_off(c);
  return 0;
}

/* A non-blocking connect of a new socket to `a` by the deadline: the socket, or -1. */
static int connect_to(const struct addrinfo *a, int64_t deadline) {
  int err = 0, fd = socket(a->ai_family, SOCK_STREAM, 0);
  socklen_t len = sizeof err;
  if (fd < 0) return -1;
  if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0) {
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) return fd;
    if (errno == EINPROGRESS && wait_for(fd, POLLOUT, deadline) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) return fd;
  }
  close(fd);
  return -1;
}

/*
 * A connection within the connect timeout: 1 connected, 0 not (backing off). The host is an IPv4 or IPv6 address or
 * a name; resolving a name (getaddrinfo) may block and allocate, but only here, on (re)connecting, never per frame.
 */
static int ensure_connected(te_offload *c) {
  struct addrinfo hints, *found, *a;
  char port[8];
  int one = 1;
  int64_t deadline;
  if (c->fd >= 0) return 1;
  if (now_ms() < c->next_attempt_ms) return 0;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  snprintf(port, sizeof port, "%u", (unsigned)c->config.port);
  if (getaddrinfo(c->config.host, port, &hints, &found) != 0) return give_up(c);
  deadline = now_ms() + c->config.connect_timeout_ms;
  for (a = found; a && c->fd < 0; a = a->ai_next) c->fd = connect_to(a, deadline);
  freeaddrinfo(found);
  if (c->fd < 0) return give_up(c);
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (c->config.token && send_hello(c) != 1) return give_up(c);
  c->backoff_ms = c->config.backoff_min_ms;
  return 1;
}

/* Sends the frame and reads the reply by the deadline. */
static te_offload_outcome exchange(te_offload *c, const uint8_t *cut, uint8_t *answer) {
  const te_offload_config *o = &c->config;
  int64_t deadline = now_ms() + o->answer_timeout_ms;
  uint8_t *in = o->receive_buffer;
  uint32_t capacity = TE_OFFLOAD_RECEIVE_BYTES(o->answer_bytes) - TE_FRAME_HEADER_BYTES;
  te_frame_header h;
  int r = send_all(c->fd, o->send_buffer, cut_frame(c, cut), deadline);
  if (r != 1) return r == 0 ? TE_LOCAL_TIMEOUT : TE_LOCAL_LINK;
  /* Replies to other frames (the refusal of a hello, sequence 0) are skipped until this frame's, by the deadline. */
  do {
    r = receive_all(c->fd, in, TE_FRAME_HEADER_BYTES, deadline);
    if (r != 1) return r == 0 ? TE_LOCAL_TIMEOUT : TE_LOCAL_LINK;
    if (te_frame_read_header(in, &h) != 0 || h.payload_bytes > capacity) return TE_LOCAL_PROTOCOL;
    r = receive_all(c->fd, in + TE_FRAME_HEADER_BYTES, h.payload_bytes, deadline);
    if (r != 1) return r == 0 ? TE_LOCAL_TIMEOUT : TE_LOCAL_LINK;
    if (!te_frame_crc_ok(in, in + TE_FRAME_HEADER_BYTES)) return TE_LOCAL_PROTOCOL;
  } while (h.sequence != c->sequence);
  if (h.kind == TE_FRAME_REFUSAL) {
    uint32_t n = h.payload_bytes < sizeof c->refusal - 1 ? h.payload_bytes : (uint32_t)sizeof c->refusal - 1;
    memcpy(c->refusal, in + TE_FRAME_HEADER_BYTES, n);
    c->refusal[n] = '\0';
    return TE_LOCAL_REFUSED;
  }
  if (h.kind != TE_FRAME_ANSWER || h.codec != TE_CODEC_RAW || h.payload_bytes != o->answer_bytes || memcmp(h.model_hash, o->model_hash, 8) != 0) return TE_LOCAL_PROTOCOL;
  memcpy(answer, in + TE_FRAME_HEADER_BYTES, o->answer_bytes);
  return TE_BY_SERVER;
}

te_offload_outcome te_offload_infer(te_offload *c, const uint8_t *cut, uint8_t *answer) {
  te_offload_outcome outcome = TE_LOCAL_OFFLINE;
  c->refusal[0] = '\0';
  c->sequence++;
  if (ensure_connected(c)) {
    outcome = exchange(c, cut, answer);
    /* After a timeout or a bad frame the stream may hold part of a reply: start a new connection, after the backoff. */
    if (outcome != TE_BY_SERVER && outcome != TE_LOCAL_REFUSED) back_off(c);
  }
  if (outcome != TE_BY_SERVER) c->config.local_tail(cut, answer, c->config.user);
  return outcome;
}

const char *te_offload_outcome_name(te_offload_outcome outcome) {
  switch (outcome) {
    case TE_BY_SERVER: return "server";
    case TE_LOCAL_OFFLINE: return "offline";
    case TE_LOCAL_TIMEOUT: return "timeout";
    case TE_LOCAL_REFUSED: return "refused";
    case TE_LOCAL_LINK: return "link";
    case TE_LOCAL_PROTOCOL: return "protocol";
  }
  return "unknown";
}
