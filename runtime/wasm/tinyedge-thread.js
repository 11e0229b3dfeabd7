/**
 * @fileoverview A worker of a model run on several threads (the script the loader's createWorker starts): it
 * instantiates the threaded module on the shared memory it is sent and, for each run, calls run_thread(thread,
 * threads), answering every request once. In a browser it serves its own global scope; in Node's worker_threads it
 * serves parentPort.
 */

/** Serves one worker's requests through `post` and the `listen` registration of a message handler. */
export function serveThread(post, listen) {
  let exports;
  let thread = 0;
  listen((message) => {
    try {
      if (message.type === 'init') {
        exports = new WebAssembly.Instance(message.module, { env: { memory: message.memory } }).exports;
        thread = message.thread;
        post({ type: 'ready' });
      } else if (message.type === 'run') {
        exports.run_thread(thread, message.threads);
        post({ type: 'done' });
      }
    } catch (error) {
      post({ type: 'error', message: String(error?.message ?? error) });
    }
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
