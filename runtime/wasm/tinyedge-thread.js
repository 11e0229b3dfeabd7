/**
 * @fileoverview A worker of a model run on several threads (the script the loader's createWorker starts): it
 * instantiates the threaded module on the shared memory it is sent, answers 'ready', and from then on sleeps on the
 * module's control words (thread_control(): run generation, thread count), calling run_thread(thread, threads, 1) each
 * time the loader moves the generation on. No message per run: an Atomics.notify wakes it. In a browser it serves
 * its own global scope; in Node's worker_threads it serves parentPort.
 */

/** Milliseconds a worker polls for the next run before it sleeps. */
const POLL_MS = 1;

/** Runs the worker's thread of every run the loader starts, until the thread count it reads is negative. */
function serveRuns(exports, memory, thread, generation) {
  const control = new Int32Array(memory.buffer, exports.thread_control(), 2);
  let seen = generation;
  for (;;) {
    // Poll a moment before sleeping: a run that follows at once (a video frame, a benchmark) then starts without a
    // futex wake-up, which costs more than a small model's whole run.
    const until = performance.now() + POLL_MS;
    while (Atomics.load(control, 0) === seen && performance.now() < until);
    Atomics.wait(control, 0, seen);
    seen = Atomics.load(control, 0);
    const threads = Atomics.load(control, 1);
    if (threads < 0) return;
    if (thread < threads) exports.run_thread(thread, threads, 1);
  }
}

/** Serves one worker's init request through `post` and the `listen` registration of a message handler. */
export function serveThread(post, listen) {
  listen((message) => {
    if (message.type !== 'init') return;
    let exports;
    try {
      exports = new WebAssembly.Instance(message.module, { env: { memory: message.memory } }).exports;
    } catch (error) {
      post({ type: 'error', message: String(error?.message ?? error) });
      return;
    }
    post({ type: 'ready' });
    serveRuns(exports, message.memory, message.thread, message.generation);
  });
}

if (typeof self !== 'undefined' && typeof self.postMessage === 'function') {
  serveThread(
    (m) => self.postMessage(m),
    (handler) => self.addEventListener('message', (event) => handler(event.data)),
  );
} else {
  const { parentPort } = await import('node:worker_threads');
  if (parentPort)
    serveThread(
      (m) => parentPort.postMessage(m),
      (handler) => parentPort.on('message', handler),
    );
}
