/** @fileoverview Numpy-style broadcasting of a binary elementwise op, shared by the f32 and int8 interpreters. */
import { broadcastStrides, sizeOf } from '../ir/tensor.ts';

/** y[i] = f(a[ia], b[ib]) over the broadcast output shape, written into `y`. */
export function broadcastBinary(
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
  outShape: readonly number[],
  y: { [i: number]: number; length: number },
  f: (x: number, z: number) => number,
): void {
  const n = sizeOf(outShape);
  if (a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) y[i] = f(a[i]!, b[i]!);
    return;
  }
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const idx = new Array<number>(outShape.length).fill(0);
  let ia = 0;
  let ib = 0;
  for (let i = 0; i < n; i++) {
    y[i] = f(a[ia]!, b[ib]!);
    // Odometer increment of the output index, moving both input offsets along.
    for (let d = outShape.length - 1; d >= 0; d--) {
      idx[d]!++;
      ia += sa[d]!;
      ib += sb[d]!;
      if (idx[d]! < outShape[d]!) break;
      ia -= sa[d]! * outShape[d]!;
      ib -= sb[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
}
