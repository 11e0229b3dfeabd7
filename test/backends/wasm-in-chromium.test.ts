/**
 * The compiled wasm32 demo served on localhost and run in Debian's Chromium (headless, through playwright-core):
 * the page loads model.wasm with the shipped loader, and for every sample photo and seeded random inputs its
 * output bytes equal Node's and the int8 reference's. Also: the demo's own classify path (canvas → float input)
 * runs in the browser.
 */

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wasmScratchBytes } from '../../compiler/backends/wasm/kernel-table.ts';
import { wasmProject } from '../../compiler/backends/wasm/package/project.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { type Quantization, sizeOf } from '../../compiler/ir/tensor.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import { quantizeArray } from '../../compiler/quantize/prepare/quant-params.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import type { LoadedModel } from '../../models/registry.ts';
import { TinyedgeModel } from '../../runtime/wasm/tinyedge-loader.js';
import { type OpenPage, openPageInChromium } from '../support/chromium-page.ts';
import { quantizedDefaultModel } from '../support/quantized-model.ts';
import { photoInput, SAMPLE_PHOTOS } from '../support/samples.ts';
import { seededUniform } from '../support/seeded.ts';

let model: LoadedModel;
let int8: Graph;
let node: TinyedgeModel;
let opened: OpenPage;
let page: Page;

beforeAll(async () => {
  ({ model, int8 } = await quantizedDefaultModel(0));
  const { files, info } = wasmProject(
    int8,
    planMemory(int8, wasmScratchBytes),
    model.spec,
    model.labels,
    model.preprocessing,
  );
  node = await TinyedgeModel.load(files['model.wasm'] as Uint8Array, info);
  opened = await openPageInChromium(files, 'tinyedge-web-');
  page = opened.page;
}, 600_000);

afterAll(() => opened?.close());

describe('the default model in Chromium', () => {
  it("output bytes equal Node's and the int8 reference's on every photo and on seeded random inputs", async () => {
    const n = sizeOf(tensorOf(int8, int8.inputs[0]!).shape);
    const inputs = [
      ...(await Promise.all(
        SAMPLE_PHOTOS.map(async (f) =>
          quantizeArray(await photoInput(model, f), tensorOf(int8, int8.inputs[0]!).quant as Quantization),
        ),
      )),
      ...[1, 2].map((seed) => Int8Array.from(seededUniform(seed, n, -128, 128), (v) => Math.floor(v))),
    ];
    for (const [i, x] of inputs.entries()) {
      const inBrowser = await page.evaluate(
        (bytes) => (window as unknown as { runInt8(b: number[]): number[] }).runInt8(bytes),
        Array.from(x),
      );
      node.setInput(x);
      node.run();
      expect(inBrowser, `input ${i}`).toEqual(Array.from(node.output()));
      expect(inBrowser, `input ${i}`).toEqual(
        Array.from(runInteger(int8, { [int8.inputs[0]!]: x }).get(int8.outputs[0]!) as Int8Array),
      );
    }
  }, 300_000);

  it("the demo's classify (canvas pixels → float input → quantized by the loader) runs and reports top-5", async () => {
    const result = await page.evaluate(() =>
      (window as unknown as { classify(): { output: number[]; ms: number } }).classify(),
    );
    expect(result.output).toHaveLength(5);
    expect(result.ms).toBeGreaterThan(0);
    expect(await page.textContent('#result')).toMatch(/Neutral|Drawing|Hentai|Porn|Sexy/);
  });
});
