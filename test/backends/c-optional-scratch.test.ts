/**
 * The C scratch query gives cortex-m-dsp's row-pair kernels their int16 copy of two rows only where it leaves the
 * arena's peak where the least scratch puts it (compiler/backends/c/optional-scratch.ts): not to a pointwise conv
 * that is the whole graph (its tensors are the peak), but to one behind a pool whose tensors are.
 */
import { describe, expect, it } from 'vitest';
import { chooseKernels, kernelLayoutsOf, rowPairsScratchBytes } from '../../compiler/backends/c/kernel-table.ts';
import { cScratchBytes, cScratchQuery } from '../../compiler/backends/c/render-nodes.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import { loadTarget } from '../../targets/target.ts';
import { quantizeCase } from '../support/kernel-case.ts';
import { convGraphWith } from '../support/kernel-case-graphs.ts';

const target = loadTarget('cortex-m4');
const layouts = kernelLayoutsOf(chooseKernels(target.kernels!, target.name));

/** A quantized 40 → 12 pointwise conv, alone or behind a 2×2 pool of a twice larger input. */
function pointwise(pooled: boolean) {
  const { q } = quantizeCase(convGraphWith(40, 12, 1, { stride: 1, dilation: 1, padding: 'SAME', pooled }, 9), 9);
  return { g: q, conv: q.nodes.find((n) => n.op === 'conv2d')! };
}

describe('cortex-m-dsp row pairs: the int16 copy only beneath the peak', () => {
  it('alone, the pointwise conv gets no scratch (two int8 rows at a time) and the arena is the least one', () => {
    const { g, conv } = pointwise(false);
    const query = cScratchQuery(layouts);
    expect(query(g, conv)).toBe(0);
    expect(planMemory(g, query).arenaBytes).toBe(
      planMemory(g, (h, n) => cScratchBytes(h, n, layouts, false)).arenaBytes,
    );
  });

  it('behind a pool, it gets the widened pair (16·ceil(K/4) bytes) within the same arena', () => {
    const { g, conv } = pointwise(true);
    const query = cScratchQuery(layouts);
    expect(query(g, conv)).toBe(rowPairsScratchBytes(40));
    expect(planMemory(g, query).arenaBytes).toBe(
      planMemory(g, (h, n) => cScratchBytes(h, n, layouts, false)).arenaBytes,
    );
  });
});
