/**
 * @fileoverview TF's StridedSlice where it only adds or removes axes of size 1 (what `x[tf.newaxis]` and `x[0]` on a
 * batch of one compile to): the output shape, so it maps to a reshape. A slice that drops any element fails, since
 * the IR has no slice op.
 */
import { TinyedgeError } from '../../errors.ts';
import { formatShape } from '../../ir/tensor.ts';

/** The constant operands and mask attributes of a StridedSlice. */
export interface StridedSliceSpec {
  begin: number[];
  end: number[];
  strides: number[];
  beginMask: number;
  endMask: number;
  ellipsisMask: number;
  newAxisMask: number;
  shrinkAxisMask: number;
}

const bit = (mask: number, j: number) => ((mask >> j) & 1) === 1;

/** The output shape of a StridedSlice that keeps every element of `shape`; fails when it would drop some. */
export function reshapingStridedSlice(shape: readonly number[], s: StridedSliceSpec): number[] {
  if (s.ellipsisMask !== 0) throw new TinyedgeError('TE110', 'StridedSlice with an ellipsis is not supported');
  if (s.begin.length !== s.end.length || s.begin.length !== s.strides.length) {
    throw new TinyedgeError(
      'TE110',
      `begin, end and strides have different lengths (${s.begin.length}, ${s.end.length}, ${s.strides.length})`,
    );
  }
  const crops = (axis: number) =>
    new TinyedgeError(
      'TE110',
      `StridedSlice takes part of axis ${axis} of ${formatShape(shape)}: slicing is not supported (only adding or removing axes of size 1)`,
    );
  const out: number[] = [];
  let axis = 0;
  for (let j = 0; j < s.begin.length; j++) {
    if (bit(s.newAxisMask, j)) {
      out.push(1);
      continue;
    }
    const size = shape[axis];
    if (size === undefined)
      throw new TinyedgeError(
        'TE110',
        `StridedSlice indexes axis ${axis} but the input ${formatShape(shape)} has rank ${shape.length}`,
      );
    const stride = s.strides[j];
    const norm = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
    const begin = bit(s.beginMask, j) ? 0 : norm(s.begin[j]!);
    const end = bit(s.endMask, j) ? size : norm(s.end[j]!);
    if (bit(s.shrinkAxisMask, j)) {
      // x[i] keeps everything only when the axis holds one element.
      if (size !== 1 || begin !== 0) throw crops(axis);
    } else {
      if (stride !== 1 || begin !== 0 || end !== size) throw crops(axis);
      out.push(size);
    }
    axis++;
  }
  return [...out, ...shape.slice(axis)];
}
