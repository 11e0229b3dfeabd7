/**
 * @fileoverview TF ops the graph frontend computes at import time when every input is a constant: casts, comparisons,
 * selects, Where, transposes and mirror pads that only shape constants (masks, index tables, weight layouts) never
 * reach the IR. With a computed input most of these ops are post-processing, and the importer refuses them as such.
 */

import { TinyedgeError } from '../../errors.ts';
import { broadcastShapes } from '../../ir/ops.ts';
import { permutedShape, permuteElements } from '../../ir/permutation.ts';
import { broadcastStrides, type DType, sizeOf } from '../../ir/tensor.ts';
import type { TfAttrs } from './tf-node.ts';

/** A constant as the importer keeps it: values as f32 whatever the dtype (bool as 0/1 in uint8). */
export interface TfConstant {
  shape: number[];
  data: Float32Array;
  dtype: DType;
}

/** Computes one TF op's output from its constant inputs. */
type Folder = (inputs: TfConstant[], attrs: TfAttrs) => TfConstant;

function fail(message: string): never {
  throw new TinyedgeError('TE110', message);
}

/** TF dtype → how the importer holds it, and how a value converts to it (TF truncates float to int toward zero). */
const CAST_TARGETS: Record<string, { dtype: DType; convert: (x: number) => number }> = {
  DT_FLOAT: { dtype: 'f32', convert: (x) => x },
  DT_INT32: { dtype: 'int32', convert: (x) => Math.trunc(x) | 0 },
  DT_INT64: { dtype: 'int64', convert: Math.trunc },
  DT_BOOL: { dtype: 'uint8', convert: (x) => (x !== 0 ? 1 : 0) },
  DT_UINT8: { dtype: 'uint8', convert: (x) => Math.trunc(x) & 0xff },
};

/** The coordinates of the flat row-major index `i` in `shape` (constants are small: masks and index tables). */
function coordinatesOf(i: number, shape: readonly number[]): number[] {
  const coords = new Array<number>(shape.length);
  let rest = i;
  for (let d = shape.length - 1; d >= 0; d--) {
    coords[d] = rest % shape[d]!;
    rest = Math.floor(rest / shape[d]!);
  }
  return coords;
}

/** The flat offset of the element at output index `i`, read through `strides`. */
function offsetOf(i: number, shape: readonly number[], strides: readonly number[]): number {
  return coordinatesOf(i, shape).reduce((at, c, d) => at + c * strides[d]!, 0);
}

/** Reads every input at each element of the broadcast output shape (numpy rules, as TF's binary ops and SelectV2). */
function broadcastMap(inputs: TfConstant[], dtype: DType, f: (values: number[]) => number): TfConstant {
  const shape = inputs.map((c) => c.shape).reduce((a, b) => broadcastShapes(a, b));
  const strides = inputs.map((c) => broadcastStrides(c.shape, shape));
  const n = sizeOf(shape);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = f(inputs.map((c, k) => c.data[offsetOf(i, shape, strides[k]!)]!));
  return { shape, data, dtype };
}

function compare(test: (a: number, b: number) => boolean): Folder {
  return ([a, b]) => broadcastMap([a!, b!], 'uint8', ([x, y]) => (test(x!, y!) ? 1 : 0));
}

function select(broadcasts: boolean): Folder {
  return ([condition, x, y]) => {
    // TF1's Select takes a condition of x's shape, or a vector choosing whole rows; SelectV2 broadcasts all three.
    const rows = !broadcasts && condition!.shape.length === 1 && x!.shape.length > 1;
    if (!broadcasts && !rows && condition!.shape.join() !== x!.shape.join())
      fail(
        `Select's condition ${condition!.shape.join('×')} is neither x's shape ${x!.shape.join('×')} nor a row vector`,
      );
    const cond = rows
      ? { ...condition!, shape: [condition!.shape[0]!, ...x!.shape.slice(1).map(() => 1)] }
      : condition!;
    return broadcastMap([cond, x!, y!], x!.dtype, ([c, a, b]) => (c ? a! : b!));
  };
}

/** Where(condition): the coordinates of its true elements, one row each, in row-major order. */
const where: Folder = ([condition]) => {
  const { shape, data } = condition!;
  const rows: number[] = [];
  for (let i = 0; i < data.length; i++) {
    if (data[i]) rows.push(...coordinatesOf(i, shape));
  }
  return {
    shape: [rows.length / Math.max(1, shape.length), shape.length],
    data: Float32Array.from(rows),
    dtype: 'int64',
  };
};

const transpose: Folder = ([x, perm]) => {
  const p = Array.from(perm!.data);
  return {
    shape: permutedShape(x!.shape, p),
    data: permuteElements(x!.data, x!.shape, p, (n) => new Float32Array(n)),
    dtype: x!.dtype,
  };
};

/** MirrorPad: REFLECT mirrors about the edge element, SYMMETRIC repeats it (TF's two modes). */
const mirrorPad: Folder = ([x, paddings], attrs) => {
  const mode = attrs.string('mode');
  if (mode !== 'REFLECT' && mode !== 'SYMMETRIC') fail(`MirrorPad mode ${mode} is not REFLECT or SYMMETRIC`);
  const edge = mode === 'REFLECT' ? 0 : 1;
  const p = Array.from(paddings!.data);
  const shape = x!.shape.map((d, i) => d + p[2 * i]! + p[2 * i + 1]!);
  const strides = broadcastStrides(x!.shape, x!.shape);
  const source = (c: number, d: number) => {
    const n = x!.shape[d]!;
    const i = c - p[2 * d]!;
    return i < 0 ? -i - edge : i >= n ? 2 * n - 2 + edge - i : i;
  };
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++)
    data[i] = x!.data[coordinatesOf(i, shape).reduce((at, c, d) => at + source(c, d) * strides[d]!, 0)]!;
  return { shape, data, dtype: x!.dtype };
};

/** TF op → its fold, for the ops the importer computes when all their inputs are constants. */
export const TF_CONSTANT_FOLDERS: Readonly<Record<string, Folder>> = {
  Cast: ([x], attrs) => {
    const to = attrs.dtype('DstT');
    const target = CAST_TARGETS[to] ?? fail(`Cast of a constant to ${to} is not supported`);
    return { shape: x!.shape, data: x!.data.map(target.convert), dtype: target.dtype };
  },
  Equal: compare((a, b) => a === b),
  NotEqual: compare((a, b) => a !== b),
  Greater: compare((a, b) => a > b),
  GreaterEqual: compare((a, b) => a >= b),
  Less: compare((a, b) => a < b),
  LessEqual: compare((a, b) => a <= b),
  Select: select(false),
  SelectV2: select(true),
  Where: where,
  Transpose: transpose,
  MirrorPad: mirrorPad,
};
