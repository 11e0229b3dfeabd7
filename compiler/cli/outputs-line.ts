/**
 * @fileoverview What predict and run print of a model's outputs: output 0's top-5 table, or its indices when it is an
 * ArgMax (int32 classes, nothing to rank), and for a model with several outputs each one's name, type and shape.
 */
import type { PredictionResult } from '../run/prediction.ts';
import { shortName, table } from '../terminal/format.ts';

/** Indices printed of an ArgMax output (a segmentation map has one a pixel; --json has them all). */
const SHOWN_INDICES = 16;

/** Output 0's top-5 table, or `indices '<name>' [1, 6, 6]: 3 3 1 …` when the model ends in an ArgMax. */
export function rankingLines(result: PredictionResult): string[] {
  const o = result.output;
  // predict and run rank every output but indices (`top` empty).
  if (result.top.length > 0)
    return [
      table(
        ['rank', 'label', 'class', 'score'],
        result.top.map((t, i) => [i + 1, t.label, t.index, t.score.toFixed(6)]),
        [0, 2, 3],
      ),
    ];
  const shown = o.data.slice(0, SHOWN_INDICES).join(' ');
  const more = o.data.length > SHOWN_INDICES ? ` … (${o.data.length}; all: --json)` : '';
  return [`indices  '${shortName(o.name)}' [${o.shape.join(', ')}]: ${shown}${more}`];
}

/** `outputs  2: 'a' int8 [1, 4], 'b' int8 [1, 3] (values: --json)`, or nothing for a model with one output (the table ranks it). */
export function outputsLines(result: PredictionResult): string[] {
  if (!result.outputs) return [];
  const each = result.outputs.map((o) => `'${shortName(o.name)}' ${o.dtype} [${o.shape.join(', ')}]`);
  const first = result.top.length > 0 ? 'top-5 ranks the first' : 'the first is indices';
  return [`outputs  ${result.outputs.length}: ${each.join(', ')} (${first}; values: --json)`];
}
