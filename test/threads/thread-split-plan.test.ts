/**
 * What compiling for several threads changes before any C runs: on one thread nothing (the same plan and the same
 * sources as before threads existed, no pthreads); on several, no split layer writes over its own input, each split
 * conv2d has a patch per thread, whole cache lines apart, and the sources carry the pool, the tasks and the API.
 */
import { describe, expect, it } from 'vitest';
import { emitC } from '../../compiler/backends/c/emit-c.ts';
import { cScratchBytes } from '../../compiler/backends/c/render-nodes.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import { splitsAcrossThreads, threadScratchStride } from '../../compiler/plan/thread-split.ts';
import { MCU_MODEL } from '../../models/registry.ts';
import { quantizedDefaultModel } from '../support/quantized-model.ts';

describe(`${MCU_MODEL} planned and rendered for threads`, () => {
  it('one thread: the plan and the sources are those of a build without threads', async () => {
    const { int8 } = await quantizedDefaultModel(1, MCU_MODEL);
    const plain = planMemory(int8, cScratchBytes);
    const one = planMemory(int8, cScratchBytes, { threads: 1 });
    expect(one).toEqual(plain);
    const files = emitC(int8, one, 'model', undefined, 1).files;
    expect(files).toEqual(emitC(int8, plain).files);
    expect(Object.values(files).join('\n')).not.toMatch(/pthread|te_pool|set_threads/);
  });

  it('four threads: split layers never overlap their input, conv2d patches are per thread, the arena grows', async () => {
    const { int8 } = await quantizedDefaultModel(1, MCU_MODEL);
    const one = planMemory(int8, cScratchBytes);
    const four = planMemory(int8, cScratchBytes, { threads: 4 });
    const split = int8.nodes.filter((n) => splitsAcrossThreads(int8, n));
    expect(split.length).toBeGreaterThan(50);
    for (const n of split) expect(four.overlapping.has(n.outputs[0]!), n.name).toBe(false);
    expect(one.overlapping.size).toBeGreaterThan(0);
    expect(four.arenaBytes).toBeGreaterThan(one.arenaBytes);
    // Each thread's patch lies inside the arena and clear of every tensor alive at that step (the first conv's), and
    // the patches are 128 bytes apart (54 bytes used), so no two threads write one cache line.
    const first = int8.nodes.find((n) => n.op === 'conv2d' && cScratchBytes(int8, n) > 0)!;
    const stride = threadScratchStride(cScratchBytes(int8, first));
    expect(cScratchBytes(int8, first)).toBeLessThan(128);
    expect(stride).toBe(128);
    const patch = four.scratch.get(first.name)!;
    expect(patch + 4 * stride).toBeLessThanOrEqual(four.arenaBytes);
    for (const t of [first.inputs[0]!, first.outputs[0]!]) {
      const at = four.offsets.get(t)!;
      const end = at + tensorOf(int8, t).shape.reduce((a, b) => a * b, 1);
      expect(end <= patch || at >= patch + 4 * stride, t).toBe(true);
    }
    const source = emitC(int8, four, 'model', undefined, 4).files['model.c']!;
    expect(source).toContain(`${stride}, thread, part, parts);`);
    expect(source.match(/te_pool_run\(/g)?.length).toBe(split.length);
    expect(source).toContain('int model_set_threads(int n)');
  });
});
