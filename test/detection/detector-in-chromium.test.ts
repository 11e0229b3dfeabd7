/**
 * A wasm32 detector's folder served on localhost in Debian's Chromium (headless, playwright-core): the demo page
 * feeds photo pixels (RGBA, as a canvas gives them) through image-preprocess.wasm, the model and ssd-postprocess.wasm;
 * its detections equal the TypeScript reference's (image preprocessing, int8 interpreter, post-processing) on every
 * sample photo; picking a photo in the page draws the boxes and lists them; the score slider (starting at the CLI's
 * --min-score default) keeps only the detections at or above it, with no console errors or failed requests. The page
 * on a photo is saved as test-results/detector-page.png.
 */

import { mkdirSync } from 'node:fs';

import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wasmScratchBytes } from '../../compiler/backends/wasm/kernel-table.ts';
import { wasmProject } from '../../compiler/backends/wasm/package/project.ts';
import { pixelTable } from '../../compiler/image/pixel-table.ts';
import { DEFAULT_MIN_SCORE } from '../../compiler/ir/detection.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import type { Detection } from '../../compiler/reference/detection/ssd-postprocess.ts';
import { imageToInt8 } from '../../compiler/reference/image/image-to-int8.ts';
import { type OpenPage, openPageInChromium } from '../support/chromium-page.ts';
import { SAMPLE_PHOTOS } from '../support/samples.ts';
import { referenceDetections } from './detection-record.ts';
import { quantizedSyntheticDetector, SIZE } from './synthetic-detector.ts';

const PRE = { scale: 2 / 255, offset: -1 };
const g = quantizedSyntheticDetector({ scoreThreshold: 0.6 });

let opened: OpenPage;
let page: Page;

beforeAll(async () => {
  const { files } = wasmProject(g, planMemory(g, wasmScratchBytes), 'test:synthetic-detector', undefined, PRE);
  opened = await openPageInChromium(files, 'tinyedge-detector-web-');
  page = opened.page;
}, 300_000);

afterAll(() => opened?.close());

describe('a detector in Chromium', () => {
  it('detections from photo pixels equal the TypeScript reference on every sample photo', async () => {
    const q = tensorOf(g, g.inputs[0]!).quant!;
    const table = pixelTable(PRE, { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0]! });
    let found = 0;
    for (const file of SAMPLE_PHOTOS) {
      // Photos shrunk to at most 160 pixels a side first: the pixels travel to the page as a JSON array.
      const { data, info } = await sharp(file)
        .rotate()
        .resize(160, 160, { fit: 'inside' })
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const ref = referenceDetections(g, imageToInt8(data, info.width, info.height, 4, SIZE, SIZE, table));
      const inPage = await page.evaluate(
        ([rgba, w, h]) =>
          (
            window as unknown as { detectPixels(p: number[], w: number, h: number): { detections: Detection[] } }
          ).detectPixels(rgba, w, h),
        [Array.from(data), info.width, info.height] as [number[], number, number],
      );
      expect(inPage.detections, file).toEqual(ref.detections);
      found += ref.detections.length;
    }
    expect(found).toBeGreaterThan(0);
  }, 120_000);

  it('picking a photo draws it with the boxes and lists the detections', async () => {
    await page.setInputFiles('#file', SAMPLE_PHOTOS[0]!);
    await page.waitForFunction(
      () => (document.getElementById('result')?.textContent ?? '').includes(' ms'),
      undefined,
      { timeout: 30_000 },
    );
    expect(await page.textContent('#result')).toMatch(/^((cat|dog) \d\.\d\d\n)*\d+\.\d ms$/);
    const size = await page.evaluate(() => [
      (document.getElementById('canvas') as HTMLCanvasElement).width,
      (document.getElementById('canvas') as HTMLCanvasElement).height,
    ]);
    const { info } = await sharp(SAMPLE_PHOTOS[0]).rotate().toBuffer({ resolveWithObject: true });
    expect(size).toEqual([info.width, info.height]);
  }, 60_000);

  it('draws and lists only the detections at or above the slider, shows latency and threads, errs nowhere', async () => {
    /** The photo's detections and those drawn (and listed) at the slider's threshold, as the page records them. */
    type Shown = { minScore: number; detections: Detection[]; drawn: Detection[] };
    const shown = () => page.evaluate(() => (window as unknown as { shown: Shown }).shown);
    expect(Number(await page.inputValue('#min-score'))).toBe(DEFAULT_MIN_SCORE);
    // The photo with the most detections, so a threshold between its scores hides some.
    let best: { file: string; detections: Detection[] } | undefined;
    const pick = async (file: string) => {
      // Cleared first: picking the file already picked would fire no change event.
      await page.evaluate(() => {
        (window as unknown as { shown?: Shown }).shown = undefined;
        (document.getElementById('file') as HTMLInputElement).value = '';
      });
      await page.setInputFiles('#file', file);
      await page.waitForFunction(() => (window as unknown as { shown?: Shown }).shown !== undefined);
    };
    for (const file of SAMPLE_PHOTOS) {
      await pick(file);
      const { detections } = await shown();
      if (!best || detections.length > best.detections.length) best = { file, detections };
    }
    expect(best!.detections.length).toBeGreaterThan(0);
    await pick(best!.file);
    // The median score down to the slider's step of 0.01: at least half the detections stay.
    const scores = best!.detections.map((d) => d.score).sort((a, b) => a - b);
    const threshold = Math.floor(scores[Math.floor(scores.length / 2)]! * 100) / 100;
    await page.$eval(
      '#min-score',
      (el, v) => {
        (el as HTMLInputElement).value = String(v);
        el.dispatchEvent(new Event('input'));
      },
      threshold,
    );
    await page.waitForFunction((t) => (window as unknown as { shown: Shown }).shown.minScore === t, threshold);
    const s = await shown();
    const kept = s.detections.filter((d) => d.score >= s.minScore);
    expect(s.drawn).toEqual(kept);
    expect(kept.length).toBeGreaterThan(0);
    const listed = (await page.textContent('#result'))!.split('\n').slice(0, -1);
    expect(listed.map((l) => Number(l.split(' ').at(-1)))).toEqual(kept.map((d) => Number(d.score.toFixed(2))));
    expect(await page.textContent('#status')).toMatch(/^\d+\.\d ms on 1 thread/);
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/detector-page.png', fullPage: true });
    expect(opened.errors).toEqual([]);
  }, 120_000);
});
