/**
 * dequantizeGraph: the float model an int8 file stands for (MLPerf Tiny's autoencoder). Its constants are the int8
 * ones times their (per-channel) scales, and its f32 output is the integer reference's up to int8 noise.
 */
import { describe, expect, it } from 'vitest';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { dequantizeGraph } from '../../compiler/quantize/dequantize-graph.ts';
import { dequantizeArray, quantizeForTensor } from '../../compiler/quantize/prepare/quant-params.ts';
import { runF32 } from '../../compiler/reference/f32/interpreter.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { loadModel } from '../../models/registry.ts';
import { seededUniform } from '../support/seeded.ts';

const q = loadModel('models/mlperf-tiny/ad01_int8.tflite').graph;
const f = dequantizeGraph(q);
const input = seededUniform(1, 640, -2, 2);

describe('dequantizeGraph on an int8 .tflite', () => {
  it('makes every activation and quantized constant f32, each weight scale × (q − zero point) of its channel', () => {
    expect([...f.tensors.values()].filter((t) => t.quant !== undefined || (t.dtype !== 'f32' && !t.data))).toEqual([]);
    const node = f.nodes.find((n) => n.op === 'fully_connected')!;
    const [wq, wf] = [tensorOf(q, node.inputs[1]!), tensorOf(f, node.inputs[1]!)];
    const rowLength = wq.shape[1]!;
    const c = wq.quant!.scale.length - 1;
    const channel = (t: typeof wq) => Array.from(t.data as ArrayLike<number>).slice(c * rowLength, (c + 1) * rowLength);
    const scale = wq.quant!.scale[c]!;
    expect(channel(wf)).toEqual(channel(wq).map((v) => Math.fround(scale * (v - wq.quant!.zeroPoint[c]!))));
  });

  it('runs in f32 as the integer reference does, up to int8 noise (output SQNR at least 25 dB)', () => {
    const x = tensorOf(q, q.inputs[0]!);
    const integer = runInteger(q, { [q.inputs[0]!]: quantizeForTensor(input, x) }).get(q.outputs[0]!)!;
    const expected = dequantizeArray(integer as Int8Array, tensorOf(q, q.outputs[0]!).quant!);
    const got = runF32(f, { [f.inputs[0]!]: dequantizeArray(quantizeForTensor(input, x), x.quant!) }).get(
      f.outputs[0]!,
    )!;
    let [signal, noise] = [0, 0];
    for (let i = 0; i < got.length; i++) {
      signal += got[i]! ** 2;
      noise += (got[i]! - expected[i]!) ** 2;
    }
    expect(10 * Math.log10(signal / noise)).toBeGreaterThan(25);
  });
});
