/*
 * tinyedge: a static pthread pool for the hosted targets (Linux, Android). The generated schedule hands it one layer
 * at a time as a task split into `parts`; each thread, the caller included, claims parts (its own first) until none
 * is left, and te_pool_run returns when every part is done. A worker the system has not scheduled yet thus delays
 * nothing: the caller runs its part too (a shared machine, more threads than free cores). No allocation: the pool is
 * one static struct of at most TE_POOL_MAX_THREADS threads, started once (the workers wait between layers, spinning
 * briefly and then on a condition variable) and joined by te_pool_stop.
 */
#ifndef TINYEDGE_THREADS_POOL_H
#define TINYEDGE_THREADS_POOL_H

#include <pthread.h>
#include <stdint.h>

/* The most threads (the caller's included) a pool runs; `tinyedge compile --threads` refuses more. */
#define TE_POOL_MAX_THREADS 64

/* One part of a layer: `part` of `parts` (0 ≤ part < parts), over the arena given to te_pool_run. */
typedef void (*te_pool_task)(uint8_t *arena, int32_t part, int32_t parts);

struct te_pool;

/* What a worker thread is given: its pool, its part (1 … workers) and the generation it starts from. */
typedef struct {
  struct te_pool *pool;
  int32_t part;
  uint32_t generation;
} te_pool_worker;

/* A pool; zero-initialized (a static one) means not started. */
typedef struct te_pool {
  pthread_t threads[TE_POOL_MAX_THREADS - 1];
  te_pool_worker workers[TE_POOL_MAX_THREADS - 1];
  pthread_mutex_t lock;
  pthread_cond_t wake, done;
  te_pool_task task;
  uint8_t *arena;
  int32_t parts;
  int32_t workers_started;               /* threads besides the caller's */
  uint32_t generation;                   /* even: the current task's; odd while the caller writes the next one */
  uint32_t claimed[TE_POOL_MAX_THREADS]; /* the generation each part was last claimed in */
  uint32_t finished;                     /* parts of the current task done */
  int32_t stopping;
} te_pool;

/* Starts `threads` − 1 workers (threads ≤ TE_POOL_MAX_THREADS); 0 on success, else the pool runs on the caller alone. */
int te_pool_start(te_pool *pool, int32_t threads);

/* Runs task(arena, part, parts) once for every part < parts, on whichever thread claims it; parts ≤ the started
   threads (more are clamped). Returns when all are done. */
void te_pool_run(te_pool *pool, te_pool_task task, uint8_t *arena, int32_t parts);

/* Joins the workers; the pool can be started again. */
void te_pool_stop(te_pool *pool);

#endif
