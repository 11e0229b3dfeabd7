/**
 * The default MobileNetV2, quantized and compiled with each backend (C for the host, with gcc -Werror -pedantic;
 * WebAssembly SIMD128 in Node's V8), gives output bytes identical to the int8 reference interpreter on every sample
 * photo and on seeded random inputs. The 5 softmax bytes alone saturate easily, so the network cut at its pooled
 * 1792-wide features is compared too. The WebAssembly module's code stays under 64 KB (92 KB before layers of one
 * structure shared a function).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { subgraph } from '../../compiler/ir/subgraph.ts';
import { type Quantization, sizeOf } from '../../compiler/ir/tensor.ts';
import { quantizeArray } from '../../compiler/quantize/prepare/quant-params.ts';
import { fidelityTensors } from '../../compiler/quantize/report.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import type { LoadedModel } from '../../models/registry.ts';
import { loadTarget } from '../../targets/target.ts';
import { buildC, type CBuilt, firstDifference, runC, STRICT_CFLAGS } from '../support/c-build.ts';
import { quantizedDefaultModel } from '../support/quantized-model.ts';
import { photoInput, SAMPLE_PHOTOS } from '../support/samples.ts';
import { seededUniform } from '../support/seeded.ts';
import { instantiateWasm, wasmCodeBytes } from '../support/wasm-build.ts';

let model: LoadedModel;
let int8: Graph;
let dir: CBuilt;

beforeAll(async () => {
  ({ model, int8 } = await quantizedDefaultModel(1));
  dir = buildC(int8, loadTarget('host'), [...STRICT_CFLAGS, '-O3', '-march=native']);
}, 600_000);

function expectSameBytes(x: Int8Array): void {
  const reference = runInteger(int8, { [int8.inputs[0]!]: x }).get(int8.outputs[0]!) as Int8Array;
  expect(firstDifference(runC(dir, x), reference)).toBeNull();
}

describe('default model, C on the host vs the int8 reference', () => {
  it.each(SAMPLE_PHOTOS.map((p) => [p.split('/').pop() as string, p]))(
    'photo %s: identical output bytes',
    async (_name, file) => {
      expectSameBytes(
        quantizeArray(await photoInput(model, file), tensorOf(int8, int8.inputs[0]!).quant as Quantization),
      );
    },
  );

  it.each([1, 2, 3])('seeded random int8 input %i: identical output bytes', (seed) => {
    const n = sizeOf(tensorOf(int8, int8.inputs[0]!).shape);
    expectSameBytes(Int8Array.from(seededUniform(seed, n, -128, 128), (v) => Math.floor(v)));
  });
});

describe('default model cut at the pooled features, C vs the int8 reference', () => {
  it('all 1792 feature bytes identical on every photo', async () => {
    const features = fidelityTensors(int8).features as string;
    const head = subgraph(int8, int8.inputs, [features]);
    const headDir = buildC(head, loadTarget('host'), [...STRICT_CFLAGS, '-O3', '-march=native']);
    for (const file of SAMPLE_PHOTOS) {
      const x = quantizeArray(await photoInput(model, file), tensorOf(int8, int8.inputs[0]!).quant as Quantization);
      const reference = runInteger(head, { [head.inputs[0]!]: x }).get(features) as Int8Array;
      expect(reference.length).toBe(1792);
      expect(firstDifference(runC(headDir, x), reference), file).toBeNull();
    }
  }, 300_000);
});

describe('default model, WebAssembly in Node vs the int8 reference', () => {
  it('identical output bytes on every photo and on seeded random inputs, and identical 1792 features', async () => {
    const model8 = await instantiateWasm(int8);
    const features = fidelityTensors(int8).features as string;
    const head = subgraph(int8, int8.inputs, [features]);
    const headModel = await instantiateWasm(head);
    const n = sizeOf(tensorOf(int8, int8.inputs[0]!).shape);
    const inputs = [
      ...(await Promise.all(
        SAMPLE_PHOTOS.map(async (file) =>
          quantizeArray(await photoInput(model, file), tensorOf(int8, int8.inputs[0]!).quant as Quantization),
        ),
      )),
      ...[1, 2, 3].map((seed) => Int8Array.from(seededUniform(seed, n, -128, 128), (v) => Math.floor(v))),
    ];
    for (const [i, x] of inputs.entries()) {
      model8.setInput(x);
      model8.run();
      expect(
        firstDifference(model8.output(), runInteger(int8, { [int8.inputs[0]!]: x }).get(int8.outputs[0]!) as Int8Array),
        `input ${i}`,
      ).toBeNull();
      headModel.setInput(x);
      headModel.run();
      expect(
        firstDifference(headModel.output(), runInteger(head, { [head.inputs[0]!]: x }).get(features) as Int8Array),
        `features of input ${i}`,
      ).toBeNull();
    }
  }, 600_000);

  it('the module has under 64 KB of code (its constants aside)', () => {
    expect(wasmCodeBytes(int8)).toBeLessThan(64_000);
  });
});
