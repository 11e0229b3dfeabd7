/**
 * @fileoverview The loader's side of a model run on several workers sharing one WebAssembly memory (the module a
 * compile with --threads N writes as model-threads.wasm): creates the shared memory, starts the workers through the
 * caller's factory (each runs tinyedge-thread.js) and runs them. Plain ES module, no Node or DOM APIs: a worker is
 * anything with postMessage and either addEventListener('message') (Web Workers) or on('message') (worker_threads).
 */

/** Why this page or process cannot share memory with workers, or undefined when it can. */
export function threadsUnavailable() {
  if (typeof SharedArrayBuffer === 'undefined')
    return 'SharedArrayBuffer is missing: serve the page with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp';
  if (globalThis.crossOriginIsolated === false)
    return 'the page is not cross-origin isolated (crossOriginIsolated is false): serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp';
  return undefined;
}

/** Calls `handler` with the data of each message `worker` posts. */
function onMessage(worker, handler) {
  if (typeof worker.on === 'function') worker.on('message', handler);
  else worker.addEventListener('message', (event) => handler(event.data));
}

/** Whether this thread may block in Atomics.wait (a browser page's main thread may not; workers and Node may). */
function mayWait() {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves with the worker's answer to its init request. */
function initWorker(worker, message) {
  return new Promise((resolve, reject) => {
    onMessage(worker, (answer) => {
      if (answer.type === 'error') reject(new Error(`tinyedge thread: ${answer.message}`));
      else resolve(answer);
    });
    worker.postMessage(message);
  });
}

/**
 * The threads of one model sharing the module's memory: the caller's thread (thread 0, which runs whole layers and
 * its share of the split ones) and `count` − 1 workers; run_thread's barriers keep them in step layer by layer.
 */
export class ThreadTeam {
  /**
   * Instantiates the threaded module on a new shared memory of `pages` pages (this thread's instance writes the
   * input, runs thread 0 and reads the output), then `count` − 1 workers one after the other: each instantiation
   * rewrites the constants and re-widens them to the same bytes, so none may overlap another's run.
   */
  static async start(bytes, pages, count, createWorker) {
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const { module, instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
    const control = new Int32Array(memory.buffer, instance.exports.thread_control(), 2);
    const workers = [];
    try {
      for (let thread = 1; thread < count; thread++) {
        const worker = createWorker();
        workers.push(worker);
        await initWorker(worker, { type: 'init', module, memory, thread, generation: Atomics.load(control, 0) });
      }
    } catch (error) {
      for (const w of workers) w.terminate();
      throw error;
    }
    return new ThreadTeam(instance.exports, control, workers);
  }

  constructor(exports, control, workers) {
    this.exports = exports;
    this.control = control;
    this.workers = workers;
    this.mayWait = mayWait() ? 1 : 0;
  }

  /** Threads a run may use: this one and the workers. */
  get size() {
    return this.workers.length + 1;
  }

  /** Runs one inference on this thread and the first `threads` − 1 workers; returns when the output is complete. */
  run(threads) {
    if (threads > 1) {
      Atomics.store(this.control, 1, threads);
      Atomics.add(this.control, 0, 1);
      // Every worker: a notify wakes waiters in the order they slept, not the ones this run needs.
      Atomics.notify(this.control, 0);
    }
    this.exports.run_thread(0, threads, this.mayWait);
  }

  /** Ends the workers. */
  terminate() {
    Atomics.store(this.control, 1, -1);
    Atomics.add(this.control, 0, 1);
    Atomics.notify(this.control, 0);
    for (const w of this.workers) w.terminate();
    this.workers = [];
  }
}
