/**
 * @fileoverview The C of a model compiled for several threads (`tinyedge compile --threads N`, N > 1, hosted
 * targets): each layer that splits into bands (plan/thread-split.ts) becomes a task of runtime/c/threads' static
 * pthread pool, calling its kernel's part wrapper (runtime/c/threads/row_split.h) on the thread's band, and the
 * model's API gains `<prefix>_set_threads` and `<prefix>_shutdown`. With N = 1 nothing here is emitted.
 */
import { comment } from './c-literals.ts';

/** The runtime files a threaded model builds with (under runtime/c), sources and headers. */
export const THREAD_RUNTIME_FILES = ['threads/pool.c', 'threads/pool.h', 'threads/row_split.h'];

/** The pool's object in a built project (its code counts with the kernels'). */
export const THREAD_POOL_OBJECT = 'tinyedge/threads/pool.o';

/**
 * The kernels row_split.h has a part wrapper for (`<kernel>_part`: the kernel's arguments, then, for a kernel with
 * scratch, the bytes per thread and the thread, then part and parts).
 */
const PART_KERNELS = new Set([
  'te_conv2d_s8',
  'te_matmul_s8',
  'te_matmul_pairs_s8',
  'te_matmul_w4_s8',
  'te_depthwise_conv2d_s8',
  'te_avg_pool_s8',
  'te_max_pool_s8',
  'te_add_s8',
  'te_mul_s8',
]);

/** The kernel call a rendered node ends with: `te_<op>_s8(<arguments>);`. */
const KERNEL_CALL = /^(te_\w+)\((.*)\);$/;

/**
 * A split node as a pool task: the function `task` (the node's constants, then its kernel's part wrapper on this
 * part's band, with `scratchBytes` per thread of scratch) and the statement that runs it on the pool in `perThread`
 * parts per thread (plan/thread-split.ts, partsPerThread).
 */
export function threadTask(
  prefix: string,
  task: string,
  lines: readonly string[],
  scratchBytes: number,
  perThread: number,
): { definition: string[]; call: string } {
  const last = lines[lines.length - 1] ?? '';
  const call = KERNEL_CALL.exec(last);
  if (!call || !PART_KERNELS.has(call[1]!))
    throw new Error(`internal: '${last}' is not a kernel call with a part wrapper (runtime/c/threads/row_split.h)`);
  const extra = scratchBytes > 0 ? [String(scratchBytes), 'thread'] : [];
  return {
    definition: [
      `static void ${task}(uint8_t *arena, int32_t part, int32_t parts, int32_t thread) {`,
      ...lines.slice(0, -1).map((l) => `  ${l}`),
      ...(scratchBytes > 0 ? [] : ['  (void)thread; /* no scratch */']),
      `  ${call[1]}_part(${[call[2], ...extra, 'part', 'parts'].join(', ')});`,
      '}',
      '',
    ],
    call: `te_pool_run(&${prefix}_pool, ${task}, arena, ${prefix}_threads, ${perThread});`,
  };
}

/** The declarations a threaded model adds to `<prefix>.h`. */
export function threadsHeader(prefix: string, threads: number): string[] {
  const upper = prefix.toUpperCase();
  return [
    comment(
      `Threads: compiled for up to ${threads} (tinyedge compile --threads ${threads}); each run uses ${prefix}_set_threads' count, at first all.`,
    ),
    `#define ${upper}_MAX_THREADS ${threads}`,
    comment(
      `Sets the threads the next runs use (clamped to 1 … ${upper}_MAX_THREADS) and returns it; call between runs. The output is the same for every count.`,
    ),
    `int ${prefix}_set_threads(int n);`,
    comment(
      `Joins the pool's threads (started by the first run on more than one thread; a later run starts them again).`,
    ),
    `void ${prefix}_shutdown(void);`,
    '',
  ];
}

/** The pool, the thread count and the two API functions in `<prefix>.c`. */
export function threadsSource(prefix: string): string[] {
  const upper = prefix.toUpperCase();
  return [
    '#include "tinyedge/threads/pool.h"',
    '#include "tinyedge/threads/row_split.h"',
    '',
    comment('The pool: static, its threads started at the first run on more than one thread.'),
    `static te_pool ${prefix}_pool;`,
    `static int32_t ${prefix}_threads = ${upper}_MAX_THREADS;`,
    '',
    `int ${prefix}_set_threads(int n) {`,
    `  ${prefix}_threads = n < 1 ? 1 : n > ${upper}_MAX_THREADS ? ${upper}_MAX_THREADS : n;`,
    `  return ${prefix}_threads;`,
    '}',
    '',
    `void ${prefix}_shutdown(void) {`,
    `  te_pool_stop(&${prefix}_pool);`,
    '}',
    '',
  ];
}

/** The first statement of `<prefix>_run` in a threaded model: start the pool (once) if this run uses threads. */
export function poolStart(prefix: string): string {
  const upper = prefix.toUpperCase();
  return `  if (${prefix}_threads > 1) te_pool_start(&${prefix}_pool, ${upper}_MAX_THREADS);`;
}
