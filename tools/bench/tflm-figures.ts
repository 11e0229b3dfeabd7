/**
 * @fileoverview TFLM's own figures for the models it ships and for MLPerf Tiny's four reference models, measured by
 * TFLM + CMSIS-NN on the qemu boards tinyedge's Cortex-M targets use (models/tflm/README.md and
 * models/mlperf-tiny/README.md), so `bench` can print them beside ours. Keyed by the model file's sha256:
 * a figure belongs to exactly that file.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** What TFLM measured for one model. */
export interface TflmFigures {
  model: string;
  /** Where the figures come from (file and table). */
  source: string;
  /** `arena_used_bytes()` on Cortex-M4 (and on the other boards unless `arenaBytesOn` says otherwise). */
  arenaBytes: number;
  /** `arena_used_bytes()` where a board's build differs from Cortex-M4's (TFLM's Helium kernels on Cortex-M55). */
  arenaBytesOn?: Record<string, number>;
  /** The activations' share of the arena, where TFLM reported it. */
  activationBytes?: number;
  /** The .tflite file, which TFLM keeps in flash (its code comes on top). */
  fileBytes: number;
  /** .text of TFLM's own objects and of CMSIS-NN's on Cortex-M4, where measured. */
  runtimeCodeBytes?: { tflm: number; cmsisNn: number };
  /** Instructions per inference by target: with CMSIS-NN kernels and, where measured, TFLM's reference kernels. */
  instructions: Record<string, { cmsisNn: number; reference?: number }>;
}

/** Where the MLPerf Tiny rows come from (a folder beside the repository, see tools/bench/mlperf-tiny-figures.ts). */
const MLPERF_README = "models/mlperf-tiny/README.md, table 'TFLM + CMSIS-NN measured on our qemu boards'";
/** Kilobytes as the README rounds them, in bytes. */
const kb = (n: number) => Math.round(n * 1024);

const FIGURES: Record<string, TflmFigures> = {
  '808cfdfc0cf3a6fa6f6fa26bfa379ea97c16d5db7334637766e39c3408502e9d': {
    model: 'person_detect.tflite (TFLM person detection, MobileNetV1 0.25, 96×96×1)',
    source: 'models/tflm/README.md',
    arenaBytes: 82292,
    activationBytes: 55296,
    fileBytes: 300568,
    instructions: {
      'cortex-m4': { cmsisNn: 22.9e6, reference: 95.6e6 },
      'cortex-m7': { cmsisNn: 22.7e6, reference: 96.6e6 },
      'cortex-m55': { cmsisNn: 6.5e6, reference: 91.4e6 },
    },
  },
  '597a384c8c2c8a1276f04702f25013b7838f2f814f1ca7c174d295b73e3d6b7b': {
    model: 'vww_96_int8.tflite (MLPerf Tiny visual wake words, MobileNetV1 0.25, 96×96×3)',
    source: `${MLPERF_README}, row vww_96_int8`,
    arenaBytes: 100708,
    arenaBytesOn: { 'cortex-m55': 100772 },
    fileBytes: 333288,
    runtimeCodeBytes: { tflm: kb(29.7), cmsisNn: kb(50.9) },
    instructions: {
      'cortex-m4': { cmsisNn: 24102752, reference: 100252243 },
      'cortex-m7': { cmsisNn: 24026376 },
      'cortex-m55': { cmsisNn: 6559126 },
    },
  },
  aeea436800704fce17b17292e4412630ad856e9d777c044c64ef748a880bd0ae: {
    model: 'kws_ref_model.tflite (MLPerf Tiny keyword spotting, DS-CNN, 49×10×1)',
    source: `${MLPERF_README}, row kws_ref_model`,
    arenaBytes: 22820,
    arenaBytesOn: { 'cortex-m55': 27348 },
    fileBytes: 53936,
    runtimeCodeBytes: { tflm: kb(29.7), cmsisNn: kb(50.9) },
    instructions: {
      'cortex-m4': { cmsisNn: 7698751, reference: 43042031 },
      'cortex-m7': { cmsisNn: 7644536 },
      'cortex-m55': { cmsisNn: 1814576 },
    },
  },
  '3c002613d1b2475eb51dd78dfb85a546c8ae658dee71cf6ade43b022fe205415': {
    model: 'pretrainedResnet_quant.tflite (MLPerf Tiny image classification, ResNet-8, 32×32×3)',
    source: `${MLPERF_README}, row pretrainedResnet_quant`,
    arenaBytes: 54996,
    arenaBytesOn: { 'cortex-m55': 55028 },
    fileBytes: 98496,
    runtimeCodeBytes: { tflm: kb(34.0), cmsisNn: kb(41.4) },
    instructions: {
      'cortex-m4': { cmsisNn: 29863536, reference: 107401235 },
      'cortex-m7': { cmsisNn: 30026230 },
      'cortex-m55': { cmsisNn: 4911579 },
    },
  },
  '87cf24194ef93d1d9b11a591d805526b98008e351655d29883c825c9c106ba24': {
    model: 'ad01_int8.tflite (MLPerf Tiny anomaly detection, FC autoencoder, 640)',
    source: `${MLPERF_README}, row ad01_int8`,
    arenaBytes: 2580,
    arenaBytesOn: { 'cortex-m55': 9268 },
    fileBytes: 276976,
    runtimeCodeBytes: { tflm: kb(14.9), cmsisNn: kb(13.3) },
    instructions: {
      'cortex-m4': { cmsisNn: 583265, reference: 1952704 },
      'cortex-m7': { cmsisNn: 583533 },
      'cortex-m55': { cmsisNn: 150290 },
    },
  },
};

/** TFLM's figures for the model in `file`, if it is one TFLM measured. */
export function tflmFiguresOf(file: string): TflmFigures | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  return FIGURES[createHash('sha256').update(bytes).digest('hex')];
}

/** TFLM's `arena_used_bytes()` on `target`'s board. */
export function tflmArenaBytesOn(f: TflmFigures, target: string): number {
  return f.arenaBytesOn?.[target] ?? f.arenaBytes;
}
