/**
 * @fileoverview Transpose by a permutation of axes, for any element type: the shape rule the op table checks, and the
 * element permutation the constant folder and both reference interpreters share (NHWC row-major).
 */
import { TinyedgeError } from '../errors.ts';
import { sizeOf } from './tensor.ts';

/** The output shape of transposing `shape` by `perm` (output axis k is input axis perm[k]); throws unless a permutation. */
export function permutedShape(shape: readonly number[], perm: readonly number[]): number[] {
  const r = shape.length;
  if (perm.length !== r || [...perm].sort((a, b) => a - b).some((v, i) => v !== i))
    throw new TinyedgeError('TE107', `perm [${perm.join(', ')}] is not a permutation of ${r} axes`);
  return perm.map((d) => shape[d]!);
}

/** The elements of x (shape `shape`) transposed by `perm`, into a new array made by `make`. */
export function permuteElements<T extends { [i: number]: number; length: number }>(
  x: T,
  shape: readonly number[],
  perm: readonly number[],
  make: (n: number) => T,
): T {
  const out = permutedShape(shape, perm);
  const inStrides = new Array<number>(shape.length);
  for (let d = shape.length - 1, s = 1; d >= 0; s *= shape[d]!, d--) inStrides[d] = s;
  // Output axis k walks input axis perm[k]: an odometer over the output, the input offset kept alongside.
  const strides = perm.map((d) => inStrides[d]!);
  const y = make(sizeOf(out));
  const index = new Array<number>(out.length).fill(0);
  let at = 0;
  for (let i = 0; i < y.length; i++) {
    y[i] = x[at]!;
    for (let k = out.length - 1; k >= 0; k--) {
      index[k]!++;
      at += strides[k]!;
      if (index[k]! < out[k]!) break;
      at -= strides[k]! * out[k]!;
      index[k] = 0;
    }
  }
  return y;
}

/**
 * A transpose of rank ≤ 4 as the backends' kernels take it: the output's four dimensions and, for each, the input
 * stride it walks (leading axes of size 1 added); undefined for a higher rank.
 */
export function permutedWalk(
  shape: readonly number[],
  perm: readonly number[],
): { dims: [number, number, number, number]; strides: [number, number, number, number] } | undefined {
  const lead = 4 - shape.length;
  if (lead < 0) return undefined;
  const s4 = [...new Array<number>(lead).fill(1), ...shape];
  const p4 = [...Array.from({ length: lead }, (_, i) => i), ...perm.map((d) => d + lead)];
  const inStrides = [s4[1]! * s4[2]! * s4[3]!, s4[2]! * s4[3]!, s4[3]!, 1];
  return {
    dims: p4.map((d) => s4[d]!) as [number, number, number, number],
    strides: p4.map((d) => inStrides[d]!) as [number, number, number, number],
  };
}
