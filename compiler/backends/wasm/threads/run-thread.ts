/**
 * @fileoverview `run_thread(thread, threads)` of a module compiled for several threads: every thread calls it on the
 * one shared memory and walks all layers; a split layer's `parts` parts go round-robin to the threads (part p to
 * thread p mod threads: its scratch is part p's, so no two threads share one), a whole layer runs on thread 0, and
 * the threads meet at a barrier wherever a layer reads what other threads wrote, and once more at the end, so thread
 * 0 returns only when the output is complete. Thread 0 is the loader's own thread. At a barrier a thread polls, then
 * sleeps in memory.atomic.wait32, unless its `mayWait` is 0 (a browser page's main thread, which may not wait: it
 * only polls). Between runs a
 * worker sleeps on the control words (`thread_control()`: a run generation and the run's thread count), which the
 * loader bumps and notifies to start a run: no message per run.
 */
import { type Expr, type FunctionBuilder, MEMORY, type WasmModule } from '../emit/binaryen.ts';

/** The barrier's generation and arrival counter: below the arena (emit-wasm's ARENA_BASE), never model data. */
const BARRIER_GENERATION = 512;
const BARRIER_COUNT = 516;
/** The run generation and thread count the loader writes to start a run on its workers (tinyedge-thread.js). */
const THREAD_CONTROL = 520;

/**
 * Polls of the generation before a thread sleeps in wait32 (a fraction of a millisecond): the threads of a layer end
 * close together, and a wake-up through the host's futex costs tens of microseconds, more than many layers take.
 */
const BARRIER_SPINS = 200_000;

/** One layer as run_thread sees it: its whole function, or its part functions (undefined: an empty part). */
export type ThreadedLayer = { whole: string } | { parts: (string | undefined)[] };

/**
 * `barrier(threads, mayWait)`: the last thread to arrive resets the counter, moves the generation on and wakes the
 * others; they poll a while and then sleep, or poll until then when they may not wait.
 */
function addBarrier(module: WasmModule): void {
  module.fn('barrier', 2, (f) => {
    const { atomic } = f.m.i32;
    const generation = f.i32();
    const spins = f.i32();
    // A fresh expression each use (binaryen's IR is a tree).
    const waiting = () => f.m.i32.eq(atomic.load(0, f.c(BARRIER_GENERATION), MEMORY), generation.get());
    return [
      generation.set(atomic.load(0, f.c(BARRIER_GENERATION), MEMORY)),
      f.if(
        f.m.i32.eq(atomic.rmw.add(0, f.c(BARRIER_COUNT), f.c(1), MEMORY), f.sub(f.param(0), f.c(1))),
        [
          atomic.store(0, f.c(BARRIER_COUNT), f.c(0), MEMORY),
          f.m.drop(atomic.rmw.add(0, f.c(BARRIER_GENERATION), f.c(1), MEMORY)),
          f.m.drop(f.m.memory.atomic.notify(f.c(BARRIER_GENERATION), f.param(0), MEMORY)),
        ],
        [
          // Poll while the generation is unchanged (for good when the thread may not wait), then sleep in wait32
          // (which returns at once if it moved on).
          spins.set(f.c(BARRIER_SPINS)),
          f.m.loop(
            'spin',
            f.m.if(
              f.m.i32.and(waiting(), f.m.i32.or(f.m.i32.eqz(f.param(1)), f.m.i32.ne(spins.get(), f.c(0)))),
              f.m.block(null, [spins.set(f.sub(spins.get(), f.c(1))), f.m.br('spin')]),
            ),
          ),
          f.m.loop(
            'wait',
            f.m.block(null, [
              f.m.if(
                waiting(),
                f.m.block(null, [
                  f.m.drop(
                    f.m.memory.atomic.wait32(f.c(BARRIER_GENERATION), generation.get(), f.i64ops.const(-1n), MEMORY),
                  ),
                  f.m.br('wait'),
                ]),
              ),
            ]),
          ),
        ],
      ),
    ];
  });
}

/** The statements of one layer on thread param 0 of param 1. */
function runLayer(f: FunctionBuilder, layer: ThreadedLayer): Expr[] {
  if ('whole' in layer) return [f.if(f.m.i32.eqz(f.param(0)), [f.call(layer.whole, [])])];
  return layer.parts.flatMap((name, p) =>
    name === undefined ? [] : [f.if(f.m.i32.eq(f.m.i32.rem_u(f.c(p), f.param(1)), f.param(0)), [f.call(name, [])])],
  );
}

/** Adds and exports `run_thread(thread, threads, mayWait)` over the layers in order, and `thread_control()`. */
export function addRunThread(module: WasmModule, layers: readonly ThreadedLayer[]): void {
  addBarrier(module);
  const split = layers.map((l) => 'parts' in l);
  module.fn('run_thread', 3, (f) => [
    ...layers.flatMap((layer, i) => [
      ...runLayer(f, layer),
      // A barrier where the next layer may read what another thread wrote: after a split layer, before one.
      ...(i + 1 < layers.length && (split[i] || split[i + 1]) ? [f.call('barrier', [f.param(1), f.param(2)])] : []),
    ]),
    f.call('barrier', [f.param(1), f.param(2)]),
  ]);
  module.exportFn('run_thread');
  module.exportConstant('thread_control', THREAD_CONTROL);
}
