/**
 * @fileoverview The edge server's workers: `size` threads, each with every served tail instantiated, fed from one
 * bounded queue. A job that cannot start before its deadline is dropped (the device has given up on it and
 * finished locally); a full queue refuses at once, so a device learns "busy" while it can still fall back in time.
 */
import { Worker } from 'node:worker_threads';
import type { ModelInfo } from '../wasm/tinyedge-loader.js';

/** A compiled part of a split model: WASM module bytes and its model.json. */
export interface CompiledPart {
  bytes: Uint8Array;
  info: ModelInfo;
}

/** Why a job got no output. */
export type PoolRefusal = 'busy' | 'deadline' | 'closed' | 'failed';

interface Job {
  cutId: number;
  payload: Uint8Array;
  deadline: number;
  resolve: (r: { output: Uint8Array } | { refusal: PoolRefusal; detail?: string }) => void;
}

interface Slot {
  worker: Worker;
  busy: Job | undefined;
  /** False while a (re)started worker instantiates its tails. */
  ready: boolean;
}

type WorkerTails = { cutId: number; bytes: Uint8Array; info: ModelInfo }[];

export class TailPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed = false;
  /** Workers that died (out of memory, a native fault) and were replaced. */
  restarts = 0;

  private constructor(
    private readonly tails: WorkerTails,
    private readonly maxQueue: number,
  ) {}

  /** Starts `size` workers, each with all `tails` (by cut id) instantiated, and waits until they are ready. */
  static async start(tails: Map<number, CompiledPart>, size: number, maxQueue: number): Promise<TailPool> {
    const pool = new TailPool(
      [...tails].map(([cutId, p]) => ({ cutId, bytes: p.bytes, info: p.info })),
      maxQueue,
    );
    await Promise.all(Array.from({ length: size }, () => pool.startWorker()));
    return pool;
  }

  /**
   * Starts a worker in a new slot, or in `slot` in place of one that died; resolves when its tails are ready. A
   * worker that dies fails its job (the device finishes that frame) and is replaced, so the pool keeps its size.
   */
  private startWorker(slot?: Slot): Promise<void> {
    const worker = new Worker(new URL('./tail-worker.js', import.meta.url), { workerData: { tails: this.tails } });
    const s: Slot = slot ?? { worker, busy: undefined, ready: false };
    s.worker = worker;
    s.ready = false;
    if (!slot) this.slots.push(s);
    return new Promise<void>((ready, failed) => {
      worker.on('message', (m: { ready?: true; output?: Uint8Array; error?: string }) => {
        if (m.ready) {
          s.ready = true;
          ready();
          this.dispatch();
          return;
        }
        const job = s.busy as Job;
        s.busy = undefined;
        job.resolve(m.output ? { output: m.output } : { refusal: 'failed', detail: m.error });
        this.dispatch();
      });
      worker.once('error', (e) => {
        if (!s.ready) failed(e);
      });
      worker.once('exit', (code) => {
        if (this.closed || s.worker !== worker || !s.ready) return;
        s.busy?.resolve({ refusal: 'failed', detail: `the worker running it exited (code ${code}); replaced` });
        s.busy = undefined;
        this.restarts++;
        void this.startWorker(s).catch(() => {});
      });
    });
  }

  /**
   * Runs the tail of `cutId` on the payload, or says why not. When `cancel` aborts while the job still waits (its
   * device left), the job leaves the queue at once, refused as 'closed', so nothing of a gone device is kept.
   */
  run(
    cutId: number,
    payload: Uint8Array,
    deadline: number,
    cancel?: AbortSignal,
  ): Promise<{ output: Uint8Array } | { refusal: PoolRefusal; detail?: string }> {
    if (this.closed || cancel?.aborted) return Promise.resolve({ refusal: 'closed' });
    if (this.queue.length >= this.maxQueue) return Promise.resolve({ refusal: 'busy' });
    return new Promise((resolve) => {
      const withdraw = () => {
        const at = this.queue.indexOf(job);
        if (at >= 0) this.queue.splice(at, 1)[0]?.resolve({ refusal: 'closed' });
      };
      const job: Job = {
        cutId,
        payload,
        deadline,
        resolve: (r) => {
          cancel?.removeEventListener('abort', withdraw);
          resolve(r);
        },
      };
      cancel?.addEventListener('abort', withdraw, { once: true });
      this.queue.push(job);
      this.dispatch();
    });
  }

  /** Jobs waiting for a worker. */
  get queued(): number {
    return this.queue.length;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy || !slot.ready) continue;
      let job = this.queue.shift();
      while (job && job.deadline < Date.now()) {
        job.resolve({ refusal: 'deadline' });
        job = this.queue.shift();
      }
      if (!job) return;
      slot.busy = job;
      slot.worker.postMessage({ id: this.nextId++, cutId: job.cutId, payload: job.payload });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.resolve({ refusal: 'closed' });
    for (const s of this.slots) s.busy?.resolve({ refusal: 'closed' });
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
