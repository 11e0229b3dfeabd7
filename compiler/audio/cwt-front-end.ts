/**
 * @fileoverview What the compiler prepares for an audio model's fixed-point CWT front end (the design is in
 * cwt-kernels.ts): its tables and the requantization of column sums to the model's int8 input. The reference
 * (reference/audio/cwt-int.ts) and both backends read it.
 */

import { quantizeMultiplier } from '../arith/fixed-point.ts';
import { TinyedgeError } from '../errors.ts';
import { type Graph, tensorOf } from '../ir/graph.ts';
import type { Quantization } from '../ir/tensor.ts';
import { type CwtConfig, type CwtTables, cwtTables } from './cwt-kernels.ts';

/** How column sums become the model's int8 input: TFLite's requantization to the input tensor's scale and zero point. */
export interface CwtRequantize {
  multiplier: number;
  shift: number;
  zeroPoint: number;
}

/** The requantization for an input tensor of scale `scale`: M / 2^16 is the float feature, so M·1/(2^16·scale). */
export function cwtRequantize(quant: Quantization): CwtRequantize {
  const real = 1 / (65536 * quant.scale[0]!);
  if (!(real < 1))
    throw new TinyedgeError(
      'TE404',
      `CWT: the input scale ${quant.scale[0]} is below 2^-16, finer than the scalogram's own resolution`,
    );
  const { multiplier, shift } = quantizeMultiplier(real);
  return { multiplier, shift, zeroPoint: quant.zeroPoint[0]! };
}

/** What a backend emits for an audio model's front end: the tables and the requantization to its int8 input. */
export interface CwtFrontEnd {
  tables: CwtTables;
  requantize: CwtRequantize;
}

/** The front end of an int8 graph whose input is the scalogram of `config`. */
export function cwtFrontEndOf(g: Graph, config: CwtConfig): CwtFrontEnd {
  const input = tensorOf(g, g.inputs[0]!);
  if (input.dtype !== 'int8' || !input.quant)
    throw new TinyedgeError('TE404', `the CWT front end feeds an int8 input, not ${input.dtype}`, {
      file: g.source,
      node: g.inputs[0],
    });
  return { tables: cwtTables(config), requantize: cwtRequantize(input.quant) };
}
