/**
 * @fileoverview Which peers can run the model tinyedge benches, and leaving out the ones that cannot: a peer runs the
 * same model or none (never another model on this input), and a peer that fails to load or run is a row left out
 * with its reason, not the end of the benchmark.
 */
import { existsSync } from 'node:fs';
import { readTfjsModelFiles, type TfjsArtifacts } from '../../compiler/frontends/tfjs-common/artifacts.ts';
import { type LoadedModel, PACKAGED_MODELS } from '../../models/registry.ts';

/** A peer the benchmark left out, and why (printed under the table and listed in the JSON). */
export interface SkippedPeer {
  runtime: string;
  reason: string;
}

/** A reason short enough for one line: a library's message can carry pages of its minified source. */
function shortReason(e: unknown): string {
  const text = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * Loads a peer (and whatever first run `load` does). A failure leaves the peer out: it is added to `skipped`,
 * logged, and undefined returned.
 */
export async function tryPeer<T>(
  runtime: string,
  load: () => Promise<T> | T,
  skipped: SkippedPeer[],
  log: (s: string) => void,
): Promise<T | undefined> {
  try {
    return await load();
  } catch (e) {
    const reason = shortReason(e);
    skipped.push({ runtime, reason });
    log(`${runtime} left out: ${reason}`);
    return undefined;
  }
}

/**
 * The TF.js model that is the same model as the one benched: a packaged model or a model.json, named directly or as
 * the source of a tinyedge artifact. Anything else (a .tflite or .onnx file, a builder) has no TF.js twin: TF.js is
 * left out rather than run on another model.
 */
export function tfjsTwinOf(model: LoadedModel): TfjsArtifacts {
  const source = model.madeFrom ?? model.spec;
  const packaged = PACKAGED_MODELS[source];
  if (packaged) return packaged.tfjs();
  if (/\.json$/i.test(source) && existsSync(source)) return readTfjsModelFiles(source);
  const what = model.madeFrom ? `${model.spec} was quantized from ${model.madeFrom}` : `${model.spec} is not one`;
  throw new Error(
    `TF.js runs TF.js models (packaged ones or a model.json); ${what}${model.madeFrom && /\.json$/i.test(source) ? ', which is not found from here' : ''}`,
  );
}

/** One line per peer left out, for under a table. */
export function skippedLines(skipped: readonly SkippedPeer[]): string[] {
  return skipped.map((p) => `${p.runtime}: left out: ${p.reason}`);
}
