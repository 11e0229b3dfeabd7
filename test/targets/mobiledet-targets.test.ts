/**
 * builder:mobiledet_cpu_0.5_96 (IBNs with squeeze-and-excite and swish6, SSDLite head) on every cross target,
 * built with its toolchain and optimized kernels and run under qemu: its int8 box encodings and class logits are
 * bit-exact with the int8 reference on a photo and a seeded random input. It fits the cortex-m4 profile
 * (STM32L4R5: arena within SRAM, weights and code within flash), where the 320×320 detector is refused
 * (test/models/mobiledet.test.ts) and so is the DSP layout at the same size, whose weights overshoot the flash.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeArtifact } from '../../compiler/artifact/int8-artifact.ts';
import type { SsdDetection } from '../../compiler/ir/detection.ts';
import { type Graph, tensorOf } from '../../compiler/ir/graph.ts';
import { subgraph } from '../../compiler/ir/subgraph.ts';
import { type Quantization, sizeOf } from '../../compiler/ir/tensor.ts';
import { quantizeArray } from '../../compiler/quantize/prepare/quant-params.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import type { LoadedModel } from '../../models/registry.ts';
import { loadTarget } from '../../targets/target.ts';
import { buildC, firstDifference, runC } from '../support/c-build.ts';
import { hasStackTrace, tinyedge } from '../support/cli.ts';
import { quantizedDefaultModel } from '../support/quantized-model.ts';
import { photoInput, SAMPLE_PHOTOS } from '../support/samples.ts';
import { seededUniform } from '../support/seeded.ts';

const SMALL = 'builder:mobiledet_cpu_0.5_96';

let model: LoadedModel;
let int8: Graph;
let inputs: Int8Array[];

beforeAll(async () => {
  ({ model, int8 } = await quantizedDefaultModel(0, SMALL));
  const input = tensorOf(int8, int8.inputs[0]!);
  inputs = [
    quantizeArray(await photoInput(model, SAMPLE_PHOTOS[1]!), input.quant as Quantization),
    Int8Array.from(seededUniform(11, sizeOf(input.shape), -128, 128), Math.floor),
  ];
}, 300_000);

/** The int8 artifact of `g` in a fresh folder, for `tinyedge compile`. */
function artifactOf(g: Graph, spec: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tinyedge-mobiledet-')), 'model.tinyedge');
  writeFileSync(
    file,
    encodeArtifact({
      model: spec,
      graph: g,
      preprocessing: model.preprocessing,
      calibration: { method: 'minmax', images: SAMPLE_PHOTOS.length, biasCorrection: true },
    }),
  );
  return file;
}

describe.each(['rpi4-aarch64', 'rpi5-aarch64', 'android-arm64', 'cortex-m4', 'cortex-m7', 'cortex-m55'])(
  `${SMALL} on %s under qemu`,
  (name) => {
    it('box encodings and class logits equal the int8 reference on a photo and a seeded random input', () => {
      const target = loadTarget(name);
      const detection = int8.detection as SsdDetection;
      for (const output of [detection.boxesOutput, detection.scoresOutput]) {
        const part = subgraph(int8, int8.inputs, [output]);
        const built = buildC(part, target);
        for (const [i, x] of inputs.entries()) {
          const reference = runInteger(part, { [part.inputs[0]!]: x }).get(output) as Int8Array;
          expect(firstDifference(runC(built, x), reference), `${output}, input ${i}`).toBeNull();
        }
      }
    }, 600_000);
  },
);

describe('MobileDet and the cortex-m4 profile (STM32L4R5: 2 MB flash, 640 KB SRAM)', () => {
  it(`${SMALL} compiles within its SRAM and flash`, () => {
    const r = tinyedge([
      'compile',
      artifactOf(int8, SMALL),
      '--target',
      'cortex-m4',
      '--no-count-instructions',
      '--out',
      join(mkdtempSync(join(tmpdir(), 'tinyedge-mobiledet-')), 'build'),
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const { memory } = JSON.parse(r.stdout) as {
      memory: { arenaBytes: number; weightBytes: number; codeBytes: number };
    };
    const part = loadTarget('cortex-m4').memory;
    console.log(
      `${SMALL} on cortex-m4: arena ${memory.arenaBytes} B, weights ${memory.weightBytes} B, code ${memory.codeBytes} B`,
    );
    expect(memory.arenaBytes).toBeLessThanOrEqual(part?.ramBytes ?? 0);
    expect(memory.weightBytes + memory.codeBytes).toBeLessThanOrEqual(part?.flashBytes ?? 0);
  }, 300_000);

  it('builder:mobiledet_dsp_0.5_96 is refused: its weights overshoot the flash, by a number of bytes the error names', async () => {
    const dsp = await quantizedDefaultModel(0, 'builder:mobiledet_dsp_0.5_96');
    const r = tinyedge([
      'compile',
      artifactOf(dsp.int8, dsp.model.spec),
      '--target',
      'cortex-m4',
      '--out',
      join(mkdtempSync(join(tmpdir(), 'tinyedge-mobiledet-')), 'build'),
    ]);
    expect(r.status, r.stderr).toBe(2);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stderr.trim().split('\n').pop()).toMatch(/cortex-m4's flash.*over by \d+ bytes/);
  }, 300_000);
});
