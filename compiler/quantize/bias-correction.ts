/**
 * @fileoverview Empirical bias correction (Nagel et al., "Data-Free Quantization", §4.2, with calibration data):
 * quantization error that is the same at every pixel of a channel does not average out downstream, it adds up
 * block after block. Layer by layer, in order, both graphs run on the calibration batch; for each conv, depthwise
 * and dense layer the mean error of each output channel (f32 − dequantized int8, over positions neither side
 * clamps) is moved into its int32 bias. Later layers then see the corrected activations. The result is still a
 * plain TFLite-spec int8 model: only bias values change.
 */

import { clampInt } from '../arith/fixed-point.ts';
import { type Graph, type Node, tensorOf } from '../ir/graph.ts';
import { lastReaderIndex } from '../ir/last-reader.ts';
import type { Quantization } from '../ir/tensor.ts';
import { runNodeF32 } from '../reference/f32/interpreter.ts';
import { type IntegerOutput, runNodeInteger } from '../reference/integer/interpreter.ts';
import { int8ParamsOf } from './prepare/prepare-int8.ts';
import { quantizeForTensor } from './prepare/quant-params.ts';

type Values = Float32Array | Int8Array | Int16Array | Int32Array;
type Int8Values = Int8Array | Int16Array | Int32Array;

/** Positions a channel needs before its mean error is trusted. */
const MIN_SAMPLES = 16;

function valuesOf(g: Graph, live: Map<string, Values[]>, name: string, batch: number): Values[] {
  const v = live.get(name);
  if (v) return v;
  const data = tensorOf(g, name).data;
  if (!data) throw new Error(`internal: value '${name}' missing`);
  return new Array<Values>(batch).fill(data as Values);
}

/** One f32 node on every input of the batch. */
function runF32Node(f32: Graph, node: Node, liveF: Map<string, Values[]>, batch: number): Float32Array[] {
  const args = node.inputs.map((x) => valuesOf(f32, liveF, x, batch));
  return Array.from({ length: batch }, (_, k) =>
    runNodeF32(
      f32,
      node,
      args.map((a) => a[k] as Float32Array),
    ),
  );
}

/** Adjusts the int32 biases of `int8` in place so each MAC layer's mean output error over `inputs` is zero. */
export function correctBiases(
  f32: Graph,
  int8: Graph,
  inputs: readonly Float32Array[],
  onNode?: (done: number, total: number) => void,
): void {
  const batch = inputs.length;
  const liveF = new Map<string, Values[]>([[f32.inputs[0]!, [...inputs]]]);
  const inputTensor = tensorOf(int8, int8.inputs[0]!);
  const liveQ = new Map<string, Values[]>([[int8.inputs[0]!, inputs.map((x) => quantizeForTensor(x, inputTensor))]]);
  const lastUse = lastReaderIndex(int8);
  const lastUseF = lastReaderIndex(f32);
  const f32Index = new Map(f32.nodes.map((n, i) => [n.name, i]));
  int8.nodes.forEach((node, i) => {
    // A requantize between precisions (mixed plans) has no f32 node, and nothing to correct.
    const fi = f32Index.get(node.name);
    const fNode = fi === undefined ? undefined : f32.nodes[fi]!;
    const fOut = fNode && runF32Node(f32, fNode, liveF, batch);
    // The arguments are read on each run: a corrected bias is a new constant.
    const run = () => {
      const qArgs = node.inputs.map((x) => valuesOf(int8, liveQ, x, batch));
      return inputs.map((_, k) =>
        runNodeInteger(
          int8,
          node,
          qArgs.map((a) => a[k] as Int8Values),
        ),
      );
    };
    let qOut = run();
    if (fOut && correctNode(int8, node, fOut, qOut)) qOut = run();
    liveQ.set(node.outputs[0]!, qOut);
    for (const x of node.inputs) if (lastUse.get(x) === i) liveQ.delete(x);
    if (fNode && fOut) {
      liveF.set(fNode.outputs[0]!, fOut);
      for (const x of fNode.inputs) if (lastUseF.get(x) === fi) liveF.delete(x);
    }
    onNode?.(i + 1, int8.nodes.length);
  });
}

/** Moves one MAC node's per-channel mean error into its bias; false when the node has nothing to correct. */
function correctNode(g: Graph, node: Node, fOut: Float32Array[], qOut: IntegerOutput[]): boolean {
  if (
    (node.op !== 'conv2d' && node.op !== 'depthwise_conv2d' && node.op !== 'fully_connected') ||
    node.inputs[2] === undefined
  )
    return false;
  const params = int8ParamsOf(g).get(node.name);
  if (params?.kind !== 'mac') return false;
  const out = tensorOf(g, node.outputs[0]!);
  const outQ = out.quant as Quantization;
  const inScale = (tensorOf(g, node.inputs[0]!).quant as Quantization).scale[0]!;
  const wScale = (tensorOf(g, node.inputs[1]!).quant as Quantization).scale;
  const bias = tensorOf(g, node.inputs[2]);
  // 16×8 biases are int64 and their activations 256 times finer: nothing to correct.
  if (bias.dtype !== 'int32') return false;
  const channels = out.shape[out.shape.length - 1]!;
  const sum = new Float64Array(channels);
  const count = new Float64Array(channels);
  const s = outQ.scale[0]!;
  const z = outQ.zeroPoint[0]!;
  for (let k = 0; k < fOut.length; k++) {
    const f = fOut[k]!;
    const q = qOut[k]!;
    for (let i = 0; i < f.length; i++) {
      // Only where neither side sits on the clamp: there the error is the layer's, not the activation's.
      if (q[i]! <= params.actMin || q[i]! >= params.actMax) continue;
      const fq = f[i]! / s + z;
      if (fq <= params.actMin || fq >= params.actMax) continue;
      const c = i % channels;
      sum[c]! += f[i]! - s * (q[i]! - z);
      count[c]!++;
    }
  }
  const corrected = Int32Array.from(bias.data as Int32Array);
  for (let c = 0; c < channels; c++) {
    if (count[c]! < MIN_SAMPLES) continue;
    const accScale = inScale * wScale[wScale.length === 1 ? 0 : c]!;
    corrected[c] = clampInt(corrected[c]! + Math.round(sum[c]! / count[c]! / accScale), -2147483648, 2147483647);
  }
  bias.data = corrected;
  return true;
}
