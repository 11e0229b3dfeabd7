/**
 * @fileoverview What `offload serve` and `offload run` share: the quantized model (a float one quantized with the
 * bundled samples exactly as compile does, so a server and a device started apart agree on the model hash), its
 * cuts, the cut flags and the small number and address flags.
 */

import type { LoadedModel } from '../../models/registry.ts';
import { quantizeWithSamples } from '../api/quantize-model.ts';
import { refuseAudioOffload } from '../compile/compile-model.ts';
import { TinyedgeError } from '../errors.ts';
import type { Graph } from '../ir/graph.ts';
import { formatShape } from '../ir/tensor.ts';
import { type Cut, cutCandidates } from '../plan/split/cut-candidates.ts';
import { modelHash } from '../plan/split/model-hash.ts';
import { shortName } from '../terminal/format.ts';
import { prepareModel } from './prepare-model.ts';

/** A quantized model ready to split: the graph, its hash on the wire and its cuts. */
export interface OffloadModel {
  model: LoadedModel;
  g: Graph;
  hash: string;
  cuts: Cut[];
  /** How the model line names it: with "quantized here" when it came as a float model. */
  title: string;
}

/** Loads `spec` (a float model is quantized with the bundled samples, saying so on the model line rather than on stderr, which is kept for errors) and lists its cuts. */
export async function loadOffloadModel(spec: string | undefined, quiet?: boolean): Promise<OffloadModel> {
  const loaded = prepareModel(spec, { quiet });
  refuseAudioOffload(loaded);
  const float = !loaded.quantized;
  const model = await quantizeWithSamples(loaded);
  const g = model.graph;
  const title = `${model.spec}${float ? ' (quantized here with the bundled sample photos)' : ''}`;
  return { model, g, hash: modelHash(g), cuts: cutCandidates(g), title };
}

/** The cut `text` names among `cuts` of the model `file`; the last cut (everything on the device) has no tail to offload. */
export function cutById(cuts: Cut[], text: string, file: string): Cut {
  const id = Number(text);
  const last = cuts.length - 1;
  if (!/^\d+$/.test(text.trim()) || id >= last) {
    throw new TinyedgeError(
      'TE601',
      `--cut '${text}' is not a cut of this model: give 0 (full offload) to ${last - 1} (see \`tinyedge offload plan\`; ${last} runs everything on the device)`,
      { file },
    );
  }
  return cuts[id]!;
}

/** One line per cut: id, the tensor sent (long TF names shortened from the left) and its shape. */
export function describeCut(c: Cut): string {
  return `cut ${c.id}: ${shortName(c.tensor)} ${formatShape(c.shape)}`;
}

/** A whole number in [min, max] from a flag. */
export function wholeNumber(value: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max)
    throw new TinyedgeError('TE601', `${flag} must be a whole number in ${min}..${max}, got '${value}'`);
  return n;
}

/** `host:port`, `[::1]:port` → its parts. */
export function hostAndPort(text: string, flag: string): { host: string; port: number } {
  const m = /^\[?([^\]\s]+?)\]?:(\d+)$/.exec(text.trim());
  if (!m) throw new TinyedgeError('TE601', `${flag} '${text}' is not host:port (e.g. 127.0.0.1:7070 or [::1]:7070)`);
  return { host: m[1]!, port: wholeNumber(m[2]!, `the port of ${flag}`, 1, 65535) };
}
