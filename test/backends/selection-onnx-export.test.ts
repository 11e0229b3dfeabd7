/**
 * ONNX export of the ops that pick or move int8 values without arithmetic: transpose, reduce_max, arg_max and the
 * top_k pair, each on a quantized model input (through a 1×1 average pool, the identity), so that onnxruntime-node must return exactly the integer
 * reference's values (int8, the input's quantization) and indices (int32: ONNX's int64 ArgMax and TopK indices cast);
 * the int8 ONNX frontend reads the file back to the same ops, computing the same.
 */

import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { exportInt8Onnx } from '../../compiler/exporters/onnx/export-int8.ts';
import { importOnnx } from '../../compiler/frontends/onnx/import.ts';
import { NO_CLAMP } from '../../compiler/ir/attrs.ts';
import { type Graph, GraphBuilder, tensorOf } from '../../compiler/ir/graph.ts';
import { sizeOf } from '../../compiler/ir/tensor.ts';
import { quantize } from '../../compiler/pipeline.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { seededUniform } from '../support/seeded.ts';

const SHAPE = [1, 4, 5, 6];

/** One input (through an identity pool) read by a transpose, two max reductions, an ArgMax and a TopK (values and indices), all outputs. */
function selections(): Graph {
  const b = new GraphBuilder('test:selection-onnx');
  // A 1×1 average pool (the identity) first: the QLinearAveragePool it exports as states the input's quantization,
  // which the int8 ONNX frontend reads back.
  const x = b.node('avg_pool2d', 'stem', [b.input('x', SHAPE)], {
    filter: [1, 1],
    strides: [1, 1],
    pads: [0, 0, 0, 0],
    clamp: NO_CLAMP,
  });
  b.graph.outputs.push(
    b.node('transpose', 'channels_first', [x], { perm: [0, 3, 1, 2] }),
    b.node('reduce_max', 'max_channels', [x], { axes: [3], keepDims: true }),
    b.node('reduce_max', 'max_spatial', [x], { axes: [1, 2], keepDims: false }),
    b.node('arg_max', 'best_channel', [x], { axis: 3 }),
    b.node('top_k_values', 'top_values', [x], { k: 3 }),
    b.node('top_k_indices', 'top_indices', [x], { k: 3 }),
  );
  return b.graph;
}

describe('int8 ONNX export of Transpose, ReduceMax, ArgMax and TopK', () => {
  const size = sizeOf(SHAPE);
  const g = quantize(
    selections(),
    Array.from({ length: 4 }, (_, i) => seededUniform(60 + i, size, -1, 1)),
    { method: 'minmax', biasCorrection: false, activations: 'int8' },
  );
  // Few levels, so that ties occur: the lower index must come first in both.
  const inputs = [1, 2].map((seed) => Int8Array.from(seededUniform(seed, size, -4, 4), Math.floor));

  it('onnxruntime-node returns exactly the integer reference (int8 values, int32 indices)', async () => {
    const session = await ort.InferenceSession.create(exportInt8Onnx(g), { intraOpNumThreads: 1 });
    for (const x of inputs) {
      const ours = runInteger(g, { x });
      const theirs = await session.run({ x: new ort.Tensor('int8', x, SHAPE) });
      for (const o of g.outputs) {
        expect(theirs[o]!.type, o).toBe(tensorOf(g, o).dtype);
        expect(theirs[o]!.dims, o).toEqual(tensorOf(g, o).shape);
        expect(Array.from(theirs[o]!.data as Int8Array | Int32Array), o).toEqual(Array.from(ours.get(o)!));
      }
    }
  });

  it('imports back (the int8 ONNX frontend) computing the same values and indices', () => {
    const back = importOnnx(exportInt8Onnx(g), 'selections.onnx').graph;
    // The file's Transpose to NCHW reads back as a relabelling, made data again at the output: last, not first.
    const ops = (graph: Graph) => graph.nodes.map((n) => n.op).sort();
    expect(ops(back)).toEqual(ops(g));
    for (const x of inputs) {
      const [ours, theirs] = [g, back].map((graph) => runInteger(graph, { [graph.inputs[0]!]: x }));
      back.outputs.forEach((o, i) => {
        expect(tensorOf(back, o).dtype, o).toBe(tensorOf(g, g.outputs[i]!).dtype);
        expect(theirs!.get(o), o).toEqual(ours!.get(g.outputs[i]!));
      });
    }
  });
});
