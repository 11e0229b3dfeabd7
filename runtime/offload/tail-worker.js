/**
 * @fileoverview One worker thread of the edge server's tail pool: plain JavaScript (workers start without the
 * TypeScript loader). It instantiates the tails it is given and answers jobs { id, cutId, payload } with
 * { id, output } (the tail's raw output bytes) or { id, error }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TinyedgeModel } from '../wasm/tinyedge-loader.js';

const ARRAY = { int8: Int8Array, int16: Int16Array };
/** @type {Map<number, TinyedgeModel>} */
const tails = new Map();
for (const part of workerData.tails) tails.set(part.cutId, await TinyedgeModel.load(part.bytes, part.info));

parentPort.on('message', ({ id, cutId, payload }) => {
  try {
    const tail = tails.get(cutId);
    if (!tail) throw new Error(`no tail for cut ${cutId}`);
    const In = ARRAY[tail.info.input.dtype ?? 'int8'];
    tail.setInput(new In(payload.buffer, payload.byteOffset, payload.byteLength / In.BYTES_PER_ELEMENT));
    tail.run();
    const out = tail.output();
    parentPort.postMessage({
      id,
      output: new Uint8Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength)),
    });
  } catch (e) {
    parentPort.postMessage({ id, error: String(e instanceof Error ? e.message : e) });
  }
});
parentPort.postMessage({ ready: true });
