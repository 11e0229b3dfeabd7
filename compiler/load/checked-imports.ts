/**
 * @fileoverview The importers of already-quantized formats followed by Prepare's load-time check: what TFLM's and
 * ONNX Runtime's kernels refuse when a model is loaded (an op without a 16×8 kernel, a wrong bias type, a softmax β
 * or multiplier out of range) fails here, at load, naming the file's node. The check lives in the load stage, not in
 * the frontends, because Prepare (quantize/prepare/) sits above them.
 */

import { type ErrorPlace, withPlace } from '../errors.ts';
import { type ImportedOnnxModel, importOnnx } from '../frontends/onnx/import.ts';
import { type ImportedTflite, importTflite } from '../frontends/tflite/import.ts';
import type { Graph } from '../ir/graph.ts';
import { prepareInt8Node } from '../quantize/prepare/prepare-int8.ts';

/** Runs Prepare on every node; `placeOf` says where in the file each node came from, and that place wins. */
function checkPrepare(g: Graph, placeOf: (node: Graph['nodes'][number]) => ErrorPlace): void {
  for (const node of g.nodes) withPlace(placeOf(node), () => prepareInt8Node(g, node), true);
}

/** A .tflite file's bytes imported, and checked when it is an int8 model; an error names the file's operator (`operator 3`, CONV_2D). */
export function loadTflite(bytes: Uint8Array, file: string): ImportedTflite {
  const imported = importTflite(bytes, file);
  if (imported.quantized) checkPrepare(imported.graph, (node) => ({ file, ...imported.origins.get(node.name) }));
  return imported;
}

/** An .onnx file's bytes imported, and checked when it is an int8 (QLinear) model; an error names the node. */
export function loadOnnx(bytes: Uint8Array, file: string): ImportedOnnxModel {
  const imported = importOnnx(bytes, file);
  if (imported.quantized) checkPrepare(imported.graph, (node) => ({ file, node: node.name, op: node.op }));
  return imported;
}
