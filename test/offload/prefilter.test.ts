/**
 * The offload prefilter: a tiny int8 classifier (3×3 stride-4 conv, mean, dense, softmax) runs on each frame first;
 * frames whose score for the wanted class is below the threshold are answered "nothing" on the device and never
 * reach the server (its frame count is the kept frames'), its verdicts are the integer reference's, and kept frames
 * are answered by the server exactly as without the prefilter. The C device (splitProject with the prefilter, on the
 * host) drops exactly the same frames, comparing integer codes, and its kept frames' answers are the same.
 */

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cBuildOf } from '../../compiler/backends/c/project.ts';
import { prefilterMinCode, splitProject } from '../../compiler/backends/c/split-project.ts';
import { wasmScratchBytes } from '../../compiler/backends/wasm/kernel-table.ts';
import { wasmProject } from '../../compiler/backends/wasm/package/project.ts';
import { type WasmPart, wasmSplitParts } from '../../compiler/backends/wasm/package/split-parts.ts';
import { type Graph, GraphBuilder, tensorOf } from '../../compiler/ir/graph.ts';
import type { Quantization } from '../../compiler/ir/tensor.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import { cutCandidates } from '../../compiler/plan/split/cut-candidates.ts';
import { modelHash } from '../../compiler/plan/split/model-hash.ts';
import { calibrate } from '../../compiler/quantize/calibrate.ts';
import { quantizeForTensor } from '../../compiler/quantize/prepare/quant-params.ts';
import { quantizeGraph } from '../../compiler/quantize/quantize-graph.ts';
import type { Activations } from '../../compiler/reference/integer/conv.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { MCU_MODEL } from '../../models/registry.ts';
import { OffloadDevice } from '../../runtime/offload/device-client.ts';
import { EdgeServer } from '../../runtime/offload/edge-server.ts';
import { ClassifierPrefilter, PrefilteredDevice } from '../../runtime/offload/prefilter.ts';
import type { CompiledPart } from '../../runtime/offload/tail-pool.ts';
import { type RawValues, TinyedgeModel } from '../../runtime/wasm/tinyedge-loader.js';
import { loadTarget } from '../../targets/target.ts';
import { buildTemporaryProject } from '../../targets/toolchain.ts';
import { firstDifference, STRICT_CFLAGS } from '../support/c-build.ts';
import { quantizedDefaultModel } from '../support/quantized-model.ts';
import { photoInput, SAMPLE_PHOTOS } from '../support/samples.ts';
import { seededUniform } from '../support/seeded.ts';

let g: Graph;
let classifier: Graph;
let frames: Activations[];
let expected: Activations[];
let server: EdgeServer;
let parts: { head?: WasmPart; tail?: WasmPart };
let cutId: number;

/** A tiny classifier of the model's input: 3×3 stride-4 conv (8 channels, relu), mean, dense to 2, softmax. */
function tinyClassifier(shape: number[]): Graph {
  const b = new GraphBuilder('prefilter');
  b.input('x', shape);
  b.constant('w', [8, 3, 3, shape[3]!], seededUniform(3, 8 * 9 * shape[3]!, -0.5, 0.5));
  b.constant('b', [8], seededUniform(4, 8, -0.1, 0.1));
  const conv = b.node('conv2d', 'conv', ['x', 'w', 'b'], {
    strides: [4, 4],
    dilations: [1, 1],
    pads: [0, 1, 0, 1],
    clamp: { min: 0, max: null },
  });
  const mean = b.node('mean', 'mean', [conv], { axes: [1, 2], keepDims: false });
  b.constant('fw', [2, 8], seededUniform(5, 16, -2, 2));
  b.constant('fb', [2], Float32Array.of(0, 0));
  const fc = b.node('fully_connected', 'fc', [mean, 'fw', 'fb'], { clamp: { min: null, max: null } });
  b.graph.outputs.push(b.node('softmax', 'sm', [fc], { beta: 1 }));
  return b.graph;
}

beforeAll(async () => {
  const { model, int8 } = await quantizedDefaultModel(0, MCU_MODEL);
  g = int8;
  const input = tensorOf(g, g.inputs[0]!);
  const photos = await Promise.all(SAMPLE_PHOTOS.map((f) => photoInput(model, f)));
  frames = photos.map((x) => quantizeForTensor(x, input));
  expected = frames.map((x) => runInteger(g, { [g.inputs[0]!]: x }).get(g.outputs[0]!) as Activations);
  const f32 = tinyClassifier(input.shape);
  classifier = quantizeGraph(f32, calibrate(f32, photos, 'minmax'));
  // The classifier reads the device's frames as they are: the model's input quantization.
  tensorOf(classifier, classifier.inputs[0]!).quant = input.quant as Quantization;
  const cuts = cutCandidates(g);
  const cut = cuts[Math.floor(cuts.length / 2)]!;
  cutId = cut.id;
  parts = wasmSplitParts(g, cut);
  server = await EdgeServer.start({
    modelHash: modelHash(g),
    tails: new Map([[cut.id, parts.tail as CompiledPart]]),
    workers: 1,
  });
}, 180_000);

afterAll(() => server?.close());

/** The classifier's score of class 0 for every frame, and the median score as the threshold (half the frames kept). */
function scoresAndThreshold(): { scores: number[]; threshold: number } {
  const scores = frames.map((x) => {
    const y = runInteger(classifier, { [classifier.inputs[0]!]: x }).get(classifier.outputs[0]!) as Activations;
    const q = tensorOf(classifier, classifier.outputs[0]!).quant as Quantization;
    return q.scale[0]! * (y[0]! - q.zeroPoint[0]!);
  });
  const sorted = [...scores].sort((a, b) => a - b);
  return { scores, threshold: sorted[Math.floor(sorted.length / 2)]! };
}

describe('offload with a prefilter', () => {
  it('drops the frames the classifier scores low, sends the rest, and answers those exactly', async () => {
    const { scores, threshold } = scoresAndThreshold();
    const { files, info } = wasmProject(classifier, planMemory(classifier, wasmScratchBytes), 'prefilter', undefined, {
      scale: 1,
      offset: 0,
    });
    const load = (p: { bytes: Uint8Array; info: typeof info }) =>
      TinyedgeModel.load<RawValues, RawValues>(p.bytes, p.info);
    const prefilter = new ClassifierPrefilter(
      await load({ bytes: files['model.wasm'] as Uint8Array, info }),
      0,
      threshold,
    );
    const head = await load(parts.head as WasmPart);
    const tail = await load(parts.tail as WasmPart);
    const device = new PrefilteredDevice(
      prefilter,
      new OffloadDevice({
        host: '127.0.0.1',
        port: server.port,
        modelHash: modelHash(g),
        cutId,
        head,
        tail,
        timeoutMs: 10_000,
      }),
    );
    const before = server.metrics().frames;
    let kept = 0;
    for (let i = 0; i < frames.length; i++) {
      const a = await device.infer(frames[i]!);
      const keep = scores[i]! >= threshold;
      expect(a.by, `frame ${i}, score ${scores[i]}`).toBe(keep ? 'server' : 'prefilter');
      if ('output' in a) {
        kept++;
        expect(firstDifference(a.output, expected[i]!)).toBeNull();
      }
    }
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(frames.length);
    expect(server.metrics().frames - before).toBe(kept);
    device.close();
  });

  it('in C: the device drops the same frames (integer codes against the threshold) and its kept answers are the same', async () => {
    const { scores, threshold } = scoresAndThreshold();
    const host = loadTarget('host');
    const cut = cutCandidates(g)[cutId]!;
    const prefilter = { graph: classifier, wantedClass: 0, threshold };
    const dir = buildTemporaryProject(
      splitProject(g, cut, { ...cBuildOf(host), cflags: STRICT_CFLAGS }, prefilter),
      host,
      STRICT_CFLAGS,
    );
    const work = mkdtempSync(join(tmpdir(), 'tinyedge-prefilter-'));
    const files = frames.map((x, i) => {
      const f = join(work, `frame${i}.i8`);
      writeFileSync(f, x as Int8Array);
      return f;
    });
    const before = server.metrics().frames;
    const { stdout } = await promisify(execFile)(join(dir, 'runner'), [
      '127.0.0.1',
      String(server.port),
      'raw',
      '10000',
      '0',
      join(work, 'answers.i8'),
      ...files,
    ]);
    const by = (JSON.parse(stdout) as { frames: { by: string }[] }).frames.map((f) => f.by);
    expect(by).toEqual(scores.map((s) => (s >= threshold ? 'server' : 'prefilter')));
    const keptIndex = by.flatMap((b, i) => (b === 'server' ? [i] : []));
    const answers = new Int8Array(Uint8Array.from(readFileSync(join(work, 'answers.i8'))).buffer);
    const n = expected[0]!.length;
    expect(answers.length).toBe(keptIndex.length * n);
    keptIndex.forEach((i, k) => {
      expect(firstDifference(answers.subarray(k * n, (k + 1) * n), expected[i]!), `frame ${i}`).toBeNull();
    });
    expect(server.metrics().frames - before).toBe(keptIndex.length);
    expect(prefilterMinCode(prefilter)).toBeGreaterThan(-128);
  });
});
