/** @fileoverview What the load stage hands the pipeline: an imported IR graph and what running it needs. */

import type { CwtConfig } from '../audio/cwt-kernels.ts';
import type { Graph } from '../ir/graph.ts';

/** How pixels become input values: x = pixel·scale + offset, after resizing to the input's height and width. */
export interface ImagePreprocessing {
  scale: number;
  offset: number;
}

/** A model ready for the pipeline. */
export interface LoadedModel {
  /** What the user asked for (`nsfwjs:mobilenet_v2_mid` or a path). */
  spec: string;
  graph: Graph;
  labels?: string[];
  preprocessing: ImagePreprocessing;
  /** True for a quantized model (a tinyedge artifact, an int8 .tflite or .onnx): the graph is already int8 or 16×8. */
  quantized: boolean;
  /** A tinyedge artifact's source: the model `quantize` was given (a name or a path). */
  madeFrom?: string;
  /** An audio model's front end: its input is the CWT scalogram of a WAV clip (not an image; `preprocessing` unused). */
  audio?: CwtConfig;
}
