/**
 * @fileoverview What an SSD-style detector's outputs mean, carried beside the graph from the frontend or builder to
 * the post-processing every runtime runs on device (score conversion, anchor box decoding, NMS, top-k).
 */

/**
 * The score a detection is shown at by default (the CLI's --min-score, the demo page's slider): a model keeps up to its
 * maximum detections above its own, much lower, threshold.
 */
export const DEFAULT_MIN_SCORE = 0.3;

/** The SSD box coder's scale factors, TF OD API's `faster_rcnn_box_coder` (usually y 10, x 10, h 5, w 5). */
export interface BoxScales {
  y: number;
  x: number;
  h: number;
  w: number;
}

/** Post-processing of a detector whose graph ends at raw box encodings and class scores (one row per anchor). */
export interface SsdDetection {
  /** Graph output holding box encodings, shape [1, anchors, 4] in (ty, tx, th, tw) order. */
  boxesOutput: string;
  /** Graph output holding class scores (logits before `scoreConversion`), shape [1, anchors, classes]. */
  scoresOutput: string;
  /** Anchors, [anchors × 4] as (yCenter, xCenter, height, width) in coordinates normalized to [0, 1]. */
  anchors: Float32Array;
  boxScales: BoxScales;
  /** How scores become probabilities: TF OD API's score_converter. */
  scoreConversion: 'sigmoid' | 'identity';
  /** Whether column 0 of the scores is the background class, which is never reported. */
  backgroundClass: boolean;
  /** Class names without the background, when known. */
  labels?: string[];
  /** Defaults of the NMS the model was trained with; the user may override them at run time. */
  scoreThreshold: number;
  iouThreshold: number;
  maxDetections: number;
  /** One NMS over all classes (true) or one per class (false). */
  classAgnostic: boolean;
}
