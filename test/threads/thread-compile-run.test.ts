/**
 * The library's compile and run with threads: builder:mobilenet_v2_0.35_96 compiled for the host with
 * `threads: 2` records them in tinyedge.json, reports the arena it would need on one thread, and runs on 1 and 2
 * threads to the int8 reference's bytes; a run asking for more threads than compiled for is refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile/compile-model.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import type { Quantization } from '../../compiler/ir/tensor.ts';
import { quantizeArray } from '../../compiler/quantize/prepare/quant-params.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { runCompiled } from '../../compiler/run/run-compiled.ts';
import { MCU_MODEL } from '../../models/registry.ts';
import { firstDifference } from '../support/c-build.ts';
import { quantizedDefaultModel } from '../support/quantized-model.ts';
import { photoInput, SAMPLE_PHOTOS } from '../support/samples.ts';

const dir = mkdtempSync(join(tmpdir(), 'tinyedge-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(`compile ${MCU_MODEL} for host with threads: 2, then run`, () => {
  it('records the threads, reports the one-thread arena, and gives the reference bytes on 1 and 2 threads', async () => {
    const { model, int8 } = await quantizedDefaultModel(1, MCU_MODEL);
    const out = join(dir, 'model');
    const compiled = compile({ ...model, graph: int8, quantized: true }, { target: 'host', out, threads: 2 });
    expect(compiled.manifest.threads).toBe(2);
    expect(compiled.singleThreadArenaBytes).toBeLessThan(compiled.manifest.memory.arenaBytes);
    const x = quantizeArray(
      await photoInput(model, SAMPLE_PHOTOS[0]!),
      tensorOf(int8, int8.inputs[0]!).quant as Quantization,
    );
    const reference = runInteger(int8, { [int8.inputs[0]!]: x }).get(int8.outputs[0]!) as Int8Array;
    for (const threads of [1, 2]) {
      const result = await runCompiled(out, x, { threads });
      expect(firstDifference(result.output.data, reference), `${threads} threads`).toBeNull();
    }
    await expect(runCompiled(out, x, { threads: 3 })).rejects.toThrow(/from 1 to 2/);
  }, 300_000);
});
