/**
 * @fileoverview The ONNX frontend's entry: an int8 model in QLinear form (int8 input) or in QDQ form (a float input
 * read only by a QuantizeLinear) imports as an int8 graph with the file's scales and zero points; any other float
 * model imports as an f32 graph that tinyedge optimizes and quantizes.
 */

import { TinyedgeError } from '../../errors.ts';
import type { Graph } from '../../ir/graph.ts';
import { importOnnxFloat } from './import-float.ts';
import { importOnnxInt8 } from './import-int8.ts';
import { isQdqModel, qlinearFromQdq } from './qdq-to-qlinear.ts';
import { readOnnxModel } from './read-model.ts';

/** An imported ONNX model: its graph, whether it is already int8, and how an image becomes its input. */
export interface ImportedOnnxModel {
  graph: Graph;
  quantized: boolean;
  preprocessing: { scale: number; offset: number };
}

/** Imports .onnx bytes, int8 (QLinear) or float, by the type of the model's input. */
export function importOnnx(bytes: Uint8Array, file: string): ImportedOnnxModel {
  const m = readOnnxModel(bytes, file);
  const type = m.inputs[0]?.type;
  if (type === 'int8') return { ...importOnnxInt8(m), quantized: true };
  if (type === 'float' && isQdqModel(m)) return { ...importOnnxInt8(qlinearFromQdq(m)), quantized: true };
  if (type === 'float')
    return { graph: importOnnxFloat(m), quantized: false, preprocessing: { scale: 1 / 255, offset: 0 } };
  throw new TinyedgeError(
    'TE112',
    `input '${m.inputs[0]?.name ?? '?'}' is ${type ?? 'missing'}: tinyedge imports float ONNX models and int8 ones in QLinear form`,
    { file },
  );
}
