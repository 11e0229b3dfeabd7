/**
 * Browser image preprocessing: the AssemblyScript module (runtime/wasm/image-preprocess.js) equals its TypeScript
 * reference byte for byte on every sample photo (RGBA as canvases give, and RGB; downscaled to detector and MCU
 * input sizes, upscaled, odd sizes); the reference's bilinear taps on a hand-computed case; without resizing, the
 * pixel table gives exactly what predict's quantization of pixel·scale + offset gives. A wasm32 build's loader
 * (setImage, with the pixel table from model.json) writes the reference's bytes as the model's input.
 */

import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { wasmScratchBytes } from '../../compiler/backends/wasm/kernel-table.ts';
import { wasmProject } from '../../compiler/backends/wasm/package/project.ts';
import { pixelTable } from '../../compiler/image/pixel-table.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { planMemory } from '../../compiler/plan/plan-memory.ts';
import { quantizeArray } from '../../compiler/quantize/prepare/quant-params.ts';
import { imageToInt8 } from '../../compiler/reference/image/image-to-int8.ts';
import { ImagePreprocessor } from '../../runtime/wasm/image-preprocess.js';
import { TinyedgeModel } from '../../runtime/wasm/tinyedge-loader.js';
import { firstDifference } from '../support/c-build.ts';
import { SAMPLE_PHOTOS } from '../support/samples.ts';
import { referenceDetections } from './detection-record.ts';
import { quantizedSyntheticDetector, SIZE } from './synthetic-detector.ts';

const WASM = readFileSync(new URL('../../runtime/wasm/assembly/build/image-preprocess.wasm', import.meta.url));
const PRE = { scale: 2 / 255, offset: -1 };
const QUANT = { scale: 0.0078125, zeroPoint: 0 };
const TABLE = pixelTable(PRE, QUANT);
/** Input sizes (width × height): SSDLite's, an MCU's, odd, and upscaling a photo shrunk first to 17×13. */
const SIZES: [number, number][] = [
  [320, 320],
  [96, 96],
  [33, 21],
];

describe('image preprocessing: WebAssembly equals the TypeScript reference', () => {
  let photos: { file: string; rgba: Uint8Array; rgb: Uint8Array; width: number; height: number }[];
  beforeAll(async () => {
    photos = await Promise.all(
      SAMPLE_PHOTOS.map(async (file) => {
        const rgba = await sharp(file).rotate().ensureAlpha().raw().toBuffer({ resolveWithObject: true });
        const rgb = await sharp(file).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
        return {
          file,
          rgba: new Uint8Array(rgba.data),
          rgb: new Uint8Array(rgb.data),
          width: rgba.info.width,
          height: rgba.info.height,
        };
      }),
    );
  });

  for (const [w, h] of SIZES) {
    it(`every sample photo to ${w}×${h}, RGBA and RGB: equal bytes`, async () => {
      const wasm = await ImagePreprocessor.load(WASM, { width: w, height: h, table: TABLE });
      for (const p of photos) {
        const ref = imageToInt8(p.rgba, p.width, p.height, 4, w, h, TABLE);
        expect(firstDifference(wasm.run(p.rgba, p.width, p.height, 4), ref), p.file).toBeNull();
        expect(firstDifference(wasm.run(p.rgb, p.width, p.height, 3), ref), p.file).toBeNull();
      }
    });
  }

  it('upscaling a 17×13 image to 64×48: equal bytes', async () => {
    const wasm = await ImagePreprocessor.load(WASM, { width: 64, height: 48, table: TABLE });
    for (const p of photos) {
      const small = new Uint8Array(
        await sharp(p.rgb, { raw: { width: p.width, height: p.height, channels: 3 } })
          .resize(17, 13, { fit: 'fill' })
          .raw()
          .toBuffer(),
      );
      expect(
        firstDifference(wasm.run(small, 17, 13, 3), imageToInt8(small, 17, 13, 3, 64, 48, TABLE)),
        p.file,
      ).toBeNull();
    }
  });

  it("the loader of a wasm32 build: setImage feeds the reference's input bytes (the detections on them equal the reference's)", async () => {
    const g = quantizedSyntheticDetector();
    const { files, info } = wasmProject(g, planMemory(g, wasmScratchBytes), 'test', undefined, PRE);
    const model = await TinyedgeModel.load(files['model.wasm'] as Uint8Array, info, {
      ssdPostprocess: files['ssd-postprocess.wasm'] as Uint8Array,
      imagePreprocess: files['image-preprocess.wasm'] as Uint8Array,
    });
    const q = tensorOf(g, g.inputs[0]!).quant!;
    const table = pixelTable(PRE, { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0]! });
    expect(info.pixelTable).toEqual(Array.from(table));
    for (const p of photos.slice(0, 3)) {
      const x = imageToInt8(p.rgba, p.width, p.height, 4, SIZE, SIZE, table);
      model.setImage(p.rgba, p.width, p.height);
      model.run();
      expect(model.detect()).toEqual(referenceDetections(g, x).detections);
    }
  });

  it('bilinear taps with half-pixel centers on a hand-computed 2×1 → 4×1 resize', () => {
    const identity = Int8Array.from({ length: 256 }, (_, p) => p - 128);
    // Centers at source x = −0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1): 0, 255/4, 3·255/4, 255, rounded.
    const out = imageToInt8(Uint8Array.from([0, 10, 200, 255, 30, 100]), 2, 1, 3, 4, 1, identity);
    expect(Array.from(out, (v) => v + 128)).toEqual([0, 10, 200, 64, 15, 175, 191, 25, 125, 255, 30, 100]);
  });

  it('without resizing, the pixel table gives what predict quantizes from pixel·scale + offset', () => {
    const p = photos[0]!;
    const expected = quantizeArray(
      Float32Array.from(p.rgb, (v) => v * PRE.scale + PRE.offset),
      { scale: [QUANT.scale], zeroPoint: [QUANT.zeroPoint] },
    );
    expect(firstDifference(imageToInt8(p.rgba, p.width, p.height, 4, p.width, p.height, TABLE), expected)).toBeNull();
  });
});
