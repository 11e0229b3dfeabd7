/** @fileoverview f32 reference kernels that only move data: pad (with a constant value) and concat. Reshape shares its input. */
import { sizeOf } from '../../ir/tensor.ts';

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Pads every dimension by [before, after] with `value`. */
export function padF32(x: Float32Array, shape: readonly number[], pads: readonly [number, number][], value: number): Float32Array {
  const outShape = shape.map((d, i) => d + pads[i][0] + pads[i][1]);
  const y = new Float32Array(sizeOf(outShape)).fill(value);
  const os = stridesOf(outShape);
  const last = shape.length - 1;
  const rowLen = shape[last];
  const rows = x.length / rowLen;
  const idx = new Array<number>(last).fill(0);
  for (let r = 0; r < rows; r++) {
    let o = pads[last][0];
    for (let d = 0; d < last; d++) o += (idx[d] + pads[d][0]) * os[d];
    y.set(x.subarray(r * rowLen, (r + 1) * rowLen), o);
    for (let d = last - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return y;
}

/** Concatenates along `axis`. */
export function concatF32(xs: readonly Float32Array[], shapes: readonly (readonly number[])[], axis: number): Float32Array {
  const outer = sizeOf(shapes[0].slice(0, axis));
  const chunks = shapes.map((s) => sizeOf(s.slice(axis)));
  const y = new Float32Array(outer * chunks.reduce((a, b) => a + b, 0));
  let o = 0;
  for (let r = 0; r < outer; r++) {
    xs.forEach((x, i) => {
      y.set(x.subarray(r * chunks[i], (r + 1) * chunks[i]), o);
      o += chunks[i];
    });
  }
  return y;
}
