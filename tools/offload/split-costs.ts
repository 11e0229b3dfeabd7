/**
 * @fileoverview The costs the split planner weighs, measured: the device's head time per cut from per-layer
 * instruction counts of the whole model under qemu (one run with layer markers; milliseconds at the target's clock,
 * one instruction per cycle: the in-order Cortex-M retire about that, an A72/A76 more, so device times are an upper
 * bound there), and the server's tail time per cut from the tail built with the WASM backend and timed in this
 * process (the edge server runs the same modules), median of `runs` after ten untimed runs. Integer kernels do not branch
 * on values, so the tails run on zeros. With the entropy codec, bytes on the wire per cut are the coded sizes of the
 * cut tensors the integer reference computes on the input photo.
 */

import { wasmSplitParts } from '../../compiler/backends/wasm/package/split-parts.ts';
import { TinyedgeError } from '../../compiler/errors.ts';
import type { Graph } from '../../compiler/ir/graph.ts';
import type { Cut } from '../../compiler/plan/split/cut-candidates.ts';
import type { Activations } from '../../compiler/reference/integer/conv.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { entropyEncode } from '../../runtime/offload/entropy-codec.ts';
import { type RawValues, TinyedgeModel } from '../../runtime/wasm/tinyedge-loader.js';
import type { Target } from '../../targets/target.ts';
import { countLayers } from '../bench/emulated.ts';
import { median } from '../bench/stats.ts';

/** Device milliseconds of each cut's head: the instructions of its layers at the target's clock. */
export function headMsByCut(g: Graph, cuts: readonly Cut[], x: Activations, target: Target): number[] {
  if (target.run.kind !== 'qemu-user' && target.run.kind !== 'qemu-system')
    throw new TinyedgeError(
      'TE502',
      `the device target must run under qemu (its instructions are counted there); ${target.name} does not`,
    );
  if (!target.clockHz) throw new TinyedgeError('TE502', `target ${target.name} has no clockHz in its profile`);
  const { perLayer } = countLayers(g, x, target, target.kernels);
  return cuts.map((c) => (sumBefore(perLayer, c.after) / (target.clockHz as number)) * 1000);
}

/** The sum of the first `count` per-layer figures (a cut's head: the layers before it). */
export function sumBefore(perLayer: readonly number[], count: number): number {
  return perLayer.slice(0, count).reduce((s, n) => s + n, 0);
}

/** Median time of `runs` runs after enough untimed ones for V8 to move the module from its baseline compiler to TurboFan. */
export function medianRunMs(model: TinyedgeModel<RawValues, RawValues>, runs: number): number {
  for (let i = 0; i < 10; i++) model.run();
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    model.run();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

/** Server milliseconds of each cut's tail, built for WASM and timed here; 0 for the local-only cut. */
export async function tailMsByCut(
  g: Graph,
  cuts: readonly Cut[],
  runs: number,
  onCut?: (done: number) => void,
): Promise<number[]> {
  const times: number[] = [];
  for (const cut of cuts) {
    const { tail } = wasmSplitParts(g, cut, 'tail');
    times.push(tail ? medianRunMs(await TinyedgeModel.load<RawValues, RawValues>(tail.bytes, tail.info), runs) : 0);
    onCut?.(times.length);
  }
  return times;
}

/** Payload bytes of each cut's tensor on input `x` after the entropy codec (the input cut included). */
export function codedBytesByCut(g: Graph, cuts: readonly Cut[], x: Activations): number[] {
  const wanted = new Set(cuts.map((c) => c.tensor));
  const values = new Map<string, Activations>([[g.inputs[0]!, x]]);
  runInteger(
    g,
    { [g.inputs[0]!]: x },
    { onNode: (node, y) => wanted.has(node.outputs[0]!) && values.set(node.outputs[0]!, y as Activations) },
  );
  return cuts.map((c) => {
    const v = values.get(c.tensor) as Activations;
    return entropyEncode(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), v.BYTES_PER_ELEMENT).length;
  });
}
