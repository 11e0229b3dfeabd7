/**
 * @fileoverview The peer runtimes that judge a mutated file tinyedge accepts with a different answer: onnxruntime-node
 * for ONNX (float and int8) and TF.js (cpu) for a TF.js graph model. Each throws when the peer refuses the file.
 */
import * as ort from 'onnxruntime-node';
import { loadTfjsModel, useTfjsBackend } from '../../tools/peers/tfjs.ts';
import { C, H, W } from './fixtures.ts';

/** ONNX Runtime's output for one input: int8 NHWC bytes for the int8 model, f32 NHWC (fed as NCHW) for the float one. */
export async function onnxRuntimeOutput(model: Uint8Array, input: Uint8Array, int8: boolean): Promise<number[]> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  const name = session.inputNames[0] as string;
  let feed: ort.Tensor;
  if (int8) feed = new ort.Tensor('int8', new Int8Array(input.buffer, input.byteOffset, input.length), [1, H, W, C]);
  else {
    const nhwc = new Float32Array(input.buffer.slice(input.byteOffset, input.byteOffset + input.length));
    feed = new ort.Tensor(
      'float32',
      Float32Array.from({ length: nhwc.length }, (_, i) => nhwc[(i % (H * W)) * C + Math.floor(i / (H * W))] as number),
      [1, C, H, W],
    );
  }
  const out = await session.run({ [name]: feed });
  const y = out[session.outputNames[0] as string] as ort.Tensor;
  return Array.from(y.data as Int8Array | Float32Array);
}

/** TF.js's output for model.json's text and its one shard. */
export async function tfjsOutput(json: Uint8Array, shard: Uint8Array, input: Uint8Array): Promise<number[]> {
  await useTfjsBackend('cpu');
  const parsed = JSON.parse(Buffer.from(json).toString('utf8'));
  const model = await loadTfjsModel({ file: 'model.json', json: parsed, shards: [[{ file: 'w.bin', bytes: shard }]] });
  try {
    const x = new Float32Array(input.buffer.slice(input.byteOffset, input.byteOffset + input.length));
    return Array.from(model.predict(x, [1, H, W, C]));
  } finally {
    model.dispose();
  }
}
