/*
 * The static pthread pool of pool.h. A task is published by bumping `generation` (under the lock, so a worker about
 * to sleep cannot miss it); each worker runs its part and counts `pending` down, the last one waking the caller.
 * Both sides spin a little before sleeping: a layer's parts end close together, and a wake-up through the kernel
 * costs tens of microseconds, more than many layers take.
 */
#define _POSIX_C_SOURCE 200809L
#include "pool.h"

/* Polls before sleeping on a condition variable (a few microseconds to a fraction of a millisecond). */
#define TE_POOL_SPINS 4096

static inline void te_pool_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __asm__ volatile("pause" ::: "memory");
#elif defined(__aarch64__)
  __asm__ volatile("yield" ::: "memory");
#endif
}

/* Waits until `*word` differs from `seen` (spinning, then sleeping on `cond`); returns the new value. */
static uint32_t te_pool_wait_change(te_pool *pool, pthread_cond_t *cond, uint32_t *word, uint32_t seen) {
  uint32_t now;
  int spin;
  for (spin = 0; spin < TE_POOL_SPINS; spin++) {
    now = __atomic_load_n(word, __ATOMIC_ACQUIRE);
    if (now != seen) return now;
    te_pool_relax();
  }
  pthread_mutex_lock(&pool->lock);
  while ((now = __atomic_load_n(word, __ATOMIC_ACQUIRE)) == seen) pthread_cond_wait(cond, &pool->lock);
  pthread_mutex_unlock(&pool->lock);
  return now;
}

static void *te_pool_worker_main(void *arg) {
  te_pool_worker *me = (te_pool_worker *)arg;
  te_pool *pool = me->pool;
  uint32_t seen = me->generation;
  for (;;) {
    seen = te_pool_wait_change(pool, &pool->wake, &pool->generation, seen);
    if (__atomic_load_n(&pool->stopping, __ATOMIC_ACQUIRE)) return NULL;
    if (me->part < pool->parts) pool->task(pool->arena, me->part, pool->parts);
    if (__atomic_sub_fetch(&pool->pending, 1, __ATOMIC_ACQ_REL) == 0) {
      pthread_mutex_lock(&pool->lock);
      pthread_cond_signal(&pool->done);
      pthread_mutex_unlock(&pool->lock);
    }
  }
}

int te_pool_start(te_pool *pool, int32_t threads) {
  int32_t i;
  if (pool->workers_started > 0) return 0;
  if (threads > TE_POOL_MAX_THREADS) threads = TE_POOL_MAX_THREADS;
  if (threads < 2) return 0;
  pthread_mutex_init(&pool->lock, NULL);
  pthread_cond_init(&pool->wake, NULL);
  pthread_cond_init(&pool->done, NULL);
  pool->stopping = 0;
  for (i = 0; i < threads - 1; i++) {
    te_pool_worker *w = &pool->workers[i];
    w->pool = pool;
    w->part = i + 1;
    w->generation = pool->generation;
    if (pthread_create(&pool->threads[i], NULL, te_pool_worker_main, w) != 0) break;
  }
  pool->workers_started = i;
  return i == threads - 1 ? 0 : -1;
}

void te_pool_run(te_pool *pool, te_pool_task task, uint8_t *arena, int32_t parts) {
  uint32_t pending;
  if (parts > pool->workers_started + 1) parts = pool->workers_started + 1;
  if (parts <= 1) {
    task(arena, 0, 1);
    return;
  }
  pool->task = task;
  pool->arena = arena;
  pool->parts = parts;
  __atomic_store_n(&pool->pending, (uint32_t)pool->workers_started, __ATOMIC_RELAXED);
  pthread_mutex_lock(&pool->lock);
  __atomic_add_fetch(&pool->generation, 1, __ATOMIC_RELEASE);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->lock);
  task(arena, 0, parts);
  /* pending counts down to 0: wait for it to change from each value seen until it reads 0. */
  while ((pending = __atomic_load_n(&pool->pending, __ATOMIC_ACQUIRE)) != 0)
    te_pool_wait_change(pool, &pool->done, &pool->pending, pending);
}

void te_pool_stop(te_pool *pool) {
  int32_t i;
  if (pool->workers_started == 0) return;
  pthread_mutex_lock(&pool->lock);
  __atomic_store_n(&pool->stopping, 1, __ATOMIC_RELEASE);
  __atomic_add_fetch(&pool->generation, 1, __ATOMIC_RELEASE);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->lock);
  for (i = 0; i < pool->workers_started; i++) pthread_join(pool->threads[i], NULL);
  pthread_cond_destroy(&pool->done);
  pthread_cond_destroy(&pool->wake);
  pthread_mutex_destroy(&pool->lock);
  pool->workers_started = 0;
}
