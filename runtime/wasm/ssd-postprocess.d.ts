/** The compiler's tables of an int8 detector (model.json's `detection.tables`); the 256-entry tables are indexed by code + 128. */
export interface SsdTables {
  anchors: ArrayLike<number>;
  anchorCount: number;
  columns: number;
  firstClass: number;
  score: ArrayLike<number>;
  minScoreCode: number;
  ty: ArrayLike<number>;
  tx: ArrayLike<number>;
  eh: ArrayLike<number>;
  ew: ArrayLike<number>;
  iouThreshold: number;
  maxDetections: number;
  classAgnostic: boolean;
}

/** One detection: class (background excluded), f32 score, box [ymin, xmin, ymax, xmax] normalized, anchor. */
export interface Detection {
  classIndex: number;
  score: number;
  box: [number, number, number, number];
  anchor: number;
}

/** SSD post-processing of one detector in WebAssembly, bit-exact with tinyedge's TypeScript reference and C runtime. */
export declare class SsdPostprocessor {
  static load(bytes: ArrayBuffer | Uint8Array, tables: SsdTables): Promise<SsdPostprocessor>;
  readonly tables: SsdTables;
  detect(boxes: Int8Array, scores: Int8Array): Detection[];
}
