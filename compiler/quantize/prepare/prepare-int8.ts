/**
 * @fileoverview What TFLM's Prepare computes, done once in the compiler: for each int8 node, the integer
 * constants its kernel needs (offsets, Q31 multipliers and shifts, clamp bounds, lookup tables). The int8
 * reference interpreter and every backend read these, so they cannot disagree about them.
 *
 * Exact formulas (x, y int8; offsets are −zero_point of inputs, +zero_point of outputs):
 * - conv2d, depthwise_conv2d, fully_connected: acc = bias[c] + Σ (x + in_offset)·w;
 *   y = clamp(MBQM(acc, M[c], shift[c]) + out_offset), M[c] = s_in·s_w[c]/s_out. Padding reads contribute 0.
 * - transpose_conv2d (TFLite's reference_integer_ops::TransposeConv): the same constants; acc[oy][ox][c] is the int32
 *   sum of (x[iy][ix][i] + in_offset)·w[c][ky][kx][i] over every tap with oy = iy·s − pad_top + ky (and likewise
 *   ox) inside the output, gathered in an int32 scratch of the whole output, then y = clamp(MBQM(acc + bias[c], M[c],
 *   shift[c]) + out_offset).
 * - resize_nearest, resize_bilinear (input and output share quantization): per-axis source tables made here.
 *   Nearest (TFLite's GetNearestNeighbor, float32): rows[v] = min(⌊(v + ½?)·scale⌋ or round_half_away for
 *   align_corners, in − 1) (≥ 0 with half-pixel centers), scale = in/out or (in − 1)/(out − 1); y = x at the source.
 *   Bilinear (ResizeBilinearInteger, what TFLM's int8 RESIZE_BILINEAR runs): triples (lo, hi, frac) in Q10 with
 *   scale = ⌊(2^10·in + ⌊out/2⌋)/out⌋ (align corners: ⌊(2^10·(in − 1) + ⌊(out − 1)/2⌋)/(out − 1)⌋), p = v·scale
 *   (+ ⌊scale/2⌋ − 2^9 with half-pixel centers), lo = max(trunc(p/2^10), 0), hi = min(trunc((p + 1023)/2^10), in − 1),
 *   frac = p − 2^10·lo; y = trunc((s ± 2^19)/2^20) with s the Q20 sum of the four taps weighted (2^10 − a or a)·
 *   (2^10 − b or b), a, b the row and column fracs (compiler/ir/resize-geometry.ts).
 * - add (TFLite, left shift 20): xi' = MBQM((xi + offset_i)·2^20, M_i, shift_i) with M_i = s_i/(2·max(s1,s2));
 *   y = clamp(MBQM(x1' + x2', M_o, shift_o) + out_offset), M_o = 2·max(s1,s2)/(2^20·s_out).
 * - mul: y = clamp(MBQM((x1 + offset_1)·(x2 + offset_2), s1·s2/s_out) + out_offset).
 * - avg_pool2d (input and output share quantization): y = clamp(round_half_away(Σx / n)) over the n in-bounds
 *   elements, with C's truncating division: (Σx ± ⌊n/2⌋) / n. max_pool2d: clamp(max x).
 * - mean: acc = MBQM(Σ(x + in_offset), s_in/s_out); y = clamp((acc ± ⌊n/2⌋) / n + out_offset), truncating.
 * - pad: the pad value quantized with the (shared) quantization. transpose (input and output share quantization):
 *   y = x with its axes permuted. reduce_max (TFLite's REDUCE_MAX, input and output share quantization): y = max x.
 * - concat, reshape, clamp: each input requantized, y = clamp(MBQM(x + in_offset, s_in/s_out) + out_offset),
 *   a plain copy where the quantization is the same.
 * - 16×8 (int16 activations with zero point 0, int8 weights; TFLite's 16x8 kernels): the same formulas with int16
 *   clamps, except: conv2d, depthwise_conv2d and fully_connected accumulate in int64 when the bias is int64 (always
 *   for depthwise, as TFLM) and then requantize with TFLite's int64 MultiplyByQuantizedMultiplier (`wide`: the
 *   multiplier rounded to Q15, one rounding shift); with an int32 bias or none they accumulate and requantize in
 *   int32 as for int8. add shifts left by 15, not 20. softmax (TFLite's SoftmaxInt16; output scale 1/32768, zero
 *   point 0): d = MBQM(x − max, M, L) with M, L = QuantizeMultiplier(s_in·β·65535/10), e = LUT_exp(clamp(d + 32767)),
 *   S = Σe; h = clz(S); r = LUT_recip(clamp(((S << (h − 1)) + 2^13) >> 14) − 98304)); y = clamp((e·r + 2^(30 − h)) >>
 *   (31 − h), 0, 32767); LUT(v) = l[i] + ((l[i+1] − l[i])·(v & 127) + 64) >> 7, i = 256 + (v >> 7), over TFLite's
 *   513-entry tables of exp on [−10, 0] and 1/(1 + x) on [0, 1] (gen_lut in float32, softmax-int16.ts).
 * - softmax, logistic (int8): their tables and formulas are in probability-tables.ts.
 * - top_k_values, top_k_indices (TFLite's TOPK_V2 along the last axis; the indices a model output only): the k largest
 *   x of each row, best first (the lower index first among equals), the values in the input's quantization.
 * - arg_max (TFLite's ARG_MAX, a model output only): y = the int32 index of the largest x along the axis, the first on
 *   ties; the input's quantization is monotonic, so the index of the largest int8 is that of the largest real value.
 */

import { quantizeMultiplier } from '../../arith/fixed-point.ts';
import { softmaxInt16Tables } from '../../arith/softmax-int16.ts';
import { TinyedgeError } from '../../errors.ts';
import { type Graph, type Node, tensorOf } from '../../ir/graph.ts';
import { bilinearTaps, nearestSources } from '../../ir/resize-geometry.ts';
import { type Quantization, sizeOf } from '../../ir/tensor.ts';
import { tupleOf } from '../../ir/tuple.ts';
import { logisticInt8Table, softmaxInt8Table } from './probability-tables.ts';
import { activationType, clampToQuantized, quantizeValue, RANGE_OF } from './quant-params.ts';

/** Left shift TFLite applies to add's int8 inputs before rescaling them to a common scale. */
export const ADD_LEFT_SHIFT = 20;
/** The same for int16 inputs (16×8). */
export const ADD_LEFT_SHIFT_INT16 = 15;

/** A requantization from one quantization to another. */
export interface Requant {
  inputOffset: number;
  multiplier: number;
  shift: number;
  /** Same quantization on both sides: a copy. */
  identity: boolean;
}

/** The integer constants of one int8 node, by kind of kernel. */
export type Int8Params =
  /** `wide`: 16×8 with an int64 accumulator and TFLite's int64 MultiplyByQuantizedMultiplier (see above). */
  | {
      kind: 'mac';
      inputOffset: number;
      outputOffset: number;
      multipliers: Int32Array;
      shifts: Int32Array;
      actMin: number;
      actMax: number;
      wide: boolean;
    }
  | {
      kind: 'add';
      leftShift: number;
      input1Offset: number;
      input1Multiplier: number;
      input1Shift: number;
      input2Offset: number;
      input2Multiplier: number;
      input2Shift: number;
      outputMultiplier: number;
      outputShift: number;
      outputOffset: number;
      actMin: number;
      actMax: number;
    }
  | {
      kind: 'mul';
      input1Offset: number;
      input2Offset: number;
      outputMultiplier: number;
      outputShift: number;
      outputOffset: number;
      actMin: number;
      actMax: number;
    }
  | { kind: 'pool'; actMin: number; actMax: number }
  | { kind: 'mean'; inputOffset: number; multiplier: number; shift: number; count: number; outputOffset: number }
  | { kind: 'pad'; value: number }
  | { kind: 'requantize'; inputs: Requant[]; outputOffset: number; actMin: number; actMax: number }
  | { kind: 'softmax'; expTable: Int32Array }
  | { kind: 'softmax16'; inputMultiplier: number; inputShift: number; expLut: Int16Array; reciprocalLut: Int16Array }
  | { kind: 'lut'; table: Int8Array }
  /** Source indices per output row and column (nearest), or (lo, hi, frac) triples (bilinear). */
  | { kind: 'resize'; rows: Int32Array; cols: Int32Array }
  /** The input as [outer][depth][inner], the index taken along depth. */
  | { kind: 'argmax'; outer: number; depth: number; inner: number }
  /** The k best of each row of `depth` (the last axis), best first: values in the input's quantization, or int32 indices. */
  | { kind: 'topk'; rows: number; depth: number; k: number }
  /** Values moved or picked as they are (transpose, reduce_max: input and output share their quantization). */
  | { kind: 'move' };

function quantOf(g: Graph, name: string): Quantization {
  const q = tensorOf(g, name).quant;
  if (!q) throw new TinyedgeError('TE202', `tensor '${name}' has no quantization`);
  return q;
}

/** `sameType`: int8 to int8 or int16 to int16; a change of type is never a plain copy. */
function requant(from: Quantization, to: Quantization, sameType: boolean): Requant {
  const identity = sameType && from.scale[0] === to.scale[0] && from.zeroPoint[0] === to.zeroPoint[0];
  const { multiplier, shift } = quantizeMultiplier(from.scale[0]! / to.scale[0]!);
  return { inputOffset: -from.zeroPoint[0]!, multiplier, shift, identity };
}

function sameQuant(a: Quantization, b: Quantization): boolean {
  return a.scale[0] === b.scale[0] && a.zeroPoint[0] === b.zeroPoint[0];
}

/** ArgMax's input as [outer][depth][inner]: its int32 output has no quantization to prepare. */
function argMaxGeometry(g: Graph, node: Node & { op: 'arg_max' }): Int8Params {
  const shape = tensorOf(g, node.inputs[0]!).shape;
  const axis = node.attrs.axis < 0 ? node.attrs.axis + shape.length : node.attrs.axis;
  const size = (d: readonly number[]) => d.reduce((n, x) => n * x, 1);
  return { kind: 'argmax', outer: size(shape.slice(0, axis)), depth: shape[axis]!, inner: size(shape.slice(axis + 1)) };
}

/** TopK's rows along the last axis (its indices have no quantization to prepare). */
function topKGeometry(g: Graph, node: Node & { op: 'top_k_values' | 'top_k_indices' }): Int8Params {
  const shape = tensorOf(g, node.inputs[0]!).shape;
  const depth = shape.at(-1)!;
  return { kind: 'topk', rows: sizeOf(shape) / depth, depth, k: node.attrs.k };
}

/** Computes the integer constants of one node of a quantized graph. */
export function prepareInt8Node(g: Graph, node: Node): Int8Params {
  if (node.op === 'arg_max') return argMaxGeometry(g, node);
  if (node.op === 'top_k_indices') return topKGeometry(g, node);
  const out = quantOf(g, node.outputs[0]!);
  const outScale = out.scale[0]!;
  const outOffset = out.zeroPoint[0]!;
  const outType = activationType(tensorOf(g, node.outputs[0]!).dtype);
  const int16 = outType === 'int16';
  if (int16 && UNSUPPORTED_16X8.has(node.op))
    throw new TinyedgeError('TE201', `${node.op} has no 16×8 (int16) kernel yet`);
  // Only the requantizing ops (QUANTIZE between int8 and int16) change the activation type.
  const mixed = node.inputs
    .map((i) => tensorOf(g, i))
    .find(
      (t) =>
        (t.dtype === 'int8' || t.dtype === 'int16') && t.dtype !== outType && !(t.data && t.name === node.inputs[1]),
    );
  if (mixed && !['concat', 'reshape', 'clamp'].includes(node.op))
    throw new TinyedgeError(
      'TE203',
      `${node.op} reads ${mixed.dtype} '${mixed.name}' and writes ${outType}: only QUANTIZE may change the type`,
    );
  switch (node.op) {
    case 'conv2d':
    case 'depthwise_conv2d':
    case 'fully_connected':
    case 'transpose_conv2d': {
      const input = quantOf(g, node.inputs[0]!);
      const w = quantOf(g, node.inputs[1]!);
      if (tensorOf(g, node.inputs[1]!).dtype !== 'int8')
        throw new TinyedgeError(
          'TE203',
          `weights '${node.inputs[1]}' are ${tensorOf(g, node.inputs[1]!).dtype}; tinyedge runs int8 weights`,
        );
      const channels =
        node.op === 'depthwise_conv2d'
          ? tensorOf(g, node.inputs[1]!).shape[3]!
          : tensorOf(g, node.inputs[1]!).shape[0]!;
      const multipliers = new Int32Array(channels);
      const shifts = new Int32Array(channels);
      for (let c = 0; c < channels; c++) {
        const m = quantizeMultiplier((input.scale[0]! * w.scale[w.scale.length === 1 ? 0 : c]!) / outScale);
        multipliers[c] = m.multiplier;
        shifts[c] = m.shift;
      }
      const [actMin, actMax] = clampToQuantized(node.attrs.clamp, out, outType);
      const bias = node.inputs[2] === undefined ? undefined : tensorOf(g, node.inputs[2]);
      const wide = bias?.dtype === 'int64' || (int16 && node.op === 'depthwise_conv2d');
      if (int16 && node.op === 'depthwise_conv2d' && bias && bias.dtype !== 'int64')
        throw new TinyedgeError(
          'TE203',
          `a 16×8 depthwise_conv2d needs an int64 bias (as TFLM reads it), '${bias.name}' is ${bias.dtype}`,
        );
      return {
        kind: 'mac',
        inputOffset: -input.zeroPoint[0]!,
        outputOffset: outOffset,
        multipliers,
        shifts,
        actMin,
        actMax,
        wide,
      };
    }
    case 'add': {
      const a = quantOf(g, node.inputs[0]!);
      const b = quantOf(g, node.inputs[1]!);
      const twiceMax = 2 * Math.max(a.scale[0]!, b.scale[0]!);
      const m1 = quantizeMultiplier(a.scale[0]! / twiceMax);
      const m2 = quantizeMultiplier(b.scale[0]! / twiceMax);
      const leftShift = int16 ? ADD_LEFT_SHIFT_INT16 : ADD_LEFT_SHIFT;
      const mo = quantizeMultiplier(twiceMax / (2 ** leftShift * outScale));
      const [actMin, actMax] = clampToQuantized(node.attrs.clamp, out, outType);
      return {
        kind: 'add',
        leftShift,
        input1Offset: -a.zeroPoint[0]!,
        input1Multiplier: m1.multiplier,
        input1Shift: m1.shift,
        input2Offset: -b.zeroPoint[0]!,
        input2Multiplier: m2.multiplier,
        input2Shift: m2.shift,
        outputMultiplier: mo.multiplier,
        outputShift: mo.shift,
        outputOffset: outOffset,
        actMin,
        actMax,
      };
    }
    case 'mul': {
      const a = quantOf(g, node.inputs[0]!);
      const b = quantOf(g, node.inputs[1]!);
      const m = quantizeMultiplier((a.scale[0]! * b.scale[0]!) / outScale);
      const [actMin, actMax] = clampToQuantized(node.attrs.clamp, out, outType);
      return {
        kind: 'mul',
        input1Offset: -a.zeroPoint[0]!,
        input2Offset: -b.zeroPoint[0]!,
        outputMultiplier: m.multiplier,
        outputShift: m.shift,
        outputOffset: outOffset,
        actMin,
        actMax,
      };
    }
    case 'avg_pool2d':
    case 'max_pool2d': {
      if (!sameQuant(quantOf(g, node.inputs[0]!), out))
        throw new TinyedgeError('TE203', 'pooling needs the same quantization on its input and output');
      const [actMin, actMax] = clampToQuantized(node.attrs.clamp, out, outType);
      return { kind: 'pool', actMin, actMax };
    }
    case 'mean': {
      const input = quantOf(g, node.inputs[0]!);
      const shape = tensorOf(g, node.inputs[0]!).shape;
      const count = node.attrs.axes.reduce((n, a) => n * shape[a < 0 ? a + shape.length : a]!, 1);
      const m = quantizeMultiplier(input.scale[0]! / outScale);
      return {
        kind: 'mean',
        inputOffset: -input.zeroPoint[0]!,
        multiplier: m.multiplier,
        shift: m.shift,
        count,
        outputOffset: outOffset,
      };
    }
    case 'pad':
      if (!sameQuant(quantOf(g, node.inputs[0]!), out))
        throw new TinyedgeError('TE203', 'pad needs the same quantization on its input and output');
      return { kind: 'pad', value: quantizeValue(node.attrs.value, outScale, outOffset, ...RANGE_OF[outType]) };
    case 'concat':
    case 'reshape':
    case 'clamp': {
      const [actMin, actMax] =
        node.op === 'clamp' ? clampToQuantized(node.attrs.clamp, out, outType) : RANGE_OF[outType];
      return {
        kind: 'requantize',
        inputs: node.inputs.map((i) => requant(quantOf(g, i), out, tensorOf(g, i).dtype === outType)),
        outputOffset: outOffset,
        actMin,
        actMax,
      };
    }
    case 'softmax': {
      if (int16) {
        if (outScale !== 1 / 32768 || outOffset !== 0)
          throw new TinyedgeError(
            'TE203',
            `16×8 softmax needs output scale 1/32768 and zero point 0, got ${outScale} and ${outOffset}`,
          );
        const { multiplier, shift } = quantizeMultiplier(
          (quantOf(g, node.inputs[0]!).scale[0]! * node.attrs.beta) / (10 / 65535),
        );
        return { kind: 'softmax16', inputMultiplier: multiplier, inputShift: shift, ...softmaxInt16Tables() };
      }
      const depth = tensorOf(g, node.inputs[0]!).shape.at(-1) as number;
      return { kind: 'softmax', expTable: softmaxInt8Table(depth, node.attrs.beta, quantOf(g, node.inputs[0]!), out) };
    }
    case 'logistic': {
      return { kind: 'lut', table: logisticInt8Table(quantOf(g, node.inputs[0]!), out) };
    }
    case 'resize_nearest':
    case 'resize_bilinear': {
      if (!sameQuant(quantOf(g, node.inputs[0]!), out))
        throw new TinyedgeError('TE203', 'resize needs the same quantization on its input and output');
      const [, h, w] = tupleOf(tensorOf(g, node.inputs[0]!).shape, 3);
      const { size, alignCorners, halfPixelCenters } = node.attrs;
      const table = node.op === 'resize_nearest' ? nearestSources : bilinearTaps;
      return {
        kind: 'resize',
        rows: table(h, size[0], alignCorners, halfPixelCenters),
        cols: table(w, size[1], alignCorners, halfPixelCenters),
      };
    }
    case 'transpose':
    case 'reduce_max':
      if (!sameQuant(quantOf(g, node.inputs[0]!), out))
        throw new TinyedgeError('TE203', `${node.op} needs the same quantization on its input and output`);
      return { kind: 'move' };
    case 'top_k_values':
      if (!sameQuant(quantOf(g, node.inputs[0]!), out))
        throw new TinyedgeError('TE203', 'TopK needs the same quantization on its input and its values');
      return topKGeometry(g, node);
    case 'sub':
    case 'batch_norm':
    case 'identity':
    case 'prelu':
      throw new TinyedgeError('TE201', `${node.op} has no int8 kernel`);
  }
}

/** Ops whose 16×8 form tinyedge does not have yet: they fail at prepare time with the op's name. */
export const UNSUPPORTED_16X8: ReadonlySet<string> = new Set([
  'logistic',
  'resize_nearest',
  'resize_bilinear',
  'transpose_conv2d',
]);

/** Integer constants of every node, by node name. */
export function prepareInt8(g: Graph): Map<string, Int8Params> {
  return new Map(g.nodes.map((n) => [n.name, prepareInt8Node(g, n)]));
}

const prepared = new WeakMap<Graph, Map<string, Int8Params>>();

/** The integer constants of a graph, computed once per graph object and read by the integer reference, the planner and the backends. */
export function int8ParamsOf(g: Graph): Map<string, Int8Params> {
  let p = prepared.get(g);
  if (!p) {
    p = prepareInt8(g);
    prepared.set(g, p);
  }
  return p;
}

/** Lets `view` (the graph with some tensors reshaped, e.g. to one patch) read `base`'s prepared constants: same quantization, same nodes. */
export function shareInt8Params(view: Graph, base: Graph): void {
  prepared.set(view, int8ParamsOf(base));
}

/** The integer constants of one node, checked to be of the expected kind (backends read them through this). */
export function paramsOfKind<K extends Int8Params['kind']>(
  params: Map<string, Int8Params>,
  node: Node,
  kind: K,
): Extract<Int8Params, { kind: K }> {
  const p = params.get(node.name);
  if (p?.kind !== kind) throw new Error(`internal: node '${node.name}' has ${p?.kind} params, expected ${kind}`);
  return p as Extract<Int8Params, { kind: K }>;
}

/** Whether a conv2d is a 1×1, stride-1, unpadded convolution: a matrix product over the pixels. */
export function isPointwiseConv(g: Graph, node: Node): boolean {
  if (node.op !== 'conv2d') return false;
  const f = tensorOf(g, node.inputs[1]!).shape;
  return (
    f[1] === 1 &&
    f[2] === 1 &&
    node.attrs.strides[0] === 1 &&
    node.attrs.strides[1] === 1 &&
    node.attrs.pads.every((v) => v === 0)
  );
}

/**
 * bias + input_offset·Σw per output channel of a conv or dense node (weights [O][K]): what TFLite's optimized
 * kernels and CMSIS-NN fold in Prepare, so the kernels' inner loop is a plain int8 dot product. Exact: padded taps
 * of a conv read the input zero point, whose (x + input_offset) is 0 either way.
 */
export function foldedMacBias(g: Graph, node: Node, inputOffset: number): Int32Array {
  const f = tensorOf(g, node.inputs[1]!);
  const w = f.data as Int8Array;
  const o = f.shape[0]!;
  const k = w.length / o;
  const b = node.inputs[2] === undefined ? undefined : (tensorOf(g, node.inputs[2]).data as Int32Array);
  return Int32Array.from({ length: o }, (_, r) => {
    let sum = 0;
    for (let i = 0; i < k; i++) sum += w[r * k + i]!;
    return (b ? b[r]! : 0) + inputOffset * sum;
  });
}

/** A mean or max over contiguous axes as [outer][reduced][inner], the form the C and WASM kernels take; other axes fail. */
export function reductionGeometry(
  g: Graph,
  node: Node & { op: 'mean' | 'reduce_max' },
  backend: string,
): { outer: number; reduced: number; inner: number } {
  const shape = tensorOf(g, node.inputs[0]!).shape;
  const axes = [...new Set(node.attrs.axes.map((a) => (a < 0 ? a + shape.length : a)))].sort((a, b) => a - b);
  if (axes.some((a, i) => i > 0 && a !== axes[i - 1]! + 1))
    throw new TinyedgeError('TE401', `the ${backend} backend reduces contiguous axes only, got ${axes.join(',')}`);
  const size = (d: number[]) => d.reduce((n, x) => n * x, 1);
  return {
    outer: size(shape.slice(0, axes[0])),
    reduced: size(shape.slice(axes[0], axes[axes.length - 1]! + 1)),
    inner: size(shape.slice(axes[axes.length - 1]! + 1)),
  };
}
