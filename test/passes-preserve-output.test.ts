/**
 * Every f32 pass preserves what the model computes: the interpreter's output before and after each pass agrees
 * (within float reassociation), on a photo and a seeded random input, for both real models; and the optimized
 * graphs contain only what the passes promise (no identity, batch norm, standalone relu or zero pad left).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Graph, tensorOf } from '../compiler/ir/graph.ts';
import { sizeOf } from '../compiler/ir/tensor.ts';
import { verifyGraph } from '../compiler/ir/verify.ts';
import { pruneTensors } from '../compiler/passes/graph-edit.ts';
import { F32_PASSES, optimize } from '../compiler/pipeline.ts';
import { runF32 } from '../compiler/reference/f32/interpreter.ts';
import { type LoadedModel, loadModel } from '../models/registry.ts';
import { photoInput, SAMPLE_PHOTOS } from './support/samples.ts';
import { seededUniform } from './support/seeded.ts';

function run(g: Graph, x: Float32Array): Float32Array {
  return runF32(g, { [g.inputs[0]!]: x }).get(g.outputs[0]!) as Float32Array;
}

describe.each(['nsfwjs:mobilenet_v2_mid', 'nsfwjs:mobilenet_v2'])('%s', (spec) => {
  let model: LoadedModel;
  const inputs: Float32Array[] = [];

  beforeAll(async () => {
    model = loadModel(spec);
    inputs.push(await photoInput(model, SAMPLE_PHOTOS[0]!));
    inputs.push(seededUniform(7, sizeOf(tensorOf(model.graph, model.graph.inputs[0]!).shape)));
  });

  it('each pass leaves the softmax output unchanged (within 1e-5) and the graph valid', () => {
    let g = model.graph;
    let before = inputs.map((x) => run(g, x));
    for (const step of F32_PASSES) {
      const next = step.run(g);
      pruneTensors(next);
      verifyGraph(next);
      const after = inputs.map((x) => run(next, x));
      after.forEach((y, i) => {
        y.forEach((v, j) => {
          expect(Math.abs(v - before[i]![j]!), `${step.name}, input ${i}, class ${j}`).toBeLessThanOrEqual(1e-5);
        });
      });
      g = next;
      before = after;
    }
  });

  it('passes do not modify the graph they are given', () => {
    const nodes = model.graph.nodes.length;
    const firstFilter = tensorOf(
      model.graph,
      model.graph.nodes.find((n) => n.op === 'conv2d')!.inputs[1]!,
    ).data!.slice();
    optimize(model.graph);
    expect(model.graph.nodes.length).toBe(nodes);
    expect(tensorOf(model.graph, model.graph.nodes.find((n) => n.op === 'conv2d')!.inputs[1]!).data).toEqual(
      firstFilter,
    );
  });

  it('the optimized graph has no identity, batch_norm or standalone clamp; every relu6 is fused; no zero pad remains', () => {
    const g = optimize(model.graph);
    const ops = g.nodes.map((n) => n.op);
    expect(ops).not.toContain('identity');
    expect(ops).not.toContain('batch_norm');
    expect(ops).not.toContain('clamp');
    expect(g.nodes.filter((n) => n.op === 'pad' && n.attrs.value === 0)).toEqual([]);
    const relu6 = g.nodes.filter(
      (n) => 'clamp' in n.attrs && (n.attrs as { clamp: { max: number | null } }).clamp.max === 6,
    );
    expect(relu6.length).toBe(35); // 17 expand/first convs + 17 depthwise + Conv_1, in both MobileNetV2 variants
  });
});

describe('nsfwjs:mobilenet_v2_mid input scaling', () => {
  it('the x·2−1 Mul/Sub is folded into the first conv, leaving a pad whose value maps to zero (0.5)', () => {
    const g = optimize(loadModel('nsfwjs:mobilenet_v2_mid').graph);
    expect(g.nodes.some((n) => n.op === 'mul' || n.op === 'sub')).toBe(false);
    const first = g.nodes[0]!;
    expect(first.op).toBe('pad');
    expect(first.op === 'pad' && first.attrs.value).toBeCloseTo(0.5, 6);
    expect(g.nodes[1]!.op).toBe('conv2d');
  });
});
