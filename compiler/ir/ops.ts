/**
 * @fileoverview The op table: every IR op declared once, as data (inputs, typed attributes), with its
 * shape inference, validation and MAC count. Frontends, passes, interpreters and backends all read it.
 */

import { TinyedgeError } from '../errors.ts';
import type { AttrKind, AttrValue } from './attrs.ts';
import { permutedShape } from './permutation.ts';
import { formatShape, sameShape, sizeOf, type Tensor } from './tensor.ts';
import { tupleOf } from './tuple.ts';

/**
 * Inputs by name ('bias?' optional, 'values...' variadic) and attributes by kind. Weight layouts follow
 * TFLite: conv filter OHWI [O,KH,KW,C], depthwise [1,KH,KW,C×M], fully connected [O,K], transpose conv [O,KH,KW,C].
 * resize_*: NHWC to `size` [h, w] (TFLite's align_corners and half_pixel_centers; not both). transpose_conv2d: TFLite's
 * TRANSPOSE_CONV, the full output (in − 1)·stride + k per axis cropped by `pads` [top, bottom, left, right].
 */
export const OP_DECLS = {
  conv2d: {
    inputs: ['input', 'filter', 'bias?'],
    attrs: { strides: 'pair', dilations: 'pair', pads: 'pads4', clamp: 'clamp' },
  },
  depthwise_conv2d: {
    inputs: ['input', 'filter', 'bias?'],
    attrs: { strides: 'pair', dilations: 'pair', pads: 'pads4', depthMultiplier: 'int', clamp: 'clamp' },
  },
  fully_connected: { inputs: ['input', 'filter', 'bias?'], attrs: { clamp: 'clamp' } },
  add: { inputs: ['a', 'b'], attrs: { clamp: 'clamp' } },
  sub: { inputs: ['a', 'b'], attrs: { clamp: 'clamp' } },
  mul: { inputs: ['a', 'b'], attrs: { clamp: 'clamp' } },
  avg_pool2d: { inputs: ['input'], attrs: { filter: 'pair', strides: 'pair', pads: 'pads4', clamp: 'clamp' } },
  max_pool2d: { inputs: ['input'], attrs: { filter: 'pair', strides: 'pair', pads: 'pads4', clamp: 'clamp' } },
  mean: { inputs: ['input'], attrs: { axes: 'ints', keepDims: 'bool' } },
  reduce_max: { inputs: ['input'], attrs: { axes: 'ints', keepDims: 'bool' } },
  pad: { inputs: ['input'], attrs: { pads: 'padsNd', value: 'float' } },
  concat: { inputs: ['values...'], attrs: { axis: 'int' } },
  reshape: { inputs: ['input'], attrs: { shape: 'ints' } },
  softmax: { inputs: ['input'], attrs: { beta: 'float' } },
  logistic: { inputs: ['input'], attrs: {} },
  clamp: { inputs: ['input'], attrs: { clamp: 'clamp' } },
  batch_norm: { inputs: ['input', 'mean', 'variance', 'offset?', 'scale?'], attrs: { epsilon: 'float' } },
  identity: { inputs: ['input'], attrs: {} },
  resize_nearest: { inputs: ['input'], attrs: { size: 'pair', alignCorners: 'bool', halfPixelCenters: 'bool' } },
  resize_bilinear: { inputs: ['input'], attrs: { size: 'pair', alignCorners: 'bool', halfPixelCenters: 'bool' } },
  transpose_conv2d: { inputs: ['input', 'filter', 'bias?'], attrs: { strides: 'pair', pads: 'pads4', clamp: 'clamp' } },
  prelu: { inputs: ['input', 'alpha'], attrs: {} },
  arg_max: { inputs: ['input'], attrs: { axis: 'int' } },
  transpose: { inputs: ['input'], attrs: { perm: 'ints' } },
  top_k_values: { inputs: ['input'], attrs: { k: 'int' } },
  top_k_indices: { inputs: ['input'], attrs: { k: 'int' } },
} as const satisfies Record<string, { inputs: readonly string[]; attrs: Record<string, AttrKind> }>;

/** Name of an IR op. */
export type OpName = keyof typeof OP_DECLS;

type DeclAttrs<K extends OpName> = (typeof OP_DECLS)[K]['attrs'];

/** The typed attributes of op K, derived from its declaration. */
export type OpAttrs<K extends OpName> = {
  -readonly [A in keyof DeclAttrs<K>]: DeclAttrs<K>[A] extends AttrKind ? AttrValue<DeclAttrs<K>[A]> : never;
};

/** What each op knows about itself beyond its declaration. */
interface OpSemantics<K extends OpName> {
  /** Output shape from the inputs; throws a TinyedgeError saying what disagrees. */
  inferShape(inputs: readonly Tensor[], attrs: OpAttrs<K>): number[];
  /** Multiply-accumulates for one inference (0 for ops that do none). */
  macs(inputs: readonly Tensor[], output: readonly number[], attrs: OpAttrs<K>): number;
}

function fail(message: string): never {
  throw new TinyedgeError('TE107', message);
}

function rank(t: Tensor, r: number, role: string): void {
  if (t.shape.length !== r) fail(`${role} '${t.name}' must have rank ${r}, has shape ${formatShape(t.shape)}`);
}

function windowOut(
  size: number,
  pad0: number,
  pad1: number,
  k: number,
  stride: number,
  dilation: number,
  axis: string,
): number {
  const span = (k - 1) * dilation + 1;
  const out = Math.floor((size + pad0 + pad1 - span) / stride) + 1;
  if (out < 1) fail(`window ${k} (dilation ${dilation}) does not fit the padded ${axis} ${size + pad0 + pad1}`);
  return out;
}

function checkBias(inputs: readonly Tensor[], channels: number): void {
  const bias = inputs[2];
  if (bias && !(bias.shape.length === 1 && bias.shape[0] === channels)) {
    fail(`bias '${bias.name}' has shape ${formatShape(bias.shape)} but the op has ${channels} output channels`);
  }
}

/** The [O, KH, KW, C] filter of a conv or transpose conv, checked against a rank-4 input and the bias. */
function ohwiFilter(ins: readonly Tensor[]): number[] {
  const [input, filter] = tupleOf(ins, 2);
  rank(input, 4, 'input');
  rank(filter, 4, 'filter');
  const [o, , , c] = filter.shape;
  if (c !== input.shape[3])
    fail(
      `filter '${filter.name}' (${formatShape(filter.shape)}, OHWI) expects ${c} input channels but input '${input.name}' has ${input.shape[3]}`,
    );
  checkBias(ins, o!);
  return filter.shape;
}

/** Strides, dilations and window sizes below 1 have no meaning (ONNX Runtime and TFLite refuse them); 0 would divide by zero. */
function atLeastOne(name: string, values: readonly number[]): void {
  if (values.some((v) => v < 1)) fail(`${name} ${values.join(',')} must be at least 1`);
}

function windowShape(
  input: Tensor,
  kh: number,
  kw: number,
  c: number,
  a: { strides: [number, number]; pads: number[]; dilations?: [number, number] },
): number[] {
  rank(input, 4, 'input');
  const [n, h, w] = tupleOf(input.shape, 3);
  const [dh, dw] = a.dilations ?? [1, 1];
  atLeastOne('strides', a.strides);
  atLeastOne('dilations', [dh, dw]);
  atLeastOne('window', [kh, kw]);
  return [
    n,
    windowOut(h, a.pads[0]!, a.pads[1]!, kh, a.strides[0], dh, 'height'),
    windowOut(w, a.pads[2]!, a.pads[3]!, kw, a.strides[1], dw, 'width'),
    c,
  ];
}

/** Numpy-style broadcast of two shapes. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) fail(`shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast`);
    out.push(Math.max(da, db));
  }
  return out;
}

function normalizeAxis(axis: number, r: number): number {
  const a = axis < 0 ? axis + r : axis;
  if (a < 0 || a >= r) fail(`axis ${axis} is out of range for rank ${r}`);
  return a;
}

/** A reduction over `axes` (mean, max): the reduced dimensions dropped, or kept as 1 with keepDims. */
const reduction: OpSemantics<'mean' | 'reduce_max'> = {
  inferShape(ins, a) {
    const r = ins[0]!.shape.length;
    const axes = new Set(a.axes.map((x) => normalizeAxis(x, r)));
    const out: number[] = [];
    ins[0]!.shape.forEach((d, i) => {
      if (!axes.has(i)) out.push(d);
      else if (a.keepDims) out.push(1);
    });
    return out;
  },
  macs: () => 0,
};

const elementwise = {
  inferShape: (ins: readonly Tensor[]) => broadcastShapes(ins[0]!.shape, ins[1]!.shape),
  macs: () => 0,
};

const pool = {
  inferShape: (ins: readonly Tensor[], a: OpAttrs<'avg_pool2d'>) =>
    windowShape(ins[0]!, a.filter[0], a.filter[1], ins[0]!.shape[3]!, a),
  macs: () => 0,
};

const resize = {
  inferShape(ins: readonly Tensor[], a: OpAttrs<'resize_nearest'>) {
    rank(ins[0]!, 4, 'input');
    if (a.size.some((d) => d < 1)) fail(`resize to ${a.size.join('×')}: sizes must be at least 1`);
    if (a.alignCorners && a.halfPixelCenters)
      fail('alignCorners and halfPixelCenters cannot both be set (TFLite refuses it)');
    return [ins[0]!.shape[0]!, a.size[0], a.size[1], ins[0]!.shape[3]!];
  },
};

/** Taps of a transpose conv along one axis that land inside the output: pairs (i, k) with 0 ≤ i·s − pad + k < out. */
function transposeTaps(size: number, k: number, stride: number, pad: number, out: number): number {
  let taps = 0;
  for (let i = 0; i < size; i++)
    for (let j = 0; j < k; j++) if (i * stride - pad + j >= 0 && i * stride - pad + j < out) taps++;
  return taps;
}

const sameAsInput = { inferShape: (ins: readonly Tensor[]) => [...ins[0]!.shape], macs: () => 0 };

/** Shape inference and cost of every op. */
export const OP_SEMANTICS: { [K in OpName]: OpSemantics<K> } = {
  conv2d: {
    inferShape(ins, a) {
      const [o, kh, kw] = tupleOf(ohwiFilter(ins), 3);
      return windowShape(ins[0]!, kh, kw, o, a);
    },
    macs: (ins, out) => sizeOf(out) * sizeOf(ins[1]!.shape.slice(1)),
  },
  depthwise_conv2d: {
    inferShape(ins, a) {
      const [input, filter] = tupleOf(ins, 2);
      rank(input, 4, 'input');
      rank(filter, 4, 'filter');
      const [one, kh, kw, cm] = filter.shape;
      const c = input.shape[3]!;
      if (a.depthMultiplier < 1) fail(`depth multiplier ${a.depthMultiplier} must be at least 1`);
      if (one !== 1 || cm !== c * a.depthMultiplier) {
        fail(
          `filter '${filter.name}' has shape ${formatShape(filter.shape)} but input '${input.name}' has ${c} channels × multiplier ${a.depthMultiplier}: expected 1×${kh}×${kw}×${c * a.depthMultiplier}`,
        );
      }
      checkBias(ins, cm);
      return windowShape(input, kh!, kw!, cm, a);
    },
    macs: (ins, out) => sizeOf(out) * ins[1]!.shape[1]! * ins[1]!.shape[2]!,
  },
  fully_connected: {
    inferShape(ins) {
      const [input, filter] = tupleOf(ins, 2);
      rank(filter, 2, 'filter');
      const [o, k] = filter.shape;
      const last = input.shape[input.shape.length - 1];
      if (last !== k)
        fail(
          `filter '${filter.name}' (${formatShape(filter.shape)}, [out, in]) expects ${k} inputs but input '${input.name}' has ${formatShape(input.shape)}`,
        );
      checkBias(ins, o!);
      return [...input.shape.slice(0, -1), o!];
    },
    macs: (ins, out) => sizeOf(out) * ins[1]!.shape[1]!,
  },
  add: elementwise,
  sub: elementwise,
  mul: elementwise,
  avg_pool2d: pool,
  max_pool2d: pool,
  mean: reduction,
  reduce_max: reduction,
  pad: {
    inferShape(ins, a) {
      if (a.pads.length !== ins[0]!.shape.length)
        fail(`pads name ${a.pads.length} dimensions but the input has rank ${ins[0]!.shape.length}`);
      return ins[0]!.shape.map((d, i) => d + a.pads[i]![0] + a.pads[i]![1]);
    },
    macs: () => 0,
  },
  concat: {
    inferShape(ins, a) {
      if (ins.length === 0) fail('concat needs at least one input');
      const r = ins[0]!.shape.length;
      const axis = normalizeAxis(a.axis, r);
      const out = [...ins[0]!.shape];
      for (const t of ins.slice(1)) {
        if (t.shape.length !== r || t.shape.some((d, i) => i !== axis && d !== out[i])) {
          fail(
            `input '${t.name}' (${formatShape(t.shape)}) does not match ${formatShape(ins[0]!.shape)} outside axis ${axis}`,
          );
        }
        out[axis]! += t.shape[axis]!;
      }
      return out;
    },
    macs: () => 0,
  },
  reshape: {
    inferShape(ins, a) {
      const n = sizeOf(ins[0]!.shape);
      const unknown = a.shape.filter((d) => d === -1).length;
      if (unknown > 1) fail(`shape ${a.shape.join(',')} has more than one -1`);
      const known = sizeOf(a.shape.filter((d) => d !== -1));
      const out = a.shape.map((d) => (d === -1 ? n / known : d));
      if (sizeOf(out) !== n || out.some((d) => !Number.isInteger(d) || d < 0)) {
        fail(`cannot reshape ${formatShape(ins[0]!.shape)} (${n} elements) to ${a.shape.join('×')}`);
      }
      return out;
    },
    macs: () => 0,
  },
  softmax: {
    inferShape(ins, a) {
      // TFLite's softmax takes β > 0; the integer kernel's tables are built for it.
      if (!(a.beta > 0)) fail(`beta ${a.beta} must be positive`);
      return [...ins[0]!.shape];
    },
    macs: () => 0,
  },
  logistic: sameAsInput,
  clamp: sameAsInput,
  batch_norm: {
    inferShape(ins) {
      const c = ins[0]!.shape[ins[0]!.shape.length - 1]!;
      for (const p of ins.slice(1)) {
        if (!sameShape(p.shape, [c]))
          fail(`parameter '${p.name}' has shape ${formatShape(p.shape)}, expected [${c}] (one per channel)`);
      }
      return [...ins[0]!.shape];
    },
    macs: () => 0,
  },
  identity: sameAsInput,
  resize_nearest: { ...resize, macs: () => 0 },
  // Four weighted taps per output element.
  resize_bilinear: { ...resize, macs: (_ins, out) => 4 * sizeOf(out) },
  transpose_conv2d: {
    inferShape(ins, a) {
      const [o, kh, kw] = tupleOf(ohwiFilter(ins), 3);
      const [n, h, w] = tupleOf(ins[0]!.shape, 3);
      atLeastOne('strides', a.strides);
      const oh = (h - 1) * a.strides[0] + kh - a.pads[0] - a.pads[1];
      const ow = (w - 1) * a.strides[1] + kw - a.pads[2] - a.pads[3];
      if (oh < 1 || ow < 1)
        fail(
          `pads ${a.pads.join(',')} crop the whole ${(h - 1) * a.strides[0] + kh}×${(w - 1) * a.strides[1] + kw} output`,
        );
      return [n, oh, ow, o];
    },
    macs(ins, out, a) {
      const [n, h, w, c] = tupleOf(ins[0]!.shape, 4);
      const [o, kh, kw] = tupleOf(ins[1]!.shape, 3);
      return (
        n *
        c *
        o *
        transposeTaps(h, kh, a.strides[0], a.pads[0], out[1]!) *
        transposeTaps(w, kw, a.strides[1], a.pads[2], out[2]!)
      );
    },
  },
  prelu: {
    inferShape(ins) {
      const [input, alpha] = tupleOf(ins, 2);
      // The slope scales the input element by element: it may broadcast into the input, never widen it.
      if (!sameShape(broadcastShapes(input.shape, alpha.shape), input.shape))
        fail(`alpha '${alpha.name}' (${formatShape(alpha.shape)}) does not broadcast into ${formatShape(input.shape)}`);
      return [...input.shape];
    },
    macs: () => 0,
  },
  top_k_values: { inferShape: topKShape, macs: () => 0 },
  top_k_indices: { inferShape: topKShape, macs: () => 0 },
  transpose: {
    // Output axis k is input axis perm[k] (TF's and ONNX's Transpose, TFLite's TRANSPOSE).
    inferShape: (ins, a) => permutedShape(ins[0]!.shape, a.perm),
    macs: () => 0,
  },
  arg_max: {
    // The index of the largest value along `axis` (the first on ties, as TF): that axis goes, as TF's ArgMax.
    inferShape: (ins, a) => {
      const shape = ins[0]!.shape;
      const axis = normalizeAxis(a.axis, shape.length);
      return shape.filter((_, i) => i !== axis);
    },
    macs: () => 0,
  },
};

/**
 * TF's TopKV2 (ONNX's TopK on the last axis, largest first) as two ops, one per output: the k largest values of each
 * row along the last axis, best first (the lower index first among equals), and their indices.
 */
function topKShape(ins: readonly Tensor[], a: { k: number }): number[] {
  const shape = ins[0]!.shape;
  const depth = shape.at(-1);
  if (depth === undefined || a.k < 1 || a.k > depth)
    fail(`k ${a.k} must be between 1 and the last axis (${depth ?? 'a scalar has none'})`);
  return [...shape.slice(0, -1), a.k];
}

/** Whether an input slot is optional ('bias?') or variadic ('values...'). */
export function inputArity(op: OpName): { min: number; max: number } {
  const decl: readonly string[] = OP_DECLS[op].inputs;
  if (decl.some((s) => s.endsWith('...'))) return { min: 1, max: Infinity };
  return { min: decl.filter((s) => !s.endsWith('?')).length, max: decl.length };
}

/** Ops that carry a fused clamp attribute (relu/relu6 fold into them). */
export function hasClamp(op: OpName): boolean {
  return 'clamp' in OP_DECLS[op].attrs && op !== 'clamp';
}
