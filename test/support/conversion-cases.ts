/**
 * @fileoverview TFLite's QUANTIZE between int8 and int16 as kernel cases: the graph, the conversions every backend
 * checks, and their seeded inputs over each type's whole range.
 */

import { NO_CLAMP } from '../../compiler/ir/attrs.ts';
import { type Graph, GraphBuilder, tensorOf } from '../../compiler/ir/graph.ts';
import { type ActivationType, RANGE_OF } from '../../compiler/quantize/prepare/quant-params.ts';
import type { Activations } from '../../compiler/reference/integer/conv.ts';
import { seededUniform } from './seeded.ts';

/** TFLite's QUANTIZE between int8 and int16 (a clamp node): x (`from`) → y (`to`), rescaling up and down and saturating. */
export function conversionGraph(from: ActivationType, to: ActivationType, outScale: number): Graph {
  const b = new GraphBuilder('test');
  b.input('x', [3, 40], from);
  b.graph.outputs.push(b.node('clamp', 'quantize', ['x'], { clamp: NO_CLAMP }));
  Object.assign(tensorOf(b.graph, 'x'), { quant: { scale: [0.02], zeroPoint: [from === 'int8' ? 5 : 0] } });
  Object.assign(tensorOf(b.graph, 'quantize'), {
    dtype: to,
    quant: { scale: [outScale], zeroPoint: [to === 'int8' ? -3 : 0] },
  });
  return b.graph;
}

/** The conversions every backend checks (from, to, output scale; the input scale is 0.02). */
export const CONVERSION_CASES: readonly (readonly [ActivationType, ActivationType, number])[] = [
  ['int8', 'int16', 0.0005],
  ['int16', 'int8', 0.03],
  ['int16', 'int8', 2],
  ['int16', 'int16', 0.07],
];

/** Seeded values over the whole range of `type`: a conversion's input. */
export function conversionInput(type: ActivationType): Activations {
  const [lo, hi] = RANGE_OF[type];
  const values = seededUniform(7, 120, lo, hi + 1).map(Math.floor);
  return type === 'int8' ? Int8Array.from(values) : Int16Array.from(values);
}
