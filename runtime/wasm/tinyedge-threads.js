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

/** One worker and the reply it owes: each request gets one answer before the next is sent. */
class ThreadWorker {
  constructor(worker) {
    this.worker = worker;
    this.pending = undefined;
    onMessage(worker, (message) => {
      const pending = this.pending;
      this.pending = undefined;
      if (!pending) return;
      if (message.type === 'error') pending.reject(new Error(`tinyedge thread: ${message.message}`));
      else pending.resolve(message);
    });
  }

  /** Posts a request and resolves with the worker's answer. */
  request(message) {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(message);
    });
  }
}

/** Workers sharing the module's memory; run_thread's barrier keeps them in step layer by layer. */
export class ThreadTeam {
  /**
   * Instantiates the threaded module on a new shared memory of `pages` pages (this thread's instance writes the
   * input and reads the output), then `count` workers one after the other: each instantiation rewrites the
   * constants and re-widens them to the same bytes, so none may overlap another's run.
   */
  static async start(bytes, pages, count, createWorker) {
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const { module, instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
    const workers = [];
    try {
      for (let thread = 0; thread < count; thread++) {
        const worker = new ThreadWorker(createWorker());
        workers.push(worker);
        await worker.request({ type: 'init', module, memory, thread });
      }
    } catch (error) {
      for (const w of workers) w.worker.terminate();
      throw error;
    }
    return new ThreadTeam(instance.exports, workers);
  }

  constructor(exports, workers) {
    this.exports = exports;
    this.workers = workers;
  }

  /** Runs one inference on the first `threads` workers and resolves when all have finished. */
  async run(threads) {
    await Promise.all(this.workers.slice(0, threads).map((w) => w.request({ type: 'run', threads })));
  }

  /** Ends the workers. */
  terminate() {
    for (const w of this.workers) w.worker.terminate();
  }
}
