/**
 * @fileoverview ONNX Runtime as a peer: onnxruntime-node (native MLAS) running the int8 ONNX model tinyedge exports,
 * so both runtimes execute exactly the same weights, scales and zero points.
 */

import { tupleOf } from '../../compiler/ir/tuple.ts';
import { importOptional } from './optional-package.ts';

/** A loaded ONNX model mapping an int8 NHWC input to its first int8 output. */
export interface OnnxPeer {
  run(x: Int8Array): Promise<Int8Array>;
}

/** Loads ONNX bytes into onnxruntime-node with the given number of intra-op threads (1 = single thread). */
export async function loadOnnxPeer(bytes: Uint8Array, inputShape: number[], threads = 1): Promise<OnnxPeer> {
  const ort = await importOptional('onnxruntime-node', () => import('onnxruntime-node'));
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const [input] = tupleOf(session.inputNames, 1);
  const [output] = tupleOf(session.outputNames, 1);
  return {
    async run(x) {
      const y = await session.run({ [input]: new ort.Tensor('int8', x, inputShape) });
      return y[output]!.data as Int8Array;
    },
  };
}
