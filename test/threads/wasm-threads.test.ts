/**
 * WebAssembly threads: modules compiled for 4 threads run on 1, 2 and 4 workers sharing their memory, and every
 * count gives the int8 reference's bytes: the split kernel cases and the default model and human:handtrack in Node
 * (worker_threads), both models in Chromium served cross-origin isolated (COOP/COEP), and the same page served
 * without those headers runs on one thread and says why.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WasmModelInfo } from '../../compiler/backends/wasm/package/model-info.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { type Quantization, sizeOf } from '../../compiler/ir/tensor.ts';
import { quantizeArray } from '../../compiler/quantize/prepare/quant-params.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { openPageInChromium } from '../support/chromium-page.ts';
import { quantizeCase, referenceOutputs } from '../support/kernel-case.ts';
import { KERNEL_CASES } from '../support/kernel-cases.ts';
import { quantizedDefaultModel } from '../support/quantized-model.ts';
import { photoInput, SAMPLE_PHOTOS } from '../support/samples.ts';
import { seededUniform } from '../support/seeded.ts';
import { SPLIT_CASES } from '../support/thread-split-cases.ts';
import { loadOnWorkers, threadedWasmProject } from '../support/wasm-threads.ts';

/** Threads the modules are compiled for, and the worker counts they run on. */
const THREADS = 4;
const RUNS = [1, 2, 4];

/** A model compiled for THREADS threads, its inputs (a photo, a seeded random input) and their reference outputs. */
interface Fixture {
  dir: string;
  files: Record<string, string | Uint8Array>;
  info: WasmModelInfo;
  inputs: Int8Array[];
  expected: Int8Array[];
}

async function fixtureOf(dir: string, spec?: string): Promise<Fixture> {
  const { model, int8 }: { model: Parameters<typeof photoInput>[0]; int8: Graph } = await quantizedDefaultModel(
    0,
    spec,
  );
  const input = tensorOf(int8, int8.inputs[0]!);
  const inputs = [
    quantizeArray(await photoInput(model, SAMPLE_PHOTOS[0]!), input.quant as Quantization),
    Int8Array.from(seededUniform(3, sizeOf(input.shape), -128, 128), Math.floor),
  ];
  const expected = inputs.map((x) => runInteger(int8, { [int8.inputs[0]!]: x }).get(int8.outputs[0]!) as Int8Array);
  return { dir, ...threadedWasmProject(int8, THREADS, model.spec, model.labels), inputs, expected };
}

/** A page that loads a model folder on workers and runs raw int8 inputs on a given number of them. */
const PAGE = `<!doctype html>
<meta charset="utf-8">
<script type="module">
import { TinyedgeModel } from './default/tinyedge-loader.js';
const models = {};
const bytes = async (path) => new Uint8Array(await (await fetch(path)).arrayBuffer());
window.loadModel = async (dir) => {
  const info = await (await fetch(dir + '/model.json')).json();
  const model = await TinyedgeModel.load(await bytes(dir + '/model.wasm'), info, {
    ...(info.detection ? { ssdPostprocess: await bytes(dir + '/ssd-postprocess.wasm') } : {}),
    threads: {
      module: await bytes(dir + '/' + info.threads.module),
      createWorker: () => new Worker(dir + '/tinyedge-thread.js', { type: 'module' }),
    },
  });
  models[dir] = model;
  return { threads: model.threads, warning: model.threadsWarning ?? null };
};
window.runModel = async (dir, input, threads) => {
  const model = models[dir];
  model.setThreads(threads);
  model.setInput(Int8Array.from(input));
  await model.runAsync();
  return Array.from(model.output());
};
window.ready = true;
</script>
`;

/** Every fixture's files under its folder, and the page. */
function siteOf(fixtures: Fixture[]): Record<string, string | Uint8Array> {
  const files: Record<string, string | Uint8Array> = { 'index.html': PAGE };
  for (const f of fixtures) for (const [name, content] of Object.entries(f.files)) files[`${f.dir}/${name}`] = content;
  return files;
}

type Browser = { loadModel(dir: string): Promise<{ threads: number; warning: string | null }> } & {
  runModel(dir: string, input: number[], threads: number): Promise<number[]>;
};
const load = (page: Page, dir: string) => page.evaluate((d) => (window as unknown as Browser).loadModel(d), dir);
const runIn = (page: Page, dir: string, input: Int8Array, threads: number) =>
  page.evaluate(([d, x, t]) => (window as unknown as Browser).runModel(d, x, t), [
    dir,
    Array.from(input),
    threads,
  ] as const);

let fixtures: Fixture[] = [];

beforeAll(async () => {
  fixtures = [await fixtureOf('default'), await fixtureOf('handtrack', 'human:handtrack')];
}, 900_000);

describe('WebAssembly threads in Node (worker_threads)', () => {
  it('the split kernel cases equal the reference on 1 to 4 workers (uneven, empty and padded bands)', async () => {
    for (const c of KERNEL_CASES.filter((k) => SPLIT_CASES.includes(k.name))) {
      const { q, inputs } = quantizeCase(c.graph(), c.seed, c.outputRange, c.activations);
      const { files, info } = threadedWasmProject(q, THREADS);
      const model = await loadOnWorkers(files, info, THREADS);
      const expected = referenceOutputs(q, inputs);
      for (const threads of [1, 2, 3, 4]) {
        model.setThreads(threads);
        for (const [i, x] of inputs.entries()) {
          model.setInput(x as Int8Array);
          await model.runAsync();
          expect(Array.from(model.output()), `${c.name}, ${threads} workers`).toEqual(Array.from(expected[i]!));
        }
      }
      model.dispose();
    }
  }, 300_000);

  it.each(['default', 'handtrack'])(
    '%s: 1, 2 and 4 workers and the calling thread give the reference bytes',
    async (dir) => {
      const f = fixtures.find((x) => x.dir === dir)!;
      const model = await loadOnWorkers(f.files, f.info, THREADS);
      try {
        expect(model.threads).toBe(THREADS);
        expect(model.threadsWarning).toBeUndefined();
        for (const [i, x] of f.inputs.entries()) {
          for (const threads of RUNS) {
            model.setThreads(threads);
            model.setInput(x);
            await model.runAsync();
            expect(Array.from(model.output()), `input ${i}, ${threads} workers`).toEqual(Array.from(f.expected[i]!));
          }
          model.setInput(x);
          model.run();
          expect(Array.from(model.output()), `input ${i}, run()`).toEqual(Array.from(f.expected[i]!));
        }
      } finally {
        model.dispose();
      }
    },
    600_000,
  );
});

describe('WebAssembly threads in Chromium', () => {
  it('cross-origin isolated: both models on 1, 2 and 4 workers give the reference bytes', async () => {
    const opened = await openPageInChromium(siteOf(fixtures), 'tinyedge-threads-', { isolated: true });
    try {
      for (const f of fixtures) {
        expect(await load(opened.page, f.dir)).toEqual({ threads: THREADS, warning: null });
        for (const [i, x] of f.inputs.entries())
          for (const threads of RUNS)
            expect(await runIn(opened.page, f.dir, x, threads), `${f.dir} input ${i}, ${threads} workers`).toEqual(
              Array.from(f.expected[i]!),
            );
      }
    } finally {
      await opened.close();
    }
  }, 600_000);

  it('without COOP/COEP the page runs on one thread, says why, and still gives the reference bytes', async () => {
    const f = fixtures[0]!;
    const opened = await openPageInChromium(siteOf([f]), 'tinyedge-threads-plain-');
    try {
      const loaded = await load(opened.page, f.dir);
      expect(loaded.threads).toBe(1);
      expect(loaded.warning).toMatch(
        /one thread.*Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/,
      );
      expect(await runIn(opened.page, f.dir, f.inputs[0]!, 4)).toEqual(Array.from(f.expected[0]!));
    } finally {
      await opened.close();
    }
  }, 300_000);
});
