/**
 * @fileoverview `run_thread(thread, threads)` of a module compiled for several threads: every worker calls it on the
 * one shared memory and walks all layers; a split layer's `parts` parts go round-robin to the threads (part p to
 * thread p mod threads: its scratch is part p's, so no two threads share one), a whole layer runs on thread 0, and
 * the threads meet at a barrier wherever a layer reads what other threads wrote. The barrier is an i32 counter and a
 * generation below the arena (memory.atomic.wait32 / notify), so it needs worker threads: a browser's main thread
 * may not wait, and the loader never calls run_thread there.
 */
import { type Expr, type FunctionBuilder, MEMORY, type WasmModule } from '../emit/binaryen.ts';

/** The barrier's generation and arrival counter: below the arena (emit-wasm's ARENA_BASE), never model data. */
const BARRIER_GENERATION = 512;
const BARRIER_COUNT = 516;

/**
 * Polls of the generation before a thread sleeps in wait32 (a fraction of a millisecond): the threads of a layer end
 * close together, and a wake-up through the host's futex costs tens of microseconds, more than many layers take.
 */
const BARRIER_SPINS = 200_000;

/** One layer as run_thread sees it: its whole function, or its part functions (undefined: an empty part). */
export type ThreadedLayer = { whole: string } | { parts: (string | undefined)[] };

/** `barrier(threads)`: the last thread to arrive resets the counter, moves the generation on and wakes the others. */
function addBarrier(module: WasmModule): void {
  module.fn('barrier', 1, (f) => {
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
          // Poll while the generation is unchanged, then sleep in wait32 (which returns at once if it moved on).
          spins.set(f.c(BARRIER_SPINS)),
          f.m.loop(
            'spin',
            f.m.if(
              f.m.i32.and(waiting(), f.m.i32.ne(spins.get(), f.c(0))),
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

/** Adds and exports `run_thread(thread, threads)` over the layers in order. */
export function addRunThread(module: WasmModule, layers: readonly ThreadedLayer[]): void {
  addBarrier(module);
  const split = layers.map((l) => 'parts' in l);
  module.fn('run_thread', 2, (f) =>
    layers.flatMap((layer, i) => [
      ...runLayer(f, layer),
      // A barrier where the next layer may read what another thread wrote: after a split layer, before one.
      ...(i + 1 < layers.length && (split[i] || split[i + 1]) ? [f.call('barrier', [f.param(1)])] : []),
    ]),
  );
  module.exportFn('run_thread');
}
