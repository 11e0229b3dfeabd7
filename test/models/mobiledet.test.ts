/**
 * The MobileDet builders: each variant at 320×320 has the searched layout's blocks (IBN, fused IBN with a regular
 * expansion conv, Tucker; squeeze-and-excite and swish6 on CPU), SSDLite's outputs [1, 2034, 4] and [1, 2034, 91]
 * and the SSD anchors of its six feature maps; the scaled seeded weights keep every activation in range on a photo;
 * every variant quantizes, and its int8 box encodings and class logits are bit-exact between the int8 reference,
 * C on the host and WASM (small 0.5 width, 96×96 variants, and mobiledet_cpu_1 at 320×320); the 320×320 detector is
 * refused by the Cortex-M profiles, naming the memory and the overshoot.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeArtifact } from '../../compiler/artifact/int8-artifact.ts';
import { generateSsdAnchors } from '../../compiler/detection/ssd-anchors.ts';
import type { SsdDetection } from '../../compiler/ir/detection.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { modelStats } from '../../compiler/ir/stats.ts';
import { type Quantization, sizeOf } from '../../compiler/ir/tensor.ts';
import { quantizeArray } from '../../compiler/quantize/prepare/quant-params.ts';
import { runF32 } from '../../compiler/reference/f32/interpreter.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { type LoadedModel, loadModel } from '../../models/registry.ts';
import { buildC, firstDifference, runC } from '../support/c-build.ts';
import { hasStackTrace, tinyedgeAsync } from '../support/cli.ts';
import { quantizedDefaultModel } from '../support/quantized-model.ts';
import { photoInput, SAMPLE_PHOTOS } from '../support/samples.ts';
import { seededUniform } from '../support/seeded.ts';
import { instantiateWasm } from '../support/wasm-build.ts';

const VARIANTS = ['cpu', 'dsp', 'edgetpu'] as const;

/** MACs of each layout at width 1 and 320×320 as the op table counts them: any change to a layout shows here. */
const MACS_320 = { cpu: 444_227_776, dsp: 2_816_403_904, edgetpu: 1_533_181_504 };

/** A photo and a seeded random input, quantized to the int8 graph's input. */
async function int8Inputs(model: LoadedModel, int8: Graph): Promise<Int8Array[]> {
  const input = tensorOf(int8, int8.inputs[0]!);
  const photo = quantizeArray(await photoInput(model, SAMPLE_PHOTOS[0]!), input.quant as Quantization);
  return [photo, Int8Array.from(seededUniform(5, sizeOf(input.shape), -128, 128), Math.floor)];
}

/** Box encodings and class logits of C on the host and of WASM equal the int8 reference's on each input. */
async function expectBitExact(int8: Graph, inputs: Int8Array[]): Promise<void> {
  // One build as a plain two-output model: the runner writes every output in order, the loader returns each by name.
  const { detection: _, ...plain } = int8;
  const c = buildC(plain);
  const wasm = await instantiateWasm(plain);
  for (const [i, x] of inputs.entries()) {
    const values = runInteger(plain, { [plain.inputs[0]!]: x });
    const y = runC(c, x);
    wasm.setInput(x);
    wasm.run();
    const named = wasm.outputs();
    let at = 0;
    for (const output of plain.outputs) {
      const reference = values.get(output) as Int8Array;
      expect(firstDifference(y.subarray(at, at + reference.length), reference), `${output}, C, input ${i}`).toBeNull();
      at += reference.length;
      expect(firstDifference(named[output]!, reference), `${output}, WASM, input ${i}`).toBeNull();
    }
  }
}

describe('MobileDet builders at 320×320', () => {
  it.each(VARIANTS)(
    "%s: its layout's blocks and MACs, SSDLite outputs [1, 2034, 4] and [1, 2034, 91], anchors of its six maps",
    (variant) => {
      const { graph } = loadModel(`builder:mobiledet_${variant}_1`);
      const d = graph.detection as SsdDetection;
      expect(modelStats(graph).totals.macs).toBe(MACS_320[variant]);
      expect(graph.outputs).toEqual([d.boxesOutput, d.scoresOutput]);
      expect(tensorOf(graph, d.boxesOutput).shape).toEqual([1, 2034, 4]);
      expect(tensorOf(graph, d.scoresOutput).shape).toEqual([1, 2034, 91]);
      const maps: [number, number][] = [
        [20, 20],
        [10, 10],
        [5, 5],
        [3, 3],
        [2, 2],
        [1, 1],
      ];
      expect(d.anchors).toEqual(generateSsdAnchors({ featureMaps: maps, aspectRatios: [1, 2, 0.5, 3, 0.3333] }));
      expect(d).toMatchObject({
        boxScales: { y: 10, x: 10, h: 5, w: 5 },
        scoreConversion: 'sigmoid',
        backgroundClass: true,
      });
      const names = graph.nodes.map((n) => n.name);
      const filterOf = (node: string) =>
        tensorOf(graph, graph.nodes.find((n) => n.name === node)?.inputs[1] as string).shape;
      if (variant === 'cpu') {
        // IBNs only, each with squeeze-and-excite; swish6 throughout.
        expect(names.filter((n) => /_ibn_se$/.test(n))).toHaveLength(18);
        expect(names.some((n) => /fused|tucker/.test(n))).toBe(false);
        expect(names).toContain('block_0_stem_swish6');
      } else {
        // A fused IBN expands with a regular 3×3 conv; a Tucker block compresses, convolves 3×3, expands.
        expect(filterOf(names.find((n) => /_fused_expand$/.test(n)) as string).slice(1, 3)).toEqual([3, 3]);
        const tucker = (names.find((n) => /_tucker_core$/.test(n)) as string).replace(/_core$/, '');
        expect(names).toEqual(expect.arrayContaining([`${tucker}_compress`, `${tucker}_core`, `${tucker}_project`]));
        expect(filterOf(`${tucker}_compress`).slice(1, 3)).toEqual([1, 1]);
        expect(names.some((n) => /_se$|swish6/.test(n))).toBe(false);
      }
    },
    120_000,
  );

  it('refuses bad widths and sizes, naming the model', () => {
    expect(() => loadModel('builder:mobiledet_cpu_0_320')).toThrow(
      /'builder:mobiledet_cpu_0_320': width must be in \(0, 2\]/,
    );
    expect(() => loadModel('builder:mobiledet_dsp_1_16')).toThrow(/size in 33\.\.640/);
  });
});

describe.each(VARIANTS)('builder:mobiledet_%s_0.5_96', (variant) => {
  let model: LoadedModel;
  let int8: Graph;
  beforeAll(async () => {
    ({ model, int8 } = await quantizedDefaultModel(0, `builder:mobiledet_${variant}_0.5_96`));
  }, 300_000);

  it('keeps every f32 activation in range on a photo (scaled seeded weights): all finite, none above 64', async () => {
    let largest = 0;
    runF32(
      model.graph,
      { [model.graph.inputs[0]!]: await photoInput(model, SAMPLE_PHOTOS[0]!) },
      {
        onNode: (_n, y) =>
          y.forEach((v) => {
            largest = Number.isFinite(v) ? Math.max(largest, Math.abs(v)) : Infinity;
          }),
      },
    );
    expect(largest).toBeGreaterThan(1);
    expect(largest).toBeLessThan(64);
  });

  it('quantizes, keeping the detection, and its int8 box encodings and class logits are bit-exact in C on the host and in WASM', async () => {
    expect(int8.detection?.anchors.length).toBe(204 * 4);
    await expectBitExact(int8, await int8Inputs(model, int8));
  }, 300_000);
});

describe('builder:mobiledet_cpu_1 (320×320)', () => {
  let model: LoadedModel;
  let int8: Graph;
  beforeAll(async () => {
    ({ model, int8 } = await quantizedDefaultModel(0, 'builder:mobiledet_cpu_1'));
  }, 600_000);

  it('int8 box encodings and class logits are bit-exact in C on the host and in WASM', async () => {
    await expectBitExact(int8, await int8Inputs(model, int8));
  }, 600_000);

  it('is refused by the cortex-m4, m7 and m55 profiles, each naming the memory and by how many bytes it is over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyedge-mobiledet-'));
    const artifact = join(dir, 'mobiledet_cpu_1_320.tinyedge');
    writeFileSync(
      artifact,
      encodeArtifact({
        model: model.spec,
        graph: int8,
        preprocessing: model.preprocessing,
        calibration: { method: 'minmax', images: SAMPLE_PHOTOS.length, biasCorrection: true },
      }),
    );
    const profiles = ['cortex-m4', 'cortex-m7', 'cortex-m55'];
    const runs = await Promise.all(
      profiles.map((name) =>
        tinyedgeAsync(['compile', artifact, '--target', name, '--no-count-instructions', '--out', join(dir, name)]),
      ),
    );
    runs.forEach((r, i) => {
      expect(r.status, r.stderr).toBe(2);
      expect(hasStackTrace(r.stderr)).toBe(false);
      expect(r.stderr.trim().split('\n').pop()).toMatch(new RegExp(`${profiles[i]}'s (RAM|flash).*over by \\d+ bytes`));
    });
  }, 120_000);
});
