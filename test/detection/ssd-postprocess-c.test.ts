/**
 * The C detector (model + runtime/c/postprocess, the compiler's tables in flash) gives raw int8 outputs and
 * detections (count, classes, anchors, f32 boxes and scores) identical to the TypeScript reference, on the host
 * (strict flags), rpi4-aarch64 under qemu-aarch64, cortex-m4 and cortex-m55 under qemu-system-arm; per-class and
 * class-agnostic.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { C_DETECTION_FILE } from '../../compiler/backends/c/ssd-detection.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { quantizeForTensor } from '../../compiler/quantize/prepare/quant-params.ts';
import { parseDetectionRecord } from '../../compiler/run/run-detector.ts';
import { loadTarget } from '../../targets/target.ts';
import { runBuild } from '../../targets/toolchain.ts';
import { buildC, type CBuilt } from '../support/c-build.ts';
import { referenceDetections } from './detection-record.ts';
import { quantizedSyntheticDetector, seededImages } from './synthetic-detector.ts';

function runDetector(built: CBuilt, x: Int8Array) {
  const input = join(built.dir, 'input.i8');
  const output = join(built.dir, 'output.i8');
  writeFileSync(input, x);
  runBuild(built.dir, built.target, input, output, 1);
  return parseDetectionRecord(
    JSON.parse(readFileSync(join(built.dir, C_DETECTION_FILE), 'utf8')),
    readFileSync(output),
  );
}

const CASES: [string, string, Parameters<typeof quantizedSyntheticDetector>[0], number][] = [
  ['host', 'per-class NMS', {}, 4],
  [
    'host',
    'class-agnostic NMS, a high threshold (fewer than the maximum)',
    { classAgnostic: true, scoreThreshold: 0.9, maxDetections: 20 },
    4,
  ],
  ['rpi4-aarch64', 'per-class NMS', {}, 2],
  ['cortex-m4', 'per-class NMS', {}, 2],
  ['cortex-m4', 'class-agnostic NMS', { classAgnostic: true }, 1],
  ['cortex-m55', 'per-class NMS', {}, 1],
];

describe('C SSD post-processing equals the TypeScript reference', () => {
  for (const [targetName, what, settings, inputs] of CASES) {
    it(`${targetName}, ${what}: raw outputs and detections bit for bit`, () => {
      const g = quantizedSyntheticDetector(settings);
      const built = buildC(g, loadTarget(targetName));
      let found = 0;
      for (const image of seededImages(inputs, 500)) {
        const x = quantizeForTensor(image, tensorOf(g, g.inputs[0]!)) as Int8Array;
        const ref = referenceDetections(g, x);
        const got = runDetector(built, x);
        expect(got.boxes).toEqual(ref.boxes);
        expect(got.scores).toEqual(ref.scores);
        expect(got.detections).toEqual(ref.detections);
        found += ref.detections.length;
      }
      expect(found).toBeGreaterThan(0);
    }, 120_000);
  }
});
