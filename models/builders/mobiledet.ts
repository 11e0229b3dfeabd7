/**
 * @fileoverview Builder of SSDLite MobileDet detectors (Xiong et al., 2021) as TF OD API's
 * ssdlite_mobiledet_<cpu|dsp|edgetpu>_320x320_coco configs define them: the searched backbone (mobiledet-layouts.ts),
 * four extra feature maps from C5 (1×1 conv to half depth, 3×3 depthwise stride 2, 1×1 conv; depths 512, 256, 256,
 * 128 × width, at least 16), and SSDLite's box predictor on C4, C5 and those four: per map a 3×3 depthwise (ReLU6)
 * then a 1×1 conv for box encodings and one for class logits (90 COCO classes + background), reshaped and
 * concatenated into [1, anchors, 4] and [1, anchors, 91]. Anchors come from ssd_anchor_generator with the configs'
 * values (6 layers, scales 0.2–0.95, aspect ratios 1, 2, 1/2, 3, 1/3): 2034 at 320×320.
 * Weights are seeded, then scaled on a 160×160 seeded-noise probe so every layer's output has unit RMS before its
 * activation (half on residual branches), as batch norm would (mobiledet-weight-scaling.ts); class biases start
 * at −4.6 as the configs' class_prediction_bias_init does. Untrained: use these for sizes, speed and
 * bit-exactness, not for detections.
 */

import { anchorsPerLocation, generateSsdAnchors, type SsdAnchorConfig } from '../../compiler/detection/ssd-anchors.ts';
import { type Graph, GraphBuilder } from '../../compiler/ir/graph.ts';
import { tupleOf } from '../../compiler/ir/tuple.ts';
import { MobileDetLayers, scaleFilters } from './mobiledet-blocks.ts';
import { MOBILEDET_LAYOUTS, type MobileDetLayout, type MobileDetVariant } from './mobiledet-layouts.ts';
import { applyWeightFactors, scaleWeightsOnProbe } from './mobiledet-weight-scaling.ts';
import { mulberry32 } from './mulberry32.ts';

/** COCO's 90 class ids (the configs' num_classes); the scores add the background column. */
const CLASSES = 90;

/** The extra feature maps' depths (feature_map_layout's layer_depth after C4 and C5). */
const EXTRA_DEPTHS = [512, 256, 256, 128];

/** multi_resolution_feature_maps' min_depth in the MobileDet configs. */
const MIN_DEPTH = 16;

/** The configs' class_prediction_bias_init: sigmoid(−4.6) ≈ 0.01, so untrained scores start low. */
const CLASS_BIAS = -4.6;

/** Side of the probe the weights are scaled on: its stride-16 maps (10×10) are mostly interior, not padding, and a fixed size keeps the weights the same at every input size. */
const PROBE_SIZE = 160;

/** ssd_anchor_generator of the SSDLite MobileDet configs, for the given feature map sizes. */
function anchorConfig(featureMaps: [number, number][]): SsdAnchorConfig {
  return {
    featureMaps,
    minScale: 0.2,
    maxScale: 0.95,
    aspectRatios: [1.0, 2.0, 0.5, 3.0, 0.3333],
    reduceBoxesInLowestLayer: true,
    interpolatedScaleAspectRatio: 1.0,
  };
}

/** The backbone's C4 and C5 endpoints. */
function backbone(
  layers: MobileDetLayers,
  layout: MobileDetLayout,
  input: string,
  width: number,
): { C4: string; C5: string } {
  const activation = layout.activation;
  const ends: Partial<Record<'C4' | 'C5', string>> = {};
  let h = input;
  layout.blocks.forEach((row, i) => {
    const filters = scaleFilters(row.filters, width);
    const name = `block_${i}_${row.kind}`;
    if (row.kind === 'stem') h = layers.conv(h, filters, 3, 2, activation, name);
    else if (row.kind === 'tucker')
      h = layers.tucker(h, filters, name, row.ranks[0], row.ranks[1], { activation, ...row.options });
    else if (row.kind === 'ibn_no_expansion')
      h = layers.ibnNoExpansion(h, filters, name, { activation, squeezeExcite: layout.squeezeExcite, ...row.options });
    else if (row.kind === 'ibn')
      h = layers.ibn(h, filters, name, { activation, squeezeExcite: layout.squeezeExcite, ...row.options });
    else h = layers.fused(h, filters, name, { activation, ...row.options });
    if (row.kind !== 'stem' && row.endpoint) ends[row.endpoint] = h;
  });
  if (!ends.C4 || !ends.C5) throw new Error('internal: a MobileDet layout lacks its C4 or C5 endpoint');
  return { C4: ends.C4, C5: ends.C5 };
}

/** C4, C5 and the four extra maps multi_resolution_feature_maps adds after C5 (SSDLite: depthwise separable). */
function featureMaps(layers: MobileDetLayers, ends: { C4: string; C5: string }, width: number): string[] {
  const maps = [ends.C4, ends.C5];
  const depth = (d: number) => Math.max(Math.floor(d * width), MIN_DEPTH);
  EXTRA_DEPTHS.forEach((d, i) => {
    const index = i + 2;
    let h = layers.conv(
      maps[maps.length - 1]!,
      depth(d / 2),
      1,
      1,
      'relu6',
      `C5_1_Conv2d_${index}_1x1_${depth(d / 2)}`,
    );
    h = layers.depthwise(h, 3, 2, 'relu6', `C5_2_Conv2d_${index}_3x3_s2_${depth(d)}_depthwise`);
    maps.push(layers.conv(h, depth(d), 1, 1, 'relu6', `C5_2_Conv2d_${index}_3x3_s2_${depth(d)}`));
  });
  return maps;
}

/** SSDLite's predictor for one map and one output kind: 3×3 depthwise (ReLU6), 1×1 conv, reshaped to [1, cells·boxes, code]. */
function predictor(
  layers: MobileDetLayers,
  map: string,
  boxes: number,
  code: number,
  name: string,
  biasCenter: number,
): string {
  const [, h, w] = tupleOf(layers.b.shapeOf(map), 3);
  const dw = layers.depthwise(map, 3, 1, 'relu6', `${name}_depthwise`);
  const out = layers.conv(dw, boxes * code, 1, 1, 'linear', name, undefined, biasCenter);
  return layers.b.node('reshape', `${name}_reshape`, [out], { shape: [1, h * w * boxes, code] });
}

/** The detector with its seeded weights unscaled, and the output RMS each weight tensor's layer should have. */
function buildUnscaled(
  variant: MobileDetVariant,
  width: number,
  size: number,
  seed: number,
): { graph: Graph; targetRms: ReadonlyMap<string, number> } {
  const b = new GraphBuilder(`builder:mobiledet_${variant}_${width}_${size}`);
  const layers = new MobileDetLayers(b, seed);
  const input = b.input('input', [1, size, size, 3]);
  const maps = featureMaps(layers, backbone(layers, MOBILEDET_LAYOUTS[variant], input, width), width);
  const config = anchorConfig(maps.map((m) => [b.shapeOf(m)[1]!, b.shapeOf(m)[2]!]));
  const boxes = anchorsPerLocation(config);
  const boxParts = maps.map((m, i) => predictor(layers, m, boxes[i]!, 4, `BoxPredictor_${i}_BoxEncodingPredictor`, 0));
  const classParts = maps.map((m, i) =>
    predictor(layers, m, boxes[i]!, CLASSES + 1, `BoxPredictor_${i}_ClassPredictor`, CLASS_BIAS),
  );
  const boxesOutput = b.node('concat', 'box_encodings', boxParts, { axis: 1 });
  const scoresOutput = b.node('concat', 'class_predictions', classParts, { axis: 1 });
  b.graph.outputs.push(boxesOutput, scoresOutput);
  b.graph.detection = {
    boxesOutput,
    scoresOutput,
    anchors: generateSsdAnchors(config),
    // The configs' faster_rcnn_box_coder, sigmoid score_converter and batch_non_max_suppression.
    boxScales: { y: 10, x: 10, h: 5, w: 5 },
    scoreConversion: 'sigmoid',
    backgroundClass: true,
    scoreThreshold: 1e-8,
    iouThreshold: 0.6,
    maxDetections: 100,
    classAgnostic: false,
  };
  return { graph: b.graph, targetRms: layers.targetRms };
}

/**
 * SSDLite MobileDet `variant` at width multiplier `width` on size×size RGB in [-1, 1] (the feature extractor's
 * preprocessing); outputs box encodings and class logits, with `graph.detection` saying how to post-process them.
 */
export function buildMobileDet(variant: MobileDetVariant, width: number, size: number, seed = 1): Graph {
  const probe = buildUnscaled(variant, width, PROBE_SIZE, seed);
  const next = mulberry32(seed + 1);
  const noise = Float32Array.from({ length: PROBE_SIZE * PROBE_SIZE * 3 }, () => 2 * next() - 1);
  const factors = scaleWeightsOnProbe(probe.graph, probe.targetRms, noise);
  if (size === PROBE_SIZE) return probe.graph;
  const { graph } = buildUnscaled(variant, width, size, seed);
  applyWeightFactors(graph, factors);
  return graph;
}
