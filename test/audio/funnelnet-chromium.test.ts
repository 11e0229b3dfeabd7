/**
 * A compiled FunnelNet's demo page in Debian's Chromium (playwright-core, headless): cwt.wasm then model.wasm give the
 * reference's output bytes on every test clip; picking a bundled WAV shows the classes, and picking a 44.1 kHz one
 * shows what it holds and what was expected.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CwtFrontEnd } from '../../compiler/audio/cwt-front-end.ts';
import { wasmScratchBytes } from '../../compiler/backends/wasm/kernel-table.ts';
import { wasmAudioFiles } from '../../compiler/backends/wasm/package/audio-files.ts';
import { wasmProject } from '../../compiler/backends/wasm/package/project.ts';
import type { Graph } from '../../compiler/ir/graph.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import { cwtInt8 } from '../../compiler/reference/audio/cwt-int.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { FUNNELNET_LABELS } from '../../models/builders/funnelnet.ts';
import { wavBytes } from '../../tools/pcg/wav.ts';
import { type OpenPage, openPageInChromium } from '../support/chromium-page.ts';
import { ROOT } from '../support/samples.ts';
import { quantizedFunnelNet, testClips } from './audio-build.ts';

let funnel: { int8: Graph; front: CwtFrontEnd };
let dir: string;
let opened: OpenPage;
let page: Page;

beforeAll(async () => {
  funnel = await quantizedFunnelNet();
  const { files } = wasmProject(
    funnel.int8,
    planMemory(funnel.int8, wasmScratchBytes),
    'builder:funnelnet',
    FUNNELNET_LABELS,
    { scale: 1, offset: 0 },
  );
  opened = await openPageInChromium(
    { ...files, ...wasmAudioFiles(funnel.front, 'builder:funnelnet') },
    'tinyedge-funnelnet-web-',
  );
  ({ page, dir } = opened);
}, 600_000);

afterAll(() => opened?.close());

describe('FunnelNet in Chromium', () => {
  it('the page’s CWT and model give the reference output on every clip', async () => {
    for (const { name, pcm } of testClips()) {
      const got = await page.evaluate(
        (samples) =>
          (window as unknown as { classifyPcm(p: number[]): { output: number[] } }).classifyPcm(samples).output,
        Array.from(pcm),
      );
      const x = cwtInt8(funnel.front.tables, pcm, funnel.front.requantize);
      expect(got, name).toEqual(
        Array.from(runInteger(funnel.int8, { [funnel.int8.inputs[0]!]: x }).get(funnel.int8.outputs[0]!) as Int8Array),
      );
    }
  });

  it('picking a WAV shows the classes; a 44.1 kHz WAV shows what it holds and what was expected', async () => {
    await page.setInputFiles('#file', join(ROOT, 'models/samples/audio/pcg-murmur-1.wav'));
    await page.waitForFunction(() => /ms \(CWT and model\)/.test(document.getElementById('result')?.textContent ?? ''));
    expect(await page.textContent('#result')).toMatch(/normal|murmur/);
    const wrong = join(dir, 'cd.wav');
    writeFileSync(wrong, wavBytes(new Int16Array(8192), 44100));
    await page.setInputFiles('#file', wrong);
    await page.waitForFunction(() => /cd\.wav/.test(document.getElementById('result')?.textContent ?? ''));
    expect(await page.textContent('#result')).toBe(
      'cd.wav: 16-bit PCM, 1 channel(s), 44100 Hz; expected 16-bit PCM mono at 2000 Hz',
    );
  });
});
