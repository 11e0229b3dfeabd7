/**
 * @fileoverview The XNNPACK peer (tools/peers/xnnpack) runs MobileNetV2 0.35/96's int8 graph with XNNPACK's own
 * operators and gives tinyedge's output but for a counted few bytes 1 apart (fp32 against fixed-point
 * requantization), natively and on rpi4-aarch64 under qemu with the instruction counter; ops it has no int8
 * operator for fail by name.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../compiler/ir/graph.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { type Quantization, sizeOf } from '../../compiler/ir/tensor.ts';
import { quantizeArray } from '../../compiler/quantize/prepare/quant-params.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { MCU_MODEL } from '../../models/registry.ts';
import { loadTarget } from '../../targets/target.ts';
import { countXnnpack } from '../../tools/bench/emulated-xnnpack.ts';
import type { SkippedPeer } from '../../tools/bench/peers.ts';
import { xnnpackModel } from '../../tools/peers/xnnpack/xnnpack-model.ts';
import { buildXnnpackPeer, outputDifference, runXnnpackPeer } from '../../tools/peers/xnnpack/xnnpack-peer.ts';
import { quantizedDefaultModel } from '../support/quantized-model.ts';
import { seededUniform } from '../support/seeded.ts';

let g: Graph;
let x: Int8Array;
let ours: Int8Array;

beforeAll(async () => {
  ({ int8: g } = await quantizedDefaultModel(1, MCU_MODEL));
  const input = tensorOf(g, g.inputs[0]!);
  x = quantizeArray(seededUniform(7, sizeOf(input.shape), -1, 1), input.quant as Quantization);
  ours = runInteger(g, { [g.inputs[0]!]: x }).get(g.outputs[0]!) as Int8Array;
}, 300_000);

/** At most 1 apart, and only in a few bytes. */
function expectNearlyEqual(d: { differing: number; maxAbs: number }, bytes: number): void {
  expect(d.maxAbs).toBeLessThanOrEqual(1);
  expect(d.differing).toBeLessThanOrEqual(Math.ceil(0.02 * bytes));
}

describe('XNNPACK peer', () => {
  it('maps every op of MobileNetV2 to XNNPACK operators', () => {
    expect(xnnpackModel(g).operators).toEqual({ PEER_CONV: 53, PEER_ADD: 10, PEER_GLOBAL_AVERAGE: 1, PEER_SOFTMAX: 1 });
  });

  it('refuses an op it has no int8 operator for, by name', () => {
    const mean = g.nodes.find((n) => n.op === 'mean')!;
    const changed = { ...g, nodes: g.nodes.map((n) => (n === mean ? { ...n, attrs: { ...n.attrs, axes: [3] } } : n)) };
    expect(() => xnnpackModel(changed as Graph)).toThrow(/XNNPACK cannot run mean .*global average pooling/);
  });

  it('on the host, gives our output but for counted bytes 1 apart', () => {
    const build = buildXnnpackPeer(g, { kind: 'host' });
    const input = join(build.dir, 'in.i8');
    writeFileSync(input, x);
    const r = runXnnpackPeer(build, input, 2);
    expect(r.latencyMs).toHaveLength(2);
    expectNearlyEqual(outputDifference(ours, r.output), ours.length);
  }, 60_000);

  it('on rpi4-aarch64 under qemu, counts one inference and gives our output but for counted bytes 1 apart', async () => {
    const skipped: SkippedPeer[] = [];
    const count = await countXnnpack(g, x, loadTarget('rpi4-aarch64'), Array.from(ours), skipped, () => {});
    expect(skipped).toEqual([]);
    expect(count!.instructions).toBeGreaterThan(1e6);
    expectNearlyEqual(count!.output, ours.length);
  }, 300_000);
});
