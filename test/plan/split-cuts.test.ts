/**
 * Split offload's cuts: every single-tensor cut of MobileNetV2 (0.35, 96², int8) splits it into a head and a tail
 * whose chained outputs equal the whole model's, bit for bit, on every sample photo; the list runs from full
 * offload (the input) to local only (the output); residual blocks are never cut inside (two tensors alive there).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { type Cut, cutCandidates, splitAt } from '../../compiler/plan/split/cut-candidates.ts';
import { quantizeForTensor } from '../../compiler/quantize/prepare/quant-params.ts';
import type { Activations } from '../../compiler/reference/integer/conv.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { MCU_MODEL } from '../../models/registry.ts';
import { firstDifference } from '../support/c-build.ts';
import { quantizedDefaultModel } from '../support/quantized-model.ts';
import { photoInput, SAMPLE_PHOTOS } from '../support/samples.ts';

let g: Graph;
let cuts: Cut[];
let inputs: Activations[];

beforeAll(async () => {
  const { model, int8 } = await quantizedDefaultModel(0, MCU_MODEL);
  g = int8;
  cuts = cutCandidates(g);
  inputs = await Promise.all(
    SAMPLE_PHOTOS.map(async (f) => quantizeForTensor(await photoInput(model, f), tensorOf(g, g.inputs[0]!))),
  );
}, 120_000);

const run = (part: Graph, x: Activations) =>
  runInteger(part, { [part.inputs[0]!]: x }).get(part.outputs[0]!) as Activations;

describe('cut candidates of MobileNetV2 0.35/96', () => {
  it('run from the input (full offload) to the output (local only), in node order, ids in list order', () => {
    expect(cuts[0]).toMatchObject({ id: 0, after: 0, tensor: g.inputs[0] });
    expect(cuts.at(-1)).toMatchObject({ after: g.nodes.length, tensor: g.outputs[0] });
    cuts.forEach((c, i) => {
      expect(c.id).toBe(i);
    });
    expect(cuts.every((c, i) => i === 0 || c.after > cuts[i - 1]!.after)).toBe(true);
  });
  it('never fall inside a residual block: no cut between a block input and the add that reads it', () => {
    for (const add of g.nodes.filter((n) => n.op === 'add')) {
      const addAt = g.nodes.indexOf(add);
      const from = Math.min(...add.inputs.map((t) => g.nodes.findIndex((n) => n.outputs.includes(t))));
      expect(cuts.filter((c) => c.after > from + 1 && c.after <= addAt)).toEqual([]);
    }
  });
  it('every cut: head then tail equals the whole model on every sample photo', () => {
    const whole = inputs.map((x) => run(g, x));
    for (const cut of cuts) {
      const { head, tail } = splitAt(g, cut);
      expect(head.nodes.length + tail.nodes.length).toBe(g.nodes.length);
      inputs.forEach((x, i) => {
        const sent = head.nodes.length ? run(head, x) : x;
        expect(sent.length * sent.BYTES_PER_ELEMENT).toBe(cut.bytes);
        const answer = tail.nodes.length ? run(tail, sent) : sent;
        expect(firstDifference(answer, whole[i]!), `cut ${cut.id} after node ${cut.after}`).toBeNull();
      });
    }
  });
});
