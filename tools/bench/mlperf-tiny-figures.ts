/**
 * @fileoverview MLPerf Tiny as `tinyedge bench --suite mlperf-tiny` runs it: its four closed-division reference models
 * (models/mlperf-tiny/, or --models-dir) plus TFLM's person_detect,
 * and the best published MLPerf Tiny results per core (models/mlperf-tiny/README.md, table 'The best
 * published results', from mlcommons/tiny_results_v1.0 … v1.3, closed/<submitter>/results/<system>/<benchmark>/
 * performance). Published figures are cycles on real boards: latency × clock.
 */

/** One model of the suite. */
export interface SuiteModel {
  /** The short name `--models` takes and the table shows. */
  name: string;
  benchmark: string;
  /** The file, in the models folder (`dir: 'models'`) or in the repository (`dir: 'repo'`). */
  file: string;
  dir: 'models' | 'repo';
  /** A raw input in the repository; without one the model gets bench's default input (photo or seeded tensor). */
  input?: string;
  /**
   * TFLM's output on the README's seed-1 input (Python's random.Random(1), python-random.ts; for the autoencoder
   * the first 16 of its 640 values): the suite feeds that input and checks its output against this.
   */
  tflmSeed1Output?: readonly number[];
}

/** The suite's models, in the order of the table. */
export const MLPERF_TINY_MODELS: readonly SuiteModel[] = [
  {
    name: 'vww',
    benchmark: 'visual wake words (MobileNetV1 0.25)',
    file: 'vww_96_int8.tflite',
    dir: 'models',
    tflmSeed1Output: [121, -121],
  },
  {
    name: 'kws',
    benchmark: 'keyword spotting (DS-CNN)',
    file: 'kws_ref_model.tflite',
    dir: 'models',
    tflmSeed1Output: [-128, -128, -128, -128, -128, -128, -128, -128, -128, -36, -128, 36],
  },
  {
    name: 'ic',
    benchmark: 'image classification (ResNet-8)',
    file: 'pretrainedResnet_quant.tflite',
    dir: 'models',
    tflmSeed1Output: [-128, -128, -128, -122, -128, -128, 122, -128, -128, -128],
  },
  {
    name: 'ad',
    benchmark: 'anomaly detection (FC autoencoder)',
    file: 'ad01_int8.tflite',
    dir: 'models',
    tflmSeed1Output: [-14, 19, 13, 31, 54, 74, 48, 44, 42, 48, 43, 49, 47, 44, 39, 40],
  },
  {
    name: 'person_detect',
    benchmark: "TFLM's person detection (MobileNetV1 0.25)",
    file: 'models/tflm/person_detect.tflite',
    dir: 'repo',
    input: 'models/tflm/person.u8',
  },
];

/** One published MLPerf Tiny result: the latency on a board, as cycles at its clock. */
export interface PublishedResult {
  stack: string;
  board: string;
  clockMHz: number;
  ms: number;
}

/** Cycles of a published result (ms × MHz × 1000). */
export const publishedCycles = (r: PublishedResult): number => Math.round(r.ms * r.clockMHz * 1000);

const L4R5 = 'STM32L4R5ZI';
const H7A3 = 'STM32H7A3ZI-Q';
const XCUBE = 'X-CUBE-AI 9.0 (v1.2)';
const PLUMERAI = 'Plumerai 2023.05 (v1.1)';
const TFLM_REF = 'TFLM 2.3.1 + CMSIS-NN, reference submission (v0.5)';

/** Published results by core and suite model (no MLPerf Tiny round has a Cortex-M55 system). */
const PUBLISHED: Record<string, Record<string, PublishedResult[]>> = {
  'cortex-m4': {
    vww: [
      { stack: XCUBE, board: L4R5, clockMHz: 120, ms: 88.9 },
      { stack: PLUMERAI, board: L4R5, clockMHz: 120, ms: 98.8 },
      { stack: TFLM_REF, board: L4R5, clockMHz: 120, ms: 600.6 },
    ],
    kws: [
      { stack: XCUBE, board: L4R5, clockMHz: 120, ms: 43.2 },
      { stack: PLUMERAI, board: L4R5, clockMHz: 120, ms: 47.8 },
      { stack: TFLM_REF, board: L4R5, clockMHz: 120, ms: 181.9 },
    ],
    ic: [
      { stack: XCUBE, board: L4R5, clockMHz: 120, ms: 165.1 },
      { stack: PLUMERAI, board: L4R5, clockMHz: 120, ms: 167.8 },
      { stack: TFLM_REF, board: L4R5, clockMHz: 120, ms: 704.2 },
    ],
    ad: [
      { stack: XCUBE, board: L4R5, clockMHz: 120, ms: 5.26 },
      { stack: PLUMERAI, board: L4R5, clockMHz: 120, ms: 4.05 },
      { stack: TFLM_REF, board: L4R5, clockMHz: 120, ms: 10.05 },
    ],
  },
  'cortex-m7': {
    vww: [
      { stack: XCUBE, board: H7A3, clockMHz: 280, ms: 23.8 },
      { stack: PLUMERAI, board: H7A3, clockMHz: 280, ms: 26.8 },
    ],
    kws: [
      { stack: XCUBE, board: H7A3, clockMHz: 280, ms: 11.3 },
      { stack: PLUMERAI, board: H7A3, clockMHz: 280, ms: 13.9 },
    ],
    ic: [
      { stack: XCUBE, board: H7A3, clockMHz: 280, ms: 40.8 },
      { stack: PLUMERAI, board: H7A3, clockMHz: 280, ms: 50.9 },
    ],
    ad: [
      { stack: XCUBE, board: H7A3, clockMHz: 280, ms: 1.23 },
      { stack: PLUMERAI, board: H7A3, clockMHz: 280, ms: 1.35 },
    ],
  },
};

/** The fastest published result for the model on the core, if any round has one. */
export function bestPublished(target: string, model: string): PublishedResult | undefined {
  const results = PUBLISHED[target]?.[model] ?? [];
  return results.reduce<PublishedResult | undefined>((best, r) => (!best || r.ms < best.ms ? r : best), undefined);
}
