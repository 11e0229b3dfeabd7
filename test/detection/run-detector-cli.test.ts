/**
 * `tinyedge run` on a compiled detector (the synthetic detector as an int8 artifact, compiled for host C and
 * wasm32): prints the detections with pixel boxes, equal in both builds, to `predict` on the artifact and to the
 * TypeScript reference on the same photo; `--draw out.png` writes the photo with the boxes drawn (its size, and box-coloured pixels where a box is) and
 * refuses to overwrite without --force; a model without detection outputs gets a clear error.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeArtifact } from '../../compiler/artifact/int8-artifact.ts';
import { ssdOutputsOf } from '../../compiler/detection/ssd-outputs.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { tupleOf } from '../../compiler/ir/tuple.ts';
import { quantizeForTensor } from '../../compiler/quantize/prepare/quant-params.ts';
import type { DetectionResult } from '../../compiler/run/run-detector.ts';
import { imageToInput } from '../../models/image-input.ts';
import { expectUserError, tinyedge } from '../support/cli.ts';
import { SAMPLE_PHOTOS } from '../support/samples.ts';
import { referenceDetections } from './detection-record.ts';
import { quantizedSyntheticDetector, syntheticDetector } from './synthetic-detector.ts';

const PREPROCESSING = { scale: 2 / 255, offset: -1 };
const PHOTO = SAMPLE_PHOTOS[0]!;

describe('tinyedge run on a detector', () => {
  const work = mkdtempSync(join(tmpdir(), 'tinyedge-detector-cli-'));
  const artifact = join(work, 'detector.tedge');
  const g = quantizedSyntheticDetector({ scoreThreshold: 0.6 });
  let host: DetectionResult;

  beforeAll(() => {
    writeFileSync(
      artifact,
      encodeArtifact({
        model: 'test:synthetic-detector',
        graph: g,
        preprocessing: PREPROCESSING,
        calibration: { method: 'minmax', images: 8, biasCorrection: false },
      }),
    );
    for (const target of ['host', 'wasm32']) {
      const r = tinyedge(['compile', artifact, '--target', target, '--out', join(work, target), '--json']);
      expect(r.status, r.stderr).toBe(0);
    }
    const r = tinyedge(['run', join(work, 'host'), '--image', PHOTO, '--json']);
    expect(r.status, r.stderr).toBe(0);
    host = JSON.parse(r.stdout) as DetectionResult;
  }, 120_000);

  it('prints the same detections in C, WebAssembly and predict as the reference, with boxes in pixels of the photo', async () => {
    const x = quantizeForTensor(
      await imageToInput(PHOTO, tensorOf(g, g.inputs[0]!).shape, PREPROCESSING),
      tensorOf(g, g.inputs[0]!),
    ) as Int8Array;
    const ref = referenceDetections(g, x);
    expect(host.detections.length).toBeGreaterThan(0);
    expect(host.detections.map((d) => [d.classIndex, d.score, d.box])).toEqual(
      ref.detections.map((d) => [d.classIndex, d.score, d.box]),
    );
    expect(host.outputs.scores.data).toEqual(Array.from(ref.scores));
    const wasm = tinyedge(['run', join(work, 'wasm32'), '--image', PHOTO, '--json']);
    expect(wasm.status, wasm.stderr).toBe(0);
    expect((JSON.parse(wasm.stdout) as DetectionResult).detections).toEqual(host.detections);
    const predicted = tinyedge(['predict', artifact, '--image', PHOTO, '--json']);
    expect(predicted.status, predicted.stderr).toBe(0);
    expect((JSON.parse(predicted.stdout) as DetectionResult).detections).toEqual(host.detections);
    const { width, height } = await sharp(PHOTO)
      .rotate()
      .toBuffer({ resolveWithObject: true })
      .then((b) => b.info);
    for (const d of host.detections) {
      expect(['cat', 'dog']).toContain(d.label);
      const [left, top, right, bottom] = tupleOf(d.pixels, 4);
      expect(left).toBe(Math.round(Math.min(Math.max(d.box[1]!, 0), 1) * width));
      expect(bottom).toBe(Math.round(Math.min(Math.max(d.box[2]!, 0), 1) * height));
      expect(0 <= left && left <= right && right <= width && 0 <= top && top <= bottom && bottom <= height).toBe(true);
    }
  });

  it('--draw writes the photo with the boxes drawn, and never overwrites a file without --force', async () => {
    const out = join(work, 'boxes.png');
    const r = tinyedge(['run', join(work, 'host'), '--image', PHOTO, '--draw', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/box \(left, top, right, bottom px\)/);
    expect(r.stdout).toContain(host.detections[0]!.pixels.join(', '));
    expect(r.stdout).toContain(`drew     ${out}`);
    const photo = await sharp(PHOTO).rotate().raw().toBuffer({ resolveWithObject: true });
    const drawn = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    expect([drawn.info.width, drawn.info.height, drawn.info.format]).toEqual([
      photo.info.width,
      photo.info.height,
      'raw',
    ]);
    expect((await sharp(out).metadata()).format).toBe('png');
    // The top edge of the first box is drawn: in the middle of it, the pixel changed from the photo's.
    const [left, top, right] = tupleOf(host.detections[0]!.pixels, 3);
    const at = (img: typeof photo, x: number, y: number) =>
      Array.from(
        img.data.subarray(
          (y * img.info.width + x) * img.info.channels,
          (y * img.info.width + x) * img.info.channels + 3,
        ),
      );
    const x = Math.round((left + right) / 2);
    const y = Math.min(top, photo.info.height - 1);
    expect(at(drawn, x, y)).not.toEqual(at(photo, x, y));
    expectUserError(
      tinyedge(['run', join(work, 'host'), '--image', PHOTO, '--draw', out]),
      /boxes\.png: exists; pass --force to replace it/,
    );
    const forced = tinyedge(['run', join(work, 'host'), '--image', PHOTO, '--draw', out, '--force', '--json']);
    expect(forced.status, forced.stderr).toBe(0);
    expect((JSON.parse(forced.stdout) as DetectionResult).detections).toEqual(host.detections);
  });

  it('--min-score shows only detections scoring at least it and says how many it hid; a score outside [0, 1] is one error', () => {
    const scores = host.detections.map((d) => d.score).sort((a, b) => a - b);
    const cut = scores[Math.floor(scores.length / 2)]!;
    const kept = host.detections.filter((d) => d.score >= cut);
    expect(kept.length).toBeLessThan(host.detections.length);
    const r = tinyedge(['run', join(work, 'host'), '--image', PHOTO, '--min-score', String(cut)]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`(${host.detections.length - kept.length} more below --min-score ${cut})`);
    expect(r.stdout.match(/^│ +\d+ │/gm)).toHaveLength(kept.length);
    expectUserError(
      tinyedge(['run', join(work, 'host'), '--image', PHOTO, '--min-score', '2']),
      /--min-score must be a score in \[0, 1\], got '2'/,
    );
  });

  it('a model without recognizable detection outputs gets a clear error', () => {
    const plain = syntheticDetector();
    delete plain.detection;
    expect(() => ssdOutputsOf(plain)).toThrow(
      /cannot post-process detections: the model has no SSD box and score outputs/,
    );
    const wrong = syntheticDetector({ scoresOutput: 'features' });
    expect(() => ssdOutputsOf(wrong)).toThrow(/the class scores 'features' is not an output of the model/);
    const short = syntheticDetector({ anchors: new Float32Array(4 * 10) });
    expect(() => ssdOutputsOf(short)).toThrow(/box encodings 'box_encodings' are 1×192×4, 10 anchors need 10×4/);
    // Through the CLI: an artifact whose detection names a tensor that is not an output.
    const bad = join(work, 'bad.tedge');
    writeFileSync(
      bad,
      encodeArtifact({
        model: 'bad',
        graph: { ...g, detection: { ...(g.detection as NonNullable<typeof g.detection>), scoresOutput: 'features' } },
        preprocessing: PREPROCESSING,
        calibration: { method: 'minmax', images: 8, biasCorrection: false },
      }),
    );
    expectUserError(
      tinyedge(['compile', bad, '--target', 'host', '--out', join(work, 'bad')]),
      /^tinyedge: error: .*bad\.tedge: cannot post-process detections: the class scores 'features' is not an output of the model \(outputs: box_encodings, class_predictions\)$/,
    );
  });
});
