/**
 * @fileoverview TFLM's own figures for the models it ships, measured by TFLM on the qemu boards tinyedge's Cortex-M
 * targets use (models/tflm/README.md), so `bench` can print them beside ours. Keyed by the model file's sha256: a
 * figure belongs to exactly that file.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** What TFLM measured for one model. */
export interface TflmFigures {
  model: string;
  /** `arena_used_bytes()`: activations plus TFLM's per-tensor and per-op metadata. */
  arenaBytes: number;
  /** The activations' share of the arena. */
  activationBytes: number;
  /** The .tflite file, which TFLM keeps in flash (its code comes on top). */
  fileBytes: number;
  /** Instructions per inference by target: with CMSIS-NN kernels and with TFLM's reference kernels. */
  instructions: Record<string, { cmsisNn: number; reference: number }>;
}

const FIGURES: Record<string, TflmFigures> = {
  '808cfdfc0cf3a6fa6f6fa26bfa379ea97c16d5db7334637766e39c3408502e9d': {
    model: 'person_detect.tflite (TFLM person detection, MobileNetV1 0.25, 96×96×1)',
    arenaBytes: 82292,
    activationBytes: 55296,
    fileBytes: 300568,
    instructions: {
      'cortex-m4': { cmsisNn: 22.9e6, reference: 95.6e6 },
      'cortex-m7': { cmsisNn: 22.7e6, reference: 96.6e6 },
      'cortex-m55': { cmsisNn: 6.5e6, reference: 91.4e6 },
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
