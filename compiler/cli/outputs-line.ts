/** @fileoverview The line predict and run print for a model with several outputs: each one's name, type and shape. */
import type { PredictionResult } from '../run/prediction.ts';
import { shortName } from '../terminal/format.ts';

/** `outputs  2: 'a' int8 [1, 4], 'b' int8 [1, 3] (values: --json)`, or nothing for a model with one output (the table ranks it). */
export function outputsLines(result: PredictionResult): string[] {
  if (!result.outputs) return [];
  const each = result.outputs.map((o) => `'${shortName(o.name)}' ${o.dtype} [${o.shape.join(', ')}]`);
  return [`outputs  ${result.outputs.length}: ${each.join(', ')} (top-5 ranks the first; values: --json)`];
}
