/**
 * @fileoverview onnxruntime-web (WebAssembly, SIMD) as a peer in Node, running the int8 ONNX model tinyedge
 * exports. Its thread count is fixed when its WebAssembly starts, so one process measures one thread count;
 * run this file directly (`node bin/run-ts.mjs tools/peers/onnxruntime-web.ts MODEL.onnx THREADS RUNS`) to time another.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tupleOf } from '../../compiler/ir/tuple.ts';
import { median } from '../bench/stats.ts';
import { importOptional } from './optional-package.ts';

/** A loaded model mapping an int8 NHWC input to its first output. */
export interface OrtWebPeer {
  run(x: Int8Array): Promise<Int8Array>;
}

/** Loads ONNX bytes with `threads` wasm threads (the first call in a process decides the count). */
export async function loadOrtWebPeer(bytes: Uint8Array, inputShape: number[], threads: number): Promise<OrtWebPeer> {
  const ort = await importOptional('onnxruntime-web', () => import('onnxruntime-web'));
  ort.env.wasm.numThreads = threads;
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const [input] = tupleOf(session.inputNames, 1);
  const [output] = tupleOf(session.outputNames, 1);
  return {
    async run(x) {
      return (await session.run({ [input]: new ort.Tensor('int8', x, inputShape) }))[output]!.data as Int8Array;
    },
  };
}

// Run directly: time one thread count in a process of its own and print the median in ms.
if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const [file, threads, runs] = process.argv.slice(2);
  const bytes = readFileSync(file!);
  const shape = JSON.parse(process.argv[5] ?? '[1,224,224,3]') as number[];
  const peer = await loadOrtWebPeer(bytes, shape, Number(threads));
  const x = new Int8Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < 3; i++) await peer.run(x);
  const times: number[] = [];
  for (let i = 0; i < Number(runs); i++) {
    const t0 = performance.now();
    await peer.run(x);
    times.push(performance.now() - t0);
  }
  process.stdout.write(`${JSON.stringify({ medianMs: median(times) })}\n`);
  process.exit(0);
}
