/**
 * @fileoverview The layers of the MobileDets search space (Xiong et al., 2021), as TF OD API's
 * ssd_mobiledet_feature_extractor.py defines them: inverted bottleneck (IBN), fused IBN, Tucker convolution, the
 * IBN without expansion, squeeze-and-excite and swish6, each with TF's SAME padding and batch norm folded away.
 * Weights are seeded (mulberry32), uniform with variance 1/fan-in; each layer also records the RMS its
 * pre-activation output should have (1, as batch norm would make it; 1/2 on a residual branch), which
 * mobiledet-weight-scaling.ts reaches by scaling the weights on a probe input.
 */

import { type Clamp, NO_CLAMP } from '../../compiler/ir/attrs.ts';
import type { GraphBuilder } from '../../compiler/ir/graph.ts';
import { tfPads } from '../../compiler/ir/padding.ts';
import { tupleOf } from '../../compiler/ir/tuple.ts';
import { SeededWeights } from './seeded-weights.ts';

/** The nonlinearity after a conv: ReLU6, swish6 (x·relu6(x+3)/6, MobileDet-CPU's) or none. */
export type Activation = 'relu6' | 'swish6' | 'linear';

const RELU6: Clamp = { min: 0, max: 6 };

/** Target RMS of a layer's output before its activation: unit, as batch norm makes it; a residual branch half of that. */
const TARGET_RMS = { layer: 1, residualBranch: 0.5 };

/** TF OD API's _scale_filters: filters × multiplier rounded half up to a multiple of 8, at least 8. */
export function scaleFilters(filters: number, multiplier: number): number {
  return Math.max(Math.floor((Math.floor(filters) * multiplier) / 8 + 0.5) * 8, 8);
}

/** Options of the IBN, fused IBN and Tucker blocks (TF OD API's keyword arguments). */
export interface BlockOptions {
  kernel?: number;
  stride?: number;
  expansion?: number;
  residual?: boolean;
  squeezeExcite?: boolean;
  activation?: Activation;
}

/** Adds MobileDet's layers to a graph, each with seeded weights and a bias (batch norm folded). */
export class MobileDetLayers {
  private readonly seeded: SeededWeights;
  /** For each weight tensor, the RMS its layer's output (without bias) should have on the probe input. */
  readonly targetRms = new Map<string, number>();

  constructor(
    readonly b: GraphBuilder,
    seed: number,
  ) {
    this.seeded = new SeededWeights(b, seed);
  }

  /** Channels of a tensor already built. */
  channels(x: string): number {
    return this.b.shapeOf(x)[3]!;
  }

  /** Uniform weights of variance 1/fanIn whose layer should reach `targetRms`, and biases around `biasCenter` (±0.05); returns [weights, bias]. */
  private weights(shape: number[], outC: number, fanIn: number, targetRms: number, biasCenter = 0): [string, string] {
    const [w, bias] = this.seeded.layer(shape, outC, fanIn, 1, biasCenter);
    this.targetRms.set(w, targetRms);
    return [w, bias];
  }

  private pads(x: string, k: number, stride: number) {
    const [, h, w] = tupleOf(this.b.shapeOf(x), 3);
    return tfPads('SAME', h, w, k, k, [stride, stride]);
  }

  /** A regular k×k convolution (SAME) to outC channels followed by `activation`. */
  conv(
    x: string,
    outC: number,
    k: number,
    stride: number,
    activation: Activation,
    name: string,
    targetRms = TARGET_RMS.layer,
    biasCenter?: number,
  ): string {
    const inC = this.channels(x);
    const weights = this.weights([outC, k, k, inC], outC, k * k * inC, targetRms, biasCenter);
    const clamp = activation === 'relu6' ? RELU6 : NO_CLAMP;
    const y = this.b.node('conv2d', name, [x, ...weights], {
      strides: [stride, stride],
      dilations: [1, 1],
      pads: this.pads(x, k, stride),
      clamp,
    });
    return activation === 'swish6' ? this.swish6(y, name) : y;
  }

  /** A k×k depthwise convolution (SAME, multiplier 1) followed by `activation`. */
  depthwise(x: string, k: number, stride: number, activation: Activation, name: string): string {
    const c = this.channels(x);
    const weights = this.weights([1, k, k, c], c, k * k, TARGET_RMS.layer);
    const clamp = activation === 'relu6' ? RELU6 : NO_CLAMP;
    const y = this.b.node('depthwise_conv2d', name, [x, ...weights], {
      strides: [stride, stride],
      dilations: [1, 1],
      pads: this.pads(x, k, stride),
      depthMultiplier: 1,
      clamp,
    });
    return activation === 'swish6' ? this.swish6(y, name) : y;
  }

  /** swish6(x) = x · relu6(x + 3) · 1/6, as TF OD API writes it (the hard swish of MobileNetV3). */
  private swish6(x: string, name: string): string {
    const three = this.b.has('swish6_three')
      ? 'swish6_three'
      : this.b.constant('swish6_three', [1], Float32Array.of(3));
    const sixth = this.b.has('swish6_sixth')
      ? 'swish6_sixth'
      : this.b.constant('swish6_sixth', [1], Float32Array.of(1 / 6));
    const gate = this.b.node('add', `${name}_swish6_gate`, [x, three], { clamp: RELU6 });
    const product = this.b.node('mul', `${name}_swish6_product`, [x, gate], { clamp: NO_CLAMP });
    return this.b.node('mul', `${name}_swish6`, [product, sixth], { clamp: NO_CLAMP });
  }

  /** Squeeze-and-excite: global mean, 1×1 to `hidden` (activation), 1×1 back to the channels (sigmoid), times x. */
  private squeezeExcite(x: string, hidden: number, activation: Activation, name: string): string {
    const pooled = this.b.node('mean', `${name}_se_mean`, [x], { axes: [1, 2], keepDims: true });
    const squeezed = this.conv(pooled, hidden, 1, 1, activation, `${name}_se_reduce`);
    const gate = this.b.node(
      'logistic',
      `${name}_se_gate`,
      [this.conv(squeezed, this.channels(x), 1, 1, 'linear', `${name}_se_expand`)],
      {},
    );
    return this.b.node('mul', `${name}_se`, [x, gate], { clamp: NO_CLAMP });
  }

  /** The 1×1 linear projection closing a block, plus the shortcut when the block is residual. */
  private project(x: string, shortcut: string, filters: number, residual: boolean, name: string): string {
    const y = this.conv(
      x,
      filters,
      1,
      1,
      'linear',
      `${name}_project`,
      residual ? TARGET_RMS.residualBranch : TARGET_RMS.layer,
    );
    return residual ? this.b.node('add', `${name}_add`, [shortcut, y], { clamp: NO_CLAMP }) : y;
  }

  /** Residual only where TF OD API may add the shortcut: same shape in and out. */
  private checkResidual(x: string, filters: number, stride: number, residual: boolean, name: string): boolean {
    if (residual && (stride !== 1 || this.channels(x) !== filters))
      throw new Error(
        `internal: block '${name}' cannot be residual (stride ${stride}, ${this.channels(x)} → ${filters} channels)`,
      );
    return residual;
  }

  /** IBN: 1×1 expansion, k×k depthwise, optional squeeze-and-excite, 1×1 linear projection, shortcut. */
  ibn(x: string, filters: number, name: string, o: BlockOptions = {}): string {
    const { kernel = 3, stride = 1, expansion = 8, activation = 'relu6' } = o;
    const residual = this.checkResidual(x, filters, stride, o.residual ?? true, name);
    const expanded = this.channels(x) * expansion;
    let h = this.conv(x, expanded, 1, 1, activation, `${name}_expand`);
    h = this.depthwise(h, kernel, stride, activation, `${name}_depthwise`);
    if (o.squeezeExcite) h = this.squeezeExcite(h, scaleFilters(expanded, 0.25), activation, name);
    return this.project(h, x, filters, residual, name);
  }

  /** IBN without the expansion (the first block): k×k depthwise, optional squeeze-and-excite, 1×1 linear projection. */
  ibnNoExpansion(x: string, filters: number, name: string, o: BlockOptions = {}): string {
    const { kernel = 3, stride = 1, activation = 'relu6' } = o;
    let h = this.depthwise(x, kernel, stride, activation, `${name}_depthwise`);
    if (o.squeezeExcite) h = this.squeezeExcite(h, scaleFilters(this.channels(x), 0.25), activation, name);
    return this.project(h, x, filters, false, name);
  }

  /** Fused IBN: a regular k×k convolution does the expansion (no depthwise), then the 1×1 linear projection. */
  fused(x: string, filters: number, name: string, o: BlockOptions = {}): string {
    const { kernel = 3, stride = 1, expansion = 8, activation = 'relu6' } = o;
    const residual = this.checkResidual(x, filters, stride, o.residual ?? true, name);
    const h = this.conv(x, this.channels(x) * expansion, kernel, stride, activation, `${name}_expand`);
    return this.project(h, x, filters, residual, name);
  }

  /** Tucker convolution: 1×1 compression to an input rank, regular k×k conv to an output rank, 1×1 linear expansion. */
  tucker(
    x: string,
    filters: number,
    name: string,
    inputRankRatio: number,
    outputRankRatio: number,
    o: BlockOptions = {},
  ): string {
    const { kernel = 3, stride = 1, activation = 'relu6' } = o;
    const residual = this.checkResidual(x, filters, stride, o.residual ?? true, name);
    let h = this.conv(x, scaleFilters(this.channels(x), inputRankRatio), 1, 1, activation, `${name}_compress`);
    h = this.conv(h, scaleFilters(filters, outputRankRatio), kernel, stride, activation, `${name}_core`);
    return this.project(h, x, filters, residual, name);
  }
}
