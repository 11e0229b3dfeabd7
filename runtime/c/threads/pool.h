/*
 * tinyedge: a static pthread pool for the hosted targets (Linux, Android). The generated schedule hands it one layer
 * at a time as a task split into `parts`, a few per thread; each thread, the caller included, claims parts (from its
 * own share on) until none is left, and te_pool_run returns when every part is done. A worker the system has not
 * scheduled yet, or has preempted, thus delays the layer by at most the part it holds: the caller runs the rest (a
 * shared machine, more threads than free cores); parts of whole kernel tiles also even out what the thread count does
 * not divide. No allocation: the pool is one static struct of at most TE_POOL_MAX_THREADS threads, started once (the
 * workers wait between layers, spinning briefly and then on a condition variable) and joined by te_pool_stop.
 */
#ifndef TINYEDGE_THREADS_POOL_H
#define TINYEDGE_THREADS_POOL_H

#include <pthread.h>
#include <stdint.h>

/* The most threads (the caller's included) a pool runs; `tinyedge compile --threads` refuses more. */
#define TE_POOL_MAX_THREADS 64

/* The most parts a layer runs in (more are clamped). */
#define TE_POOL_MAX_PARTS 256

/* One part of a layer: `part` of `parts` (0 ≤ part < parts), over the arena given to te_pool_run, on thread `thread`
   (0 the caller, else a worker: below the threads given to te_pool_run; it picks the thread's scratch). */
typedef void (*te_pool_task)(uint8_t *arena, int32_t part, int32_t parts, int32_t thread);

struct te_pool;

/* What a worker thread is given: its pool, its index (1 … workers; 0 is the caller) and the generation it starts from. */
typedef struct {
  struct te_pool *pool;
  int32_t thread;
  uint32_t generation;
} te_pool_worker;

/* Bytes between words that different threads write: two cache lines (the adjacent-line prefetcher pairs them). */
#define TE_POOL_LINE 128

/* The generation a part was last claimed in, alone in its lines: a thread claims its own share's parts without
   taking the line from another core (16 claims in one line cost a cache-line transfer each). */
typedef struct {
  uint32_t generation;
  uint8_t pad[TE_POOL_LINE - sizeof(uint32_t)];
} te_pool_claim_word;

/* A pool; zero-initialized (a static one) means not started. The task's words, read by every thread at every layer
   and written only by the caller, share lines with nothing written more often. */
typedef struct te_pool {
  pthread_t threads[TE_POOL_MAX_THREADS - 1];
  te_pool_worker workers[TE_POOL_MAX_THREADS - 1];
  pthread_mutex_t lock;
  pthread_cond_t wake, done;
  __attribute__((aligned(TE_POOL_LINE))) te_pool_task task;
  uint8_t *arena;
  int32_t parts, active;   /* the current task's parts and the threads it runs on */
  int32_t workers_started; /* threads besides the caller's */
  uint32_t generation;     /* even: the current task's; odd while the caller writes the next one */
  int32_t stopping;
  __attribute__((aligned(TE_POOL_LINE))) uint32_t finished; /* parts of the current task done */
  uint32_t sleepers; /* threads waiting on a condition variable (else no one is signalled) */
  __attribute__((aligned(TE_POOL_LINE))) te_pool_claim_word claimed[TE_POOL_MAX_PARTS];
} te_pool;

/* Starts `threads` − 1 workers (threads ≤ TE_POOL_MAX_THREADS); 0 on success, else the pool runs on the caller alone. */
int te_pool_start(te_pool *pool, int32_t threads);

/* Runs a layer on `threads` threads (the caller's included; clamped to the started ones): task(arena, part, parts,
   thread) once for every part < parts = threads · per_thread, on whichever thread claims it, or task(arena, 0, 1, 0)
   on one thread. Returns when all are done. */
void te_pool_run(te_pool *pool, te_pool_task task, uint8_t *arena, int32_t threads, int32_t per_thread);

/* Joins the workers; the pool can be started again. */
void te_pool_stop(te_pool *pool);

#endif
