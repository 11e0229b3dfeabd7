/** @fileoverview `tinyedge export ARTIFACT --format onnx|tflite --out FILE`: the int8 model in another runtime's format. */

import { writeFileSync } from 'node:fs';
import { TinyedgeError } from '../errors.ts';
import { exportInt8Onnx } from '../exporters/onnx/export-int8.ts';
import { exportInt8Tflite } from '../exporters/tflite/export-int8.ts';
import { tensorOf } from '../ir/graph.ts';
import { checkOutputFile } from '../output/output-path.ts';
import { prepareModel } from './prepare-model.ts';

/** Options of export. */
export interface ExportOptions {
  format: 'onnx' | 'tflite';
  out: string;
  force?: boolean;
}

/** Writes the artifact's int8 graph as ONNX (QLinearConv and friends) or .tflite (for TFLM), never replacing a file unless --force. */
export function exportCommand(spec: string, options: ExportOptions): void {
  const model = prepareModel(spec, { quiet: true });
  if (!model.quantized)
    throw new TinyedgeError(
      'TE206',
      'is not an int8 artifact: run `tinyedge quantize` first and export what it writes',
      { file: spec },
    );
  checkOutputFile(options.out, !!options.force, [{ path: spec, what: 'the artifact being exported' }]);
  const bytes = options.format === 'tflite' ? exportInt8Tflite(model.graph) : exportInt8Onnx(model.graph);
  try {
    writeFileSync(options.out, bytes);
  } catch (e) {
    throw new TinyedgeError('TE703', `cannot write: ${(e as Error).message}`, { file: options.out });
  }
  const io =
    tensorOf(model.graph, model.graph.inputs[0]!).dtype === 'int16'
      ? '16×8: int16 input and output'
      : 'int8 input and output';
  const what =
    options.format === 'tflite' ? `TFLite schema 3, ${io}, for TFLM` : `ONNX opset 13 + com.microsoft, ${io}, NHWC`;
  process.stdout.write(`wrote ${options.out} (${bytes.length} bytes, ${what})\n`);
}
