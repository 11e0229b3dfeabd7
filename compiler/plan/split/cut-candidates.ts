/**
 * @fileoverview Where a model can be split between device and server: the points of the node order where exactly
 * one activation tensor is alive (produced before, read after), so the device sends one tensor and the server needs
 * nothing else. In MobileNetV2 those are the tensors between blocks (a residual block keeps two alive inside it).
 * The input (everything on the server: full offload) and the output (everything on the device: local only) are the
 * two ends of the list.
 */

import { TinyedgeError } from '../../errors.ts';
import { type Graph, tensorOf } from '../../ir/graph.ts';
import { lastReaderIndex } from '../../ir/last-reader.ts';
import { subgraph } from '../../ir/subgraph.ts';
import { DTYPE_BYTES, sizeOf } from '../../ir/tensor.ts';

/** One place to cut: the device runs nodes [0, after) and sends `tensor`; the server runs the rest. */
export interface Cut {
  /** Index in the list of cuts: the wire protocol's cut id. */
  id: number;
  /** Number of nodes the device runs. */
  after: number;
  tensor: string;
  shape: number[];
  /** Bytes of the tensor as the device holds it (int8 or int16 elements). */
  bytes: number;
}

/** Every single-tensor cut of a one-input, one-output graph, from full offload (after = 0) to local only. */
export function cutCandidates(g: Graph): Cut[] {
  if (g.inputs.length !== 1 || g.outputs.length !== 1)
    throw new TinyedgeError(
      'TE302',
      `split offload needs one input and one output, the model has ${g.inputs.length} and ${g.outputs.length}`,
      { file: g.source },
    );
  const lastRead = lastReaderIndex(g);
  lastRead.set(g.outputs[0]!, g.nodes.length);
  const alive = new Set<string>([g.inputs[0]!]);
  const cuts: Cut[] = [];
  const consider = (after: number) => {
    if (alive.size !== 1) return;
    const [name] = alive;
    const t = tensorOf(g, name!);
    cuts.push({
      id: cuts.length,
      after,
      tensor: name!,
      shape: [...t.shape],
      bytes: sizeOf(t.shape) * DTYPE_BYTES[t.dtype],
    });
  };
  consider(0);
  g.nodes.forEach((n, i) => {
    for (const o of n.outputs) if ((lastRead.get(o) ?? -1) > i) alive.add(o);
    for (const t of n.inputs) if (lastRead.get(t) === i) alive.delete(t);
    consider(i + 1);
  });
  return cuts;
}

/** The device's part (input → cut tensor) and the server's (cut tensor → output); either may have no nodes. */
export function splitAt(g: Graph, cut: Cut): { head: Graph; tail: Graph } {
  return { head: subgraph(g, g.inputs, [cut.tensor]), tail: subgraph(g, [cut.tensor], g.outputs) };
}
