/**
 * @fileoverview SSD anchors as TF Object Detection API's `ssd_anchor_generator` makes them
 * (anchor_generators/multiple_grid_anchor_generator.py: create_ssd_anchors, then grid_anchor_generator.tile_anchors),
 * so a detector trained with that config decodes against the same boxes. Computed in float64, stored as float32
 * (TF computes in float32, so a value may differ from TF's in its last bit; every tinyedge runtime reads these).
 */
import { TinyedgeError } from '../errors.ts';

/** The fields of TF OD API's `ssd_anchor_generator` message, plus the feature map sizes it is generated for. */
export interface SsdAnchorConfig {
  /** (height, width) of each predictor's feature map, finest first; their count is the config's num_layers. */
  featureMaps: [number, number][];
  /** Scales interpolate linearly from min_scale (finest) to max_scale (coarsest) unless `scales` is given. */
  minScale?: number;
  maxScale?: number;
  scales?: number[];
  aspectRatios?: number[];
  /** Aspect ratio of one more box per location whose scale is between this layer's and the next's; 0 for none. */
  interpolatedScaleAspectRatio?: number;
  /** The first layer gets three fixed boxes (scale 0.1 ratio 1, and its scale at ratios 2 and 0.5). */
  reduceBoxesInLowestLayer?: boolean;
  /** [height, width], relative to the shorter image side. */
  baseAnchorSize?: [number, number];
  /** Per layer (y, x) in pixels of an image of imageHeight × imageWidth; default 1/feature map size (normalized). */
  anchorStrides?: [number, number][];
  /** Per layer (y, x) in pixels: the (0, 0) anchor's center; default half the stride. */
  anchorOffsets?: [number, number][];
  imageHeight?: number;
  imageWidth?: number;
}

/** One box shape at every location of a layer: (scale, aspect ratio = width / height). */
type BoxSpec = [scale: number, aspectRatio: number];

/** create_ssd_anchors' defaults. */
const DEFAULT_ASPECT_RATIOS = [1.0, 2.0, 3.0, 1.0 / 2, 1.0 / 3];

/** The box shapes of each layer, as create_ssd_anchors lists them. */
function boxSpecs(config: SsdAnchorConfig): BoxSpec[][] {
  const layers = config.featureMaps.length;
  const minScale = config.minScale ?? 0.2;
  const maxScale = config.maxScale ?? 0.95;
  const aspectRatios = config.aspectRatios ?? DEFAULT_ASPECT_RATIOS;
  const interpolated = config.interpolatedScaleAspectRatio ?? 1.0;
  const reduce = config.reduceBoxesInLowestLayer ?? true;
  if (layers === 0) throw new TinyedgeError('TE403', 'SSD anchors: no feature maps');
  if (config.scales && config.scales.length !== layers) {
    throw new TinyedgeError('TE403', `SSD anchors: ${config.scales.length} scales for ${layers} feature maps`);
  }
  if (!config.scales && layers === 1)
    throw new TinyedgeError(
      'TE403',
      'SSD anchors: one feature map needs explicit scales (min/max interpolate between two or more)',
    );
  // A trailing 1.0 is only the "next" scale of the last layer's interpolated box.
  const scales = [
    ...(config.scales ??
      Array.from({ length: layers }, (_, i) => minScale + ((maxScale - minScale) * i) / (layers - 1))),
    1.0,
  ];
  return scales.slice(0, layers).map((scale, layer) => {
    if (layer === 0 && reduce)
      return [
        [0.1, 1.0],
        [scale, 2.0],
        [scale, 0.5],
      ];
    const specs: BoxSpec[] = aspectRatios.map((r) => [scale, r]);
    if (interpolated > 0) specs.push([Math.sqrt(scale * scales[layer + 1]!), interpolated]);
    return specs;
  });
}

/** How many anchors each layer places at every location (the box predictor's boxes per cell). */
export function anchorsPerLocation(config: SsdAnchorConfig): number[] {
  return boxSpecs(config).map((specs) => specs.length);
}

/** Pairs given per layer must be one per feature map. */
function checkPerLayer(pairs: [number, number][] | undefined, what: string, layers: number): void {
  if (pairs && pairs.length !== layers)
    throw new TinyedgeError('TE403', `SSD anchors: ${pairs.length} ${what} for ${layers} feature maps`);
}

/**
 * Anchors [anchors × 4] as (yCenter, xCenter, height, width), normalized, in TF OD API's order: feature map, then
 * row (y), column (x), then box spec (fastest).
 */
export function generateSsdAnchors(config: SsdAnchorConfig): Float32Array {
  const specs = boxSpecs(config);
  const layers = config.featureMaps.length;
  checkPerLayer(config.anchorStrides, 'anchor strides', layers);
  checkPerLayer(config.anchorOffsets, 'anchor offsets', layers);
  for (const [h, w] of config.featureMaps) {
    if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0))
      throw new TinyedgeError('TE403', `SSD anchors: feature map ${h}×${w} is not a positive integer size`);
  }
  const imH = config.imageHeight ?? 1;
  const imW = config.imageWidth ?? 1;
  // Base size is relative to the shorter side, so equal base height and width give square boxes on any image.
  const shorter = Math.min(imH, imW);
  const [baseH, baseW] = config.baseAnchorSize ?? [1.0, 1.0];
  const baseHeight = (shorter / imH) * baseH;
  const baseWidth = (shorter / imW) * baseW;
  const total = specs.reduce((n, s, l) => n + s.length * config.featureMaps[l]![0] * config.featureMaps[l]![1], 0);
  const anchors = new Float32Array(total * 4);
  let at = 0;
  specs.forEach((layerSpecs, l) => {
    const [gridH, gridW] = config.featureMaps[l]!;
    const stride = config.anchorStrides
      ? [config.anchorStrides[l]![0] / imH, config.anchorStrides[l]![1] / imW]
      : [1 / gridH, 1 / gridW];
    const offset = config.anchorOffsets
      ? [config.anchorOffsets[l]![0] / imH, config.anchorOffsets[l]![1] / imW]
      : [0.5 * stride[0]!, 0.5 * stride[1]!];
    const sizes = layerSpecs.map(([scale, ratio]) => [
      (scale / Math.sqrt(ratio)) * baseHeight,
      scale * Math.sqrt(ratio) * baseWidth,
    ]);
    for (let y = 0; y < gridH; y++) {
      for (let x = 0; x < gridW; x++) {
        for (const [h, w] of sizes) {
          anchors[at++] = y * stride[0]! + offset[0]!;
          anchors[at++] = x * stride[1]! + offset[1]!;
          anchors[at++] = h!;
          anchors[at++] = w!;
        }
      }
    }
  });
  return anchors;
}
