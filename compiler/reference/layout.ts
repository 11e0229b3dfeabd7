/** @fileoverview Reference kernels that only move data, for any element type: pad (with a constant value) and concat. */
import { sizeOf } from '../ir/tensor.ts';

/** A typed array of any element type the interpreters use. */
export type Elements = Float32Array | Int8Array | Int16Array | Int32Array;

/** A new typed array of the same kind as `like`, of length n. */
export function alike<T extends Elements>(like: T, n: number): T {
  return new (like.constructor as new (n: number) => T)(n);
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Pads every dimension by [before, after] with `value`. */
export function padElements<T extends Elements>(
  x: T,
  shape: readonly number[],
  pads: readonly [number, number][],
  value: number,
): T {
  const outShape = shape.map((d, i) => d + pads[i]![0] + pads[i]![1]);
  const y = alike(x, sizeOf(outShape));
  y.fill(value);
  const os = stridesOf(outShape);
  const last = shape.length - 1;
  const rowLen = shape[last]!;
  const rows = rowLen === 0 ? 0 : x.length / rowLen;
  const idx = new Array<number>(last).fill(0);
  for (let r = 0; r < rows; r++) {
    let o = pads[last]![0];
    for (let d = 0; d < last; d++) o += (idx[d]! + pads[d]![0]) * os[d]!;
    y.set(x.subarray(r * rowLen, (r + 1) * rowLen) as never, o);
    for (let d = last - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return y;
}

/** Concatenates along `axis`. */
export function concatElements<T extends Elements>(
  xs: readonly T[],
  shapes: readonly (readonly number[])[],
  axis: number,
): T {
  const outer = sizeOf(shapes[0]!.slice(0, axis));
  const chunks = shapes.map((s) => sizeOf(s.slice(axis)));
  const y = alike(xs[0]!, outer * chunks.reduce((a, b) => a + b, 0));
  let o = 0;
  for (let r = 0; r < outer; r++) {
    xs.forEach((x, i) => {
      y.set(x.subarray(r * chunks[i]!, (r + 1) * chunks[i]!) as never, o);
      o += chunks[i]!;
    });
  }
  return y;
}
