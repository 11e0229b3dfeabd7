/*
 * XNNPACK as the bench's peer: builds the model's operators (the table in the generated model-ops.h) with
 * XNNPACK's operator API, reads the int8 input, runs the whole graph `runs` times (on one thread, or on a
 * pthreadpool of THREADS, XNNPACK's own way of using several cores),
 * writes the output bytes and prints {"latencyMs": [...]} like tinyedge's own runner. On aarch64 a `hint #100`
 * marker precedes each operator and follows the last, so the qemu instruction counter (targets/qemu-insn) counts one
 * inference, operator by operator, and nothing else.
 *
 * usage: xnnpack-peer WEIGHTS INPUT OUTPUT [RUNS [THREADS]]
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthreadpool.h>
#include <xnnpack.h>

#include "model-ops.h"

#if defined(__aarch64__)
#define PEER_MARK() __asm__ volatile("hint #100" ::: "memory")
#else
#define PEER_MARK() ((void)0)
#endif

static void fail(const char* what) {
  fprintf(stderr, "xnnpack-peer: %s\n", what);
  exit(1);
}

static void check(enum xnn_status status, const char* what) {
  if (status != xnn_status_success) {
    fprintf(stderr, "xnnpack-peer: %s failed (xnn_status %d)\n", what, (int)status);
    exit(1);
  }
}

static uint8_t* read_file(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (!f) fail(path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t* data = malloc(n > 0 ? (size_t)n : 1);
  if (!data || fread(data, 1, (size_t)n, f) != (size_t)n) fail(path);
  fclose(f);
  *size = (size_t)n;
  return data;
}

static size_t elements(const uint32_t shape[4]) { return (size_t)shape[0] * shape[1] * shape[2] * shape[3]; }

/* Creates and sets up one operator; buffers never move, so setup happens once. */
static xnn_operator_t create(const struct peer_op* p, const uint8_t* weights, uint8_t** buffers) {
  xnn_operator_t op = NULL;
  const int8_t* in = (const int8_t*)buffers[p->input];
  int8_t* out = (int8_t*)buffers[p->output];
  switch (p->kind) {
    case PEER_CONV:
      check(xnn_create_convolution2d_nhwc_qc8(
                p->padding[0], p->padding[1], p->padding[2], p->padding[3], p->kernel_h, p->kernel_w, p->stride_h,
                p->stride_w, p->dilation_h, p->dilation_w, p->groups, p->group_in, p->group_out,
                (size_t)p->groups * p->group_in, (size_t)p->groups * p->group_out, (int8_t)p->input_zero_point,
                p->input_scale, (const float*)(weights + p->scale_offset), (const int8_t*)(weights + p->kernel_offset),
                (const int32_t*)(weights + p->bias_offset), (int8_t)p->output_zero_point, p->output_scale,
                (int8_t)p->output_min, (int8_t)p->output_max, p->flags, &op),
            "xnn_create_convolution2d_nhwc_qc8");
      check(xnn_setup_convolution2d_nhwc_qc8(op, p->shape[0], p->shape[1], p->shape[2], in, out, NULL),
            "xnn_setup_convolution2d_nhwc_qc8");
      return op;
    case PEER_ADD: {
      size_t a[4], b[4];
      for (int i = 0; i < 4; i++) a[i] = p->shape[i], b[i] = p->shape2[i];
      check(xnn_create_add_nd_qs8((int8_t)p->input_zero_point, p->input_scale, (int8_t)p->input2_zero_point,
                                  p->input2_scale, (int8_t)p->output_zero_point, p->output_scale,
                                  (int8_t)p->output_min, (int8_t)p->output_max, 0, &op),
            "xnn_create_add_nd_qs8");
      check(xnn_setup_add_nd_qs8(op, 4, a, 4, b, in, (const int8_t*)buffers[p->input2], out, NULL),
            "xnn_setup_add_nd_qs8");
      return op;
    }
    case PEER_GLOBAL_AVERAGE:
      check(xnn_create_global_average_pooling_nwc_qs8(
                p->shape[3], p->shape[3], p->shape[3], (int8_t)p->input_zero_point, p->input_scale,
                (int8_t)p->output_zero_point, p->output_scale, (int8_t)p->output_min, (int8_t)p->output_max, 0, &op),
            "xnn_create_global_average_pooling_nwc_qs8");
      check(xnn_setup_global_average_pooling_nwc_qs8(op, p->shape[0], (size_t)p->shape[1] * p->shape[2], in, out,
                                                      NULL),
            "xnn_setup_global_average_pooling_nwc_qs8");
      return op;
    case PEER_PAD: {
      size_t shape[4], before[4], after[4];
      for (int i = 0; i < 4; i++) shape[i] = p->shape[i], before[i] = p->shape2[i], after[i] = p->shape3[i];
      static int8_t values[64];
      static int used = 0;
      if (used == 64) fail("more than 64 pad operators");
      int8_t* value = &values[used++];
      *value = (int8_t)p->output_min;
      check(xnn_create_constant_pad_nd_x8(value, 0, &op), "xnn_create_constant_pad_nd_x8");
      check(xnn_setup_constant_pad_nd_x8(op, 4, shape, before, after, in, out, NULL), "xnn_setup_constant_pad_nd_x8");
      return op;
    }
    case PEER_SOFTMAX:
      /* XNNPACK 2022 has only the uint8 softmax: it runs on the int8 bytes with the top bit flipped (x + 128),
         zero points moved by 128; the driver flips the bytes before and after (see run_all). */
      check(xnn_create_softmax_nc_qu8(p->shape[3], p->shape[3], p->shape[3], p->input_scale,
                                      (uint8_t)(p->output_zero_point + 128), p->output_scale, 0, &op),
            "xnn_create_softmax_nc_qu8");
      check(xnn_setup_softmax_nc_qu8(op, (size_t)p->shape[0] * p->shape[1] * p->shape[2], (const uint8_t*)in,
                                     (uint8_t*)out, NULL),
            "xnn_setup_softmax_nc_qu8");
      return op;
  }
  fail("unknown operator kind");
  return NULL;
}

static void flip_top_bits(uint8_t* x, size_t n) {
  for (size_t i = 0; i < n; i++) x[i] ^= 0x80;
}

/* One inference: every operator in order (each after a marker), with the softmax's byte flips around it. */
static void run_all(xnn_operator_t* ops, uint8_t** buffers, pthreadpool_t pool) {
  for (int i = 0; i < PEER_OP_COUNT; i++) {
    const struct peer_op* p = &PEER_OPS[i];
    PEER_MARK();
    const size_t n = elements(p->shape);
    if (p->kind == PEER_SOFTMAX) flip_top_bits(buffers[p->input], n);
    check(xnn_run_operator(ops[i], pool), "xnn_run_operator");
    if (p->kind == PEER_SOFTMAX) {
      flip_top_bits(buffers[p->input], n);
      flip_top_bits(buffers[p->output], n);
    }
  }
  PEER_MARK();
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return 1e3 * (double)t.tv_sec + 1e-6 * (double)t.tv_nsec;
}

int main(int argc, char** argv) {
  if (argc < 4) fail("usage: xnnpack-peer WEIGHTS INPUT OUTPUT [RUNS [THREADS]]");
  const int runs = argc > 4 ? atoi(argv[4]) : 1;
  const int threads = argc > 5 ? atoi(argv[5]) : 1;
  /* No pool on one thread: XNNPACK then runs each operator inline, as before. */
  pthreadpool_t pool = threads > 1 ? pthreadpool_create((size_t)threads) : NULL;
  size_t weight_bytes, input_bytes;
  uint8_t* weights = read_file(argv[1], &weight_bytes);
  uint8_t* input = read_file(argv[2], &input_bytes);
  if (weight_bytes != PEER_WEIGHT_BYTES) fail("the weights file does not belong to this model");
  if (input_bytes != PEER_BUFFER_BYTES[PEER_INPUT]) fail("the input is not the model's input size");
  check(xnn_initialize(NULL), "xnn_initialize");
  uint8_t* buffers[PEER_BUFFER_COUNT];
  for (int i = 0; i < PEER_BUFFER_COUNT; i++) {
    /* XNNPACK's kernels may read a few bytes past a tensor (XNN_EXTRA_BYTES): 16 spare bytes each. */
    buffers[i] = calloc(PEER_BUFFER_BYTES[i] + 16, 1);
    if (!buffers[i]) fail("out of memory");
  }
  memcpy(buffers[PEER_INPUT], input, input_bytes);
  xnn_operator_t ops[PEER_OP_COUNT];
  for (int i = 0; i < PEER_OP_COUNT; i++) ops[i] = create(&PEER_OPS[i], weights, buffers);
  printf("{\"latencyMs\": [");
  for (int r = 0; r < runs; r++) {
    const double t0 = now_ms();
    run_all(ops, buffers, pool);
    printf("%s%.4f", r ? ", " : "", now_ms() - t0);
  }
  printf("]}\n");
  FILE* f = fopen(argv[3], "wb");
  if (!f || fwrite(buffers[PEER_OUTPUT], 1, PEER_BUFFER_BYTES[PEER_OUTPUT], f) != PEER_BUFFER_BYTES[PEER_OUTPUT])
    fail(argv[3]);
  fclose(f);
  for (int i = 0; i < PEER_OP_COUNT; i++) xnn_delete_operator(ops[i]);
  if (pool) pthreadpool_destroy(pool);
  return 0;
}
