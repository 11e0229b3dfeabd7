/** @fileoverview Integer (int8, int16) reference kernels of pooling and mean, with TFLite's round-half-away integer division. */

import { clampInt, multiplyByQuantizedMultiplier as mbqm } from '../../arith/fixed-point.ts';
import type { Window2d } from '../../ir/window.ts';
import { alike } from '../layout.ts';
import { poolWindows } from '../pool-windows.ts';
import { reducedSize, reductionTargets } from '../reduce-axes.ts';
import type { Activations } from './conv.ts';

/** The range of the activations' integer type. */
function rangeOf(x: Activations): [number, number] {
  return x instanceof Int8Array ? [-128, 127] : [-32768, 32767];
}

/** C's (acc ± ⌊n/2⌋) / n with truncating division: acc/n rounded half away from zero. */
export function roundedDivide(acc: number, n: number): number {
  const half = Math.floor(n / 2);
  return Math.trunc((acc > 0 ? acc + half : acc - half) / n) | 0;
}

/** Average (over in-bounds elements) or max pooling sharing one quantization in and out. */
export function poolInt8<T extends Activations>(
  x: T,
  g: Window2d,
  kind: 'avg' | 'max',
  actMin: number,
  actMax: number,
): T {
  const y = alike(x, g.n * g.oh * g.ow * g.c);
  poolWindows(x, g, kind, new Int32Array(g.c), rangeOf(x)[0], (yb, acc, count) => {
    for (let c = 0; c < g.c; c++)
      y[yb + c] = clampInt(kind === 'avg' ? roundedDivide(acc[c]!, count) : acc[c]!, actMin, actMax);
  });
  return y;
}

/** Mean over the given axes: MBQM of the offset sum, then a rounded division by the count. */
export function meanInt8<T extends Activations>(
  x: T,
  shape: readonly number[],
  axes: readonly number[],
  p: { inputOffset: number; multiplier: number; shift: number; count: number; outputOffset: number },
): T {
  const sums = new Int32Array(reducedSize(shape, axes));
  const targets = reductionTargets(shape, axes);
  for (let i = 0; i < x.length; i++) sums[targets[i]!]! += x[i]! + p.inputOffset;
  const [lo, hi] = rangeOf(x);
  const y = alike(x, sums.length);
  sums.forEach((acc, i) => {
    y[i] = clampInt(roundedDivide(mbqm(acc, p.multiplier, p.shift), p.count) + p.outputOffset, lo, hi);
  });
  return y;
}
