/*
 * The static pthread pool of pool.h. The caller publishes a task as a sequence lock: `generation` odd while it
 * writes the task, even (a new value) once written. A worker takes a snapshot of the task and keeps it only if the
 * generation did not move meanwhile. Every thread then claims parts by moving a part's `claimed` generation up to the
 * task's: a claim fails for a part already claimed in this generation, and a worker still holding an older task
 * (woken late, after the caller moved on) fails every claim, since all of that task's parts were claimed before the
 * caller could move on. Thread t runs its share (parts t · parts / threads on) first and then takes whatever is left,
 * so threads mostly run neighbouring bands. Waits spin a little before sleeping (a layer's parts end close
 * together, and a wake-up through the kernel costs tens of microseconds, more than many layers take); a waker takes
 * the lock and signals only when someone sleeps, so a layer on spinning threads costs a few atomics, no lock.
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

/* Waits until `*word` differs from `seen` (spinning, then sleeping on `cond`); returns the new value. A sleeper is
   counted before it reads the word again (both sequentially consistent): a waker that stored the new word then reads
   no sleeper only if the sleeper's read comes after its store. */
static uint32_t te_pool_wait_change(te_pool *pool, pthread_cond_t *cond, uint32_t *word, uint32_t seen) {
  uint32_t now;
  int spin;
  for (spin = 0; spin < TE_POOL_SPINS; spin++) {
    now = __atomic_load_n(word, __ATOMIC_ACQUIRE);
    if (now != seen) return now;
    te_pool_relax();
  }
  pthread_mutex_lock(&pool->lock);
  __atomic_add_fetch(&pool->sleepers, 1, __ATOMIC_SEQ_CST);
  while ((now = __atomic_load_n(word, __ATOMIC_SEQ_CST)) == seen) pthread_cond_wait(cond, &pool->lock);
  __atomic_sub_fetch(&pool->sleepers, 1, __ATOMIC_SEQ_CST);
  pthread_mutex_unlock(&pool->lock);
  return now;
}

/* Wakes the threads sleeping on `cond`, if any, after the word they wait on was stored (sequentially consistent). */
static void te_pool_notify(te_pool *pool, pthread_cond_t *cond) {
  if (__atomic_load_n(&pool->sleepers, __ATOMIC_SEQ_CST) == 0) return;
  pthread_mutex_lock(&pool->lock);
  pthread_cond_broadcast(cond);
  pthread_mutex_unlock(&pool->lock);
}

/* Claims part `i` for the task of generation `g`: 1 if this thread is the first to, 0 if it was claimed in `g` or
   later (generations compared as serial numbers, so they may wrap). */
static int te_pool_claim(te_pool *pool, int32_t i, uint32_t g) {
  uint32_t *word = &pool->claimed[i].generation;
  uint32_t v = __atomic_load_n(word, __ATOMIC_ACQUIRE);
  while ((int32_t)(g - v) > 0)
    if (__atomic_compare_exchange_n(word, &v, g, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) return 1;
  return 0;
}

/* Runs, as thread `thread` of `threads`, every part of the task of generation `g` it can claim: its own share
   forwards, then the others' backwards from the end, where their owners get last (fewer claims collide). The parts
   it ran count as finished together once it finds none left: one atomic on the shared counter per thread and
   layer, not one per part. */
static void te_pool_work(te_pool *pool, te_pool_task task, uint8_t *arena, int32_t parts, int32_t threads,
                         int32_t thread, uint32_t g) {
  const int32_t first = (int32_t)((int64_t)thread * parts / threads);
  const int32_t end = (int32_t)((int64_t)(thread + 1) * parts / threads);
  uint32_t ran = 0;
  int32_t k;
  for (k = 0; k < parts; k++) {
    int32_t i = k < end - first ? first + k : (first - 1 - (k - (end - first)) + parts) % parts;
    if (!te_pool_claim(pool, i, g)) continue;
    task(arena, i, parts, thread);
    ran++;
  }
  if (ran > 0 && __atomic_add_fetch(&pool->finished, ran, __ATOMIC_SEQ_CST) == (uint32_t)parts)
    te_pool_notify(pool, &pool->done);
}

static void *te_pool_worker_main(void *arg) {
  te_pool_worker *me = (te_pool_worker *)arg;
  te_pool *pool = me->pool;
  uint32_t seen = me->generation;
  for (;;) {
    te_pool_task task;
    uint8_t *arena;
    int32_t parts, threads;
    uint32_t g = te_pool_wait_change(pool, &pool->wake, &pool->generation, seen);
    if (__atomic_load_n(&pool->stopping, __ATOMIC_ACQUIRE)) return NULL;
    if (g & 1) continue; /* the caller is writing the next task */
    task = __atomic_load_n(&pool->task, __ATOMIC_RELAXED);
    arena = __atomic_load_n(&pool->arena, __ATOMIC_RELAXED);
    parts = __atomic_load_n(&pool->parts, __ATOMIC_RELAXED);
    threads = __atomic_load_n(&pool->active, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&pool->generation, __ATOMIC_RELAXED) != g) continue; /* a newer task: read that one */
    seen = g;
    if (me->thread < threads) te_pool_work(pool, task, arena, parts, threads, me->thread, g);
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
  pool->sleepers = 0;
  for (i = 0; i < threads - 1; i++) {
    te_pool_worker *w = &pool->workers[i];
    w->pool = pool;
    w->thread = i + 1;
    w->generation = pool->generation;
    if (pthread_create(&pool->threads[i], NULL, te_pool_worker_main, w) != 0) break;
  }
  pool->workers_started = i;
  return i == threads - 1 ? 0 : -1;
}

void te_pool_run(te_pool *pool, te_pool_task task, uint8_t *arena, int32_t threads, int32_t per_thread) {
  uint32_t g = pool->generation + 2, finished;
  int32_t parts;
  if (threads > pool->workers_started + 1) threads = pool->workers_started + 1;
  if (threads <= 1) {
    task(arena, 0, 1, 0);
    return;
  }
  parts = per_thread > 1 ? threads * per_thread : threads;
  if (parts > TE_POOL_MAX_PARTS) parts = TE_POOL_MAX_PARTS;
  __atomic_store_n(&pool->generation, g - 1, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  __atomic_store_n(&pool->task, task, __ATOMIC_RELAXED);
  __atomic_store_n(&pool->arena, arena, __ATOMIC_RELAXED);
  __atomic_store_n(&pool->parts, parts, __ATOMIC_RELAXED);
  __atomic_store_n(&pool->active, threads, __ATOMIC_RELAXED);
  __atomic_store_n(&pool->finished, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&pool->generation, g, __ATOMIC_SEQ_CST);
  te_pool_notify(pool, &pool->wake);
  te_pool_work(pool, task, arena, parts, threads, 0, g);
  while ((finished = __atomic_load_n(&pool->finished, __ATOMIC_ACQUIRE)) != (uint32_t)parts)
    te_pool_wait_change(pool, &pool->done, &pool->finished, finished);
}

void te_pool_stop(te_pool *pool) {
  int32_t i;
  if (pool->workers_started == 0) return;
  pthread_mutex_lock(&pool->lock);
  __atomic_store_n(&pool->stopping, 1, __ATOMIC_RELEASE);
  __atomic_store_n(&pool->generation, pool->generation + 2, __ATOMIC_RELEASE);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->lock);
  for (i = 0; i < pool->workers_started; i++) pthread_join(pool->threads[i], NULL);
  pthread_cond_destroy(&pool->done);
  pthread_cond_destroy(&pool->wake);
  pthread_mutex_destroy(&pool->lock);
  pool->workers_started = 0;
}
