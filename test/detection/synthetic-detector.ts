/**
 * @fileoverview A small synthetic SSD detector for the post-processing tests: two seeded 3×3 stride-2 convolutions
 * on 32×32 RGB, then 1×1 box and score heads over an 8×8 feature map with three anchors a cell (SSD anchors), 192
 * anchors, background + 2 classes; quantized to int8 on seeded inputs.
 */

import { generateSsdAnchors } from '../../compiler/detection/ssd-anchors.ts';
import { NO_CLAMP } from '../../compiler/ir/attrs.ts';
import type { SsdDetection } from '../../compiler/ir/detection.ts';
import { type Graph, GraphBuilder } from '../../compiler/ir/graph.ts';
import { quantize } from '../../compiler/pipeline.ts';
import { mulberry32, seededUniform } from '../support/seeded.ts';

/** Input side and the head's geometry. */
export const SIZE = 32;
const CELLS = 8;
const PER_CELL = 3;
const COLUMNS = 3;

/** The f32 detector (seeded weights) with its SsdDetection. */
export function syntheticDetector(settings: Partial<SsdDetection> = {}): Graph {
  const b = new GraphBuilder('test:synthetic-detector');
  const next = mulberry32(7);
  const constant = (name: string, shape: number[], scale: number) =>
    b.constant(
      name,
      shape,
      Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => (2 * next() - 1) * scale),
    );
  const conv = (
    x: string,
    inC: number,
    outC: number,
    k: number,
    stride: number,
    name: string,
    weightScale: number,
    relu: boolean,
  ) =>
    b.node(
      'conv2d',
      name,
      [x, constant(`${name}_w`, [outC, k, k, inC], weightScale), constant(`${name}_b`, [outC], 0.1)],
      {
        strides: [stride, stride],
        dilations: [1, 1],
        pads: k === 1 ? [0, 0, 0, 0] : [0, 1, 0, 1],
        clamp: relu ? { min: 0, max: 6 } : NO_CLAMP,
      },
    );
  let x = b.input('image', [1, SIZE, SIZE, 3]);
  x = conv(x, 3, 8, 3, 2, 'stem', 0.6, true);
  x = conv(x, 8, 16, 3, 2, 'features', 0.35, true);
  const anchors = CELLS * CELLS * PER_CELL;
  const boxes = b.node('reshape', 'box_encodings', [conv(x, 16, PER_CELL * 4, 1, 1, 'box_head', 0.5, false)], {
    shape: [1, anchors, 4],
  });
  const scores = b.node(
    'reshape',
    'class_predictions',
    [conv(x, 16, PER_CELL * COLUMNS, 1, 1, 'class_head', 0.6, false)],
    { shape: [1, anchors, COLUMNS] },
  );
  b.graph.outputs.push(boxes, scores);
  b.graph.detection = {
    boxesOutput: boxes,
    scoresOutput: scores,
    anchors: generateSsdAnchors({
      featureMaps: [[CELLS, CELLS]],
      scales: [0.3],
      aspectRatios: [1, 2, 0.5],
      interpolatedScaleAspectRatio: 0,
      reduceBoxesInLowestLayer: false,
    }),
    boxScales: { y: 10, x: 10, h: 5, w: 5 },
    scoreConversion: 'sigmoid',
    backgroundClass: true,
    labels: ['cat', 'dog'],
    scoreThreshold: 0.35,
    iouThreshold: 0.4,
    maxDetections: 12,
    classAgnostic: false,
    ...settings,
  };
  return b.graph;
}

/** Seeded inputs in [-1, 1]: `n` of them from `seed`. */
export function seededImages(n: number, seed: number): Float32Array[] {
  return Array.from({ length: n }, (_, i) => seededUniform(seed + i, SIZE * SIZE * 3, -1, 1));
}

/** The detector quantized to int8 (minmax on eight seeded inputs). */
export function quantizedSyntheticDetector(settings: Partial<SsdDetection> = {}): Graph {
  return quantize(syntheticDetector(settings), seededImages(8, 100), {
    method: 'minmax',
    biasCorrection: false,
    activations: 'int8',
  });
}
