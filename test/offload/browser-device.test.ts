/**
 * Split offload from a web page: the device (SplitDevice bundled with esbuild, WebSocket transport) runs in Debian's
 * Chromium, reaches the Node edge server through the WebSocket gateway, and its answers equal the integer reference
 * on every photo; with the server gone, the page answers every frame itself, the same.
 */

import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wasmSplitParts } from '../../compiler/backends/wasm/package/split-parts.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { cutCandidates } from '../../compiler/plan/split/cut-candidates.ts';
import { modelHash } from '../../compiler/plan/split/model-hash.ts';
import { quantizeForTensor } from '../../compiler/quantize/prepare/quant-params.ts';
import type { Activations } from '../../compiler/reference/integer/conv.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { MCU_MODEL } from '../../models/registry.ts';
import { EdgeServer } from '../../runtime/offload/edge-server.ts';
import type { CompiledPart } from '../../runtime/offload/tail-pool.ts';
import { WebSocketGateway } from '../../runtime/offload/websocket-gateway.ts';
import { type OpenPage, openPageInChromium } from '../support/chromium-page.ts';
import { quantizedDefaultModel } from '../support/quantized-model.ts';
import { photoInput, SAMPLE_PHOTOS } from '../support/samples.ts';

/** The page: loads head and tail, and runs frames through a SplitDevice on the gateway. */
const PAGE = `<!doctype html><script type="module">
import { SplitDevice, TinyedgeModel, websocketTransport } from './offload.js';
const part = async (name) => TinyedgeModel.load(await (await fetch(name + '.wasm')).arrayBuffer(), await (await fetch(name + '.json')).json());
const [head, tail, setup] = await Promise.all([part('head'), part('tail'), fetch('setup.json').then((r) => r.json())]);
const device = new SplitDevice({ transport: websocketTransport(setup.url), modelHash: setup.hash, cutId: setup.cutId, head, tail, timeoutMs: 5000, backoffMs: { min: 20, max: 200 } });
window.runFrames = async (frames) => {
  const answers = [];
  for (const f of frames) {
    const a = await device.infer(Int8Array.from(f));
    answers.push({ by: a.by, output: Array.from(a.output) });
  }
  return answers;
};
window.ready = true;
</script>`;

let g: Graph;
let frames: Activations[];
let expected: number[][];
let edge: EdgeServer;
let gateway: WebSocketGateway;
let opened: OpenPage;
let page: Page;

beforeAll(async () => {
  const { model, int8 } = await quantizedDefaultModel(0, MCU_MODEL);
  g = int8;
  frames = await Promise.all(
    SAMPLE_PHOTOS.map(async (f) => quantizeForTensor(await photoInput(model, f), tensorOf(g, g.inputs[0]!))),
  );
  expected = frames.map((x) => Array.from(runInteger(g, { [g.inputs[0]!]: x }).get(g.outputs[0]!) as Activations));
  const cuts = cutCandidates(g);
  const cut = cuts[Math.floor(cuts.length / 2)]!;
  const { head, tail } = wasmSplitParts(g, cut);
  edge = await EdgeServer.start({
    modelHash: modelHash(g),
    tails: new Map([[cut.id, tail as CompiledPart]]),
    workers: 1,
  });
  gateway = await WebSocketGateway.start({ host: '127.0.0.1', port: edge.port });
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('../../runtime/offload/browser.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  opened = await openPageInChromium(
    {
      'offload.js': bundle.outputFiles[0]!.contents,
      ...Object.fromEntries(
        Object.entries({ head, tail }).flatMap(([name, part]) => [
          [`${name}.wasm`, part?.bytes as Uint8Array],
          [`${name}.json`, JSON.stringify(part?.info)],
        ]),
      ),
      'setup.json': JSON.stringify({ url: `ws://127.0.0.1:${gateway.port}`, hash: modelHash(g), cutId: cut.id }),
      'index.html': PAGE,
    },
    'tinyedge-offload-web-',
  );
  page = opened.page;
}, 300_000);

afterAll(async () => {
  await opened?.close();
  await gateway?.close();
  await edge?.close().catch(() => {});
});

const run = (fs: Activations[]) =>
  page.evaluate(
    (f) =>
      (window as unknown as { runFrames(f: number[][]): Promise<{ by: string; output: number[] }[]> }).runFrames(f),
    fs.map((x) => Array.from(x)),
  );

describe('split offload from Chromium over a WebSocket', () => {
  it('the server answers every photo, equal to the integer reference', async () => {
    const answers = await run(frames);
    expect(answers.map((a) => a.by)).toEqual(frames.map(() => 'server'));
    answers.forEach((a, i) => {
      expect(a.output).toEqual(expected[i]);
    });
    expect(edge.metrics().answered).toBeGreaterThanOrEqual(frames.length);
  });
  it('with the server gone, the page answers every photo itself, the same', async () => {
    await edge.close();
    const answers = await run(frames);
    expect(answers.map((a) => a.by)).toEqual(frames.map(() => 'device'));
    answers.forEach((a, i) => {
      expect(a.output).toEqual(expected[i]);
    });
  });
});
