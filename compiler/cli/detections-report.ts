/**
 * @fileoverview How the CLI shows a detector's result (run and predict): --min-score filtering, the table of
 * detections with their boxes in pixels (or the JSON object), and --draw's PNG.
 */
import { TinyedgeError } from '../errors.ts';
import { checkDrawTarget, drawDetections } from '../output/draw-detections.ts';
import type { DetectionResult } from '../run/run-detector.ts';
import { table } from '../terminal/format.ts';

/** --min-score as a number (0 when absent: everything the post-processing kept). */
function minScoreOf(text: string | undefined): number {
  const p = Number(text ?? 0);
  if (text !== undefined && (!/^\s*[\d.]+(e-?\d+)?\s*$/i.test(text) || !(p >= 0 && p <= 1)))
    throw new TinyedgeError('TE601', `--min-score must be a score in [0, 1], got '${text}'`);
  return p;
}

/**
 * Prints a detector's result (`--json`: the object), after drawing it with --draw; `header` and `footer` are run's or
 * predict's lines. Only detections scoring at least --min-score are shown, drawn and returned: filtering after NMS
 * keeps exactly what NMS with that threshold would have kept, since a box is only ever suppressed by a higher one.
 */
export async function reportDetections(
  all: DetectionResult,
  options: { image?: string; draw?: string; minScore?: string; json?: boolean },
  header: string[],
  footer: string[],
): Promise<void> {
  const minScore = minScoreOf(options.minScore);
  const result = { ...all, detections: all.detections.filter((d) => d.score >= minScore) };
  const hidden = all.detections.length - result.detections.length;
  if (options.draw) await drawDetections(options.image as string, result.detections, options.draw);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const rows = result.detections.map((d, i) => [i + 1, d.label, d.classIndex, d.score.toFixed(4), d.pixels.join(', ')]);
  process.stdout.write(
    `${[
      ...header,
      result.detections.length
        ? table(['rank', 'label', 'class', 'score', 'box (left, top, right, bottom px)'], rows, [0, 2, 3])
        : `no detections scoring at least ${minScore}`,
      ...(hidden ? [`(${hidden} more below --min-score ${minScore})`] : []),
      ...footer,
      ...(options.draw ? [`drew     ${options.draw}`] : []),
    ].join('\n')}\n`,
  );
}

/** Refuses --draw without a photo, or over an existing file without --force, before any work. */
export function checkDrawOptions(options: { image?: string; draw?: string; minScore?: string; force?: boolean }): void {
  minScoreOf(options.minScore);
  if (options.draw && !options.image)
    throw new TinyedgeError('TE602', '--draw needs the photo to draw on: give --image FILE');
  if (options.draw && options.image) checkDrawTarget(options.draw, !!options.force, options.image);
}
