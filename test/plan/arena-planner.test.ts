/**
 * The arena planners on hand-computed cases, and the memory plan of the quantized default model: its arena is
 * within 5% of the lower bound (the largest set of tensors that must be alive at once), and in-place reuse never
 * lets a tensor be overwritten while something still reads it — including convolutions that write over their own
 * input, replayed tile by tile as the kernels compute them.
 */
import { describe, expect, it } from 'vitest';
import { cScratchBytes } from '../../compiler/backends/c/render-nodes.ts';
import { type Graph, type Node, tensorOf } from '../../compiler/ir/graph.ts';
import { DTYPE_BYTES, sizeOf } from '../../compiler/ir/tensor.ts';
import { tupleOf } from '../../compiler/ir/tuple.ts';
import { GreedyBySizePlanner, LinearPlanner, lowerBound } from '../../compiler/plan/arena.ts';
import { IN_PLACE_TILE_PIXELS, type MemoryPlan, planMemory } from '../../compiler/plan/plan-memory.ts';
import { quantizedDefaultModel } from '../support/quantized-model.ts';

describe('arena planners (16-byte aligned offsets)', () => {
  // Steps 0..3. A: 100 B alive 0–1, B: 64 B alive 1–2, C: 200 B alive 2–3, D: 32 B alive 3.
  const buffers = [
    { size: 100, firstUse: 0, lastUse: 1 },
    { size: 64, firstUse: 1, lastUse: 2 },
    { size: 200, firstUse: 2, lastUse: 3 },
    { size: 32, firstUse: 3, lastUse: 3 },
  ];

  it('linear: each buffer after the previous one (112 + 64 + 208 + 32 = 416 B)', () => {
    const p = new LinearPlanner();
    buffers.forEach((b) => {
      p.addBuffer(b.size, b.firstUse, b.lastUse);
    });
    expect([0, 1, 2, 3].map((i) => p.offsetOf(i))).toEqual([0, 112, 176, 384]);
    expect(p.arenaSize()).toBe(416);
  });

  it('greedy by size: C at 0; A (not alive with C) also at 0; B after both (208); D (alive with C only) at 208', () => {
    const p = new GreedyBySizePlanner();
    buffers.forEach((b) => {
      p.addBuffer(b.size, b.firstUse, b.lastUse);
    });
    expect([0, 1, 2, 3].map((i) => p.offsetOf(i))).toEqual([0, 208, 0, 208]);
    expect(p.arenaSize()).toBe(272);
  });

  it('greedy fills a gap between placed buffers when it fits', () => {
    // X 64 B and Y 64 B alive together, Z 128 B alive with neither; W 48 B alive with X and Y: goes after them.
    const p = new GreedyBySizePlanner();
    p.addBuffer(128, 0, 0); // Z
    p.addBuffer(64, 1, 2); // X
    p.addBuffer(64, 2, 3); // Y
    p.addBuffer(48, 2, 2); // W
    expect([0, 1, 2, 3].map((i) => p.offsetOf(i))).toEqual([0, 0, 64, 128]);
  });

  it('lower bound: the most bytes alive at one step (step 2: 64 + 208 = 272; step 3: 208 + 32 = 240)', () => {
    expect(lowerBound(buffers.map((b) => [{ ...b, at: 0 }]))).toBe(272);
  });
});

/**
 * Replays a convolution that writes over its own input the way the kernel contract allows (IN_PLACE_TILE_PIXELS
 * output pixels a tile, in raster order, each tile reading its whole window before writing), tracking which arena
 * bytes have been overwritten: fails if a tile reads an input byte an earlier tile overwrote.
 */
function replaySlidingConv(g: Graph, plan: MemoryPlan, node: Node): void {
  if (node.op !== 'conv2d' && node.op !== 'depthwise_conv2d') throw new Error(`${node.op} does not slide`);
  const x = tensorOf(g, node.inputs[0]!);
  const y = tensorOf(g, node.outputs[0]!);
  const [, h, w, cin] = tupleOf(x.shape, 4);
  const [, ho, wo, cout] = tupleOf(y.shape, 4);
  const [kh, kw] = tupleOf(tensorOf(g, node.inputs[1]!).shape.slice(1, 3), 2);
  const { strides, dilations, pads } = node.attrs;
  const xAt = plan.offsets.get(x.name) as number;
  const yAt = plan.offsets.get(y.name) as number;
  const written = new Uint8Array(plan.arenaBytes);
  for (let q0 = 0; q0 < ho * wo; q0 += IN_PLACE_TILE_PIXELS) {
    const tile = Array.from({ length: Math.min(IN_PLACE_TILE_PIXELS, ho * wo - q0) }, (_, i) => q0 + i);
    for (const q of tile) {
      const [oy, ox] = [Math.floor(q / wo), q % wo];
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * strides[0] - pads[0] + ky * dilations[0];
        for (let kx = 0; kx < kw; kx++) {
          const ix = ox * strides[1] - pads[2] + kx * dilations[1];
          if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
          const at = xAt + (iy * w + ix) * cin;
          for (let c = 0; c < cin; c++)
            if (written[at + c])
              expect.fail(
                `'${node.name}': output pixel ${q} reads input pixel (${iy}, ${ix}) after it was overwritten`,
              );
        }
      }
    }
    for (const q of tile) written.fill(1, yAt + q * cout, yAt + (q + 1) * cout);
  }
}

describe('convolutions that write over their own input (every one that can, on the default model)', () => {
  it('no output tile overwrites an input byte a later tile reads', async () => {
    const { int8: g } = await quantizedDefaultModel(0);
    const plan = planMemory(g, cScratchBytes, { slide: 'every' });
    expect(plan.overlapping.size).toBeGreaterThan(20);
    for (const node of g.nodes) if (plan.overlapping.has(node.outputs[0]!)) replaySlidingConv(g, plan, node);
  }, 300_000);
});

describe('memory plan of the quantized default model', () => {
  it('arena within 5% of the lower bound, and no tensor is overwritten while it is still read', async () => {
    const { int8: g } = await quantizedDefaultModel(0);
    const plan = planMemory(g, cScratchBytes);
    console.log(
      `arena ${plan.arenaBytes} B, lower bound ${plan.lowerBoundBytes} B, without reuse ${plan.naiveBytes} B`,
    );
    expect(plan.arenaBytes).toBeLessThanOrEqual(plan.lowerBoundBytes * 1.05);
    expect(plan.arenaBytes).toBeLessThan(plan.naiveBytes / 3);
    // Replay the schedule: at each step, the bytes a node writes must not overlap a live tensor other than
    // the one it may share storage with (its reshape source or its in-place add input).
    const bytes = (t: string) => sizeOf(tensorOf(g, t).shape) * DTYPE_BYTES[tensorOf(g, t).dtype];
    const lastRead = new Map<string, number>();
    g.nodes.forEach((n, i) => {
      n.inputs.forEach((x) => {
        lastRead.set(x, i);
      });
    });
    g.outputs.forEach((o) => {
      lastRead.set(o, g.nodes.length);
    });
    const live = new Set<string>(g.inputs);
    g.nodes.forEach((n, i) => {
      const out = n.outputs[0]!;
      const [o0, o1] = [plan.offsets.get(out) as number, (plan.offsets.get(out) as number) + bytes(out)];
      for (const t of live) {
        const [t0, t1] = [plan.offsets.get(t) as number, (plan.offsets.get(t) as number) + bytes(t)];
        const overlap = o0 < t1 && t0 < o1;
        // Its reshape source or in-place add input, or (a convolution replayed separately) the input it slides over.
        const shares = (t0 === o0 || plan.overlapping.has(out)) && n.inputs.includes(t);
        if (overlap && !shares)
          expect.fail(`node ${i} '${n.name}' writes over '${t}' which is read until step ${lastRead.get(t)}`);
      }
      if (plan.overlapping.has(out)) replaySlidingConv(g, plan, n);
      live.add(out);
      for (const t of [...live]) if ((lastRead.get(t) ?? -1) <= i && !g.outputs.includes(t)) live.delete(t);
    });
  }, 300_000);
});
