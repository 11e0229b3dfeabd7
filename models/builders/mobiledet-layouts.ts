/**
 * @fileoverview The searched MobileDet backbones (Xiong et al., 2021, Fig. 7), as data: one row per block, in TF OD
 * API's ssd_mobiledet_feature_extractor.py order, filters before the width multiplier. The SSD head reads the
 * endpoints C4 (stride 16) and C5 (stride 32).
 */
import type { Activation, BlockOptions } from './mobiledet-blocks.ts';

/** One block: its kind, output filters (before the multiplier) and options; `endpoint` marks C4 and C5. */
export type BlockRow =
  | { kind: 'stem'; filters: number }
  | { kind: 'ibn' | 'fused' | 'ibn_no_expansion'; filters: number; options?: BlockOptions; endpoint?: 'C4' | 'C5' }
  | { kind: 'tucker'; filters: number; ranks: [number, number]; options?: BlockOptions; endpoint?: 'C4' | 'C5' };

/** A MobileDet backbone: its activation, whether IBNs squeeze-and-excite (CPU) and its blocks. */
export interface MobileDetLayout {
  activation: Activation;
  squeezeExcite: boolean;
  blocks: BlockRow[];
}

const S2 = { stride: 2, residual: false };
const NR = { residual: false };

/** MobileDet-CPU: IBNs only, with squeeze-and-excite and swish6. */
const CPU: MobileDetLayout = {
  activation: 'swish6',
  squeezeExcite: true,
  blocks: [
    { kind: 'stem', filters: 16 },
    { kind: 'ibn_no_expansion', filters: 8 },
    { kind: 'ibn', filters: 16, options: { expansion: 4, ...S2 } },
    { kind: 'ibn', filters: 32, options: { expansion: 8, ...S2 } },
    { kind: 'ibn', filters: 32, options: { expansion: 4 } },
    { kind: 'ibn', filters: 32, options: { expansion: 4 } },
    { kind: 'ibn', filters: 32, options: { expansion: 4 } },
    { kind: 'ibn', filters: 72, options: { kernel: 5, expansion: 8, ...S2 } },
    { kind: 'ibn', filters: 72, options: { expansion: 8 } },
    { kind: 'ibn', filters: 72, options: { kernel: 5, expansion: 4 } },
    { kind: 'ibn', filters: 72, options: { expansion: 4 } },
    { kind: 'ibn', filters: 72, options: { expansion: 8, ...NR } },
    { kind: 'ibn', filters: 72, options: { expansion: 8 } },
    { kind: 'ibn', filters: 72, options: { expansion: 8 } },
    { kind: 'ibn', filters: 72, options: { expansion: 8 }, endpoint: 'C4' },
    { kind: 'ibn', filters: 104, options: { kernel: 5, expansion: 8, ...S2 } },
    { kind: 'ibn', filters: 104, options: { kernel: 5, expansion: 4 } },
    { kind: 'ibn', filters: 104, options: { kernel: 5, expansion: 4 } },
    { kind: 'ibn', filters: 104, options: { expansion: 4 } },
    { kind: 'ibn', filters: 144, options: { expansion: 8, ...NR }, endpoint: 'C5' },
  ],
};

/** MobileDet-DSP: fused IBNs and Tucker convolutions in the early stages, where full convolutions run well on a DSP. */
const DSP: MobileDetLayout = {
  activation: 'relu6',
  squeezeExcite: false,
  blocks: [
    { kind: 'stem', filters: 32 },
    { kind: 'ibn_no_expansion', filters: 24 },
    { kind: 'fused', filters: 32, options: { expansion: 4, ...S2 } },
    { kind: 'fused', filters: 32, options: { expansion: 4 } },
    { kind: 'ibn', filters: 32, options: { expansion: 4 } },
    { kind: 'tucker', filters: 32, ranks: [0.25, 0.75] },
    { kind: 'fused', filters: 64, options: { expansion: 8, ...S2 } },
    { kind: 'ibn', filters: 64, options: { expansion: 4 } },
    { kind: 'fused', filters: 64, options: { expansion: 4 } },
    { kind: 'fused', filters: 64, options: { expansion: 4 } },
    { kind: 'fused', filters: 120, options: { expansion: 8, ...S2 } },
    { kind: 'ibn', filters: 120, options: { expansion: 4 } },
    { kind: 'ibn', filters: 120, options: { expansion: 8 } },
    { kind: 'ibn', filters: 120, options: { expansion: 8 } },
    { kind: 'fused', filters: 144, options: { expansion: 8, ...NR } },
    { kind: 'ibn', filters: 144, options: { expansion: 8 } },
    { kind: 'ibn', filters: 144, options: { expansion: 8 } },
    { kind: 'ibn', filters: 144, options: { expansion: 8 }, endpoint: 'C4' },
    { kind: 'ibn', filters: 160, options: { expansion: 4, ...S2 } },
    { kind: 'ibn', filters: 160, options: { expansion: 4 } },
    { kind: 'fused', filters: 160, options: { expansion: 4 } },
    { kind: 'tucker', filters: 160, ranks: [0.75, 0.75] },
    { kind: 'ibn', filters: 240, options: { expansion: 8, ...NR }, endpoint: 'C5' },
  ],
};

/** MobileDet-EdgeTPU: fused IBNs up to stride 8, IBNs after, a Tucker convolution first. */
const EDGETPU: MobileDetLayout = {
  activation: 'relu6',
  squeezeExcite: false,
  blocks: [
    { kind: 'stem', filters: 32 },
    { kind: 'tucker', filters: 16, ranks: [0.25, 0.75], options: NR },
    { kind: 'fused', filters: 16, options: { expansion: 8, ...S2 } },
    { kind: 'fused', filters: 16, options: { expansion: 4 } },
    { kind: 'fused', filters: 16, options: { expansion: 8 } },
    { kind: 'fused', filters: 16, options: { expansion: 4 } },
    { kind: 'fused', filters: 40, options: { expansion: 8, kernel: 5, ...S2 } },
    { kind: 'fused', filters: 40, options: { expansion: 4 } },
    { kind: 'fused', filters: 40, options: { expansion: 4 } },
    { kind: 'fused', filters: 40, options: { expansion: 4 } },
    { kind: 'ibn', filters: 72, options: { expansion: 8, ...S2 } },
    { kind: 'ibn', filters: 72, options: { expansion: 8 } },
    { kind: 'fused', filters: 72, options: { expansion: 4 } },
    { kind: 'fused', filters: 72, options: { expansion: 4 } },
    { kind: 'ibn', filters: 96, options: { expansion: 8, kernel: 5, ...NR } },
    { kind: 'ibn', filters: 96, options: { expansion: 8, kernel: 5 } },
    { kind: 'ibn', filters: 96, options: { expansion: 8 } },
    { kind: 'ibn', filters: 96, options: { expansion: 8 }, endpoint: 'C4' },
    { kind: 'ibn', filters: 120, options: { expansion: 8, kernel: 5, ...S2 } },
    { kind: 'ibn', filters: 120, options: { expansion: 8 } },
    { kind: 'ibn', filters: 120, options: { expansion: 4, kernel: 5 } },
    { kind: 'ibn', filters: 120, options: { expansion: 8 } },
    { kind: 'ibn', filters: 384, options: { expansion: 8, kernel: 5, ...NR }, endpoint: 'C5' },
  ],
};

/** The MobileDet variants, by the accelerator they were searched for. */
export const MOBILEDET_LAYOUTS = { cpu: CPU, dsp: DSP, edgetpu: EDGETPU } as const;

/** A MobileDet variant's name. */
export type MobileDetVariant = keyof typeof MOBILEDET_LAYOUTS;
