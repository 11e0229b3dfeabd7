/**
 * @fileoverview What TFLM's Prepare computes, done once in the compiler: for each int8 node, the integer
 * constants its kernel needs (offsets, Q31 multipliers and shifts, clamp bounds, lookup tables). The int8
 * reference interpreter and every backend read these, so they cannot disagree about them.
 *
 * Exact formulas (x, y int8; offsets are −zero_point of inputs, +zero_point of outputs):
 * - conv2d, depthwise_conv2d, fully_connected: acc = bias[c] + Σ (x + in_offset)·w;
 *   y = clamp(MBQM(acc, M[c], shift[c]) + out_offset), M[c] = s_in·s_w[c]/s_out. Padding reads contribute 0.
 * - add (TFLite, left shift 20): xi' = MBQM((xi + offset_i)·2^20, M_i, shift_i) with M_i = s_i/(2·max(s1,s2));
 *   y = clamp(MBQM(x1' + x2', M_o, shift_o) + out_offset), M_o = 2·max(s1,s2)/(2^20·s_out).
 * - mul: y = clamp(MBQM((x1 + offset_1)·(x2 + offset_2), s1·s2/s_out) + out_offset).
 * - avg_pool2d (input and output share quantization): y = clamp(round_half_away(Σx / n)) over the n in-bounds
 *   elements, with C's truncating division: (Σx ± ⌊n/2⌋) / n. max_pool2d: clamp(max x).
 * - mean: acc = MBQM(Σ(x + in_offset), s_in/s_out); y = clamp((acc ± ⌊n/2⌋) / n + out_offset), truncating.
 * - pad: the pad value quantized with the (shared) quantization.
 * - concat, reshape, clamp: each input requantized, y = clamp(MBQM(x + in_offset, s_in/s_out) + out_offset),
 *   a plain copy where the quantization is the same.
 * - softmax (output scale 1/256, zero point −128): d = max(x) − x ∈ [0, 255];
 *   e = T[d] with T[d] = round(2^16·exp(−β·s_in·d)) (a 256-entry table made here);
 *   y = clamp(⌊(256·e + ⌊S/2⌋) / S⌋ − 128) with S = Σ e. All int32, for up to 32767 classes.
 * - logistic (output scale 1/256, zero point −128): y = L[x + 128] with L a 256-entry table made here,
 *   L[q] = clamp(round(σ(s_in·(q − zp_in))·256) − 128).
 */
import { Graph, Node, tensorOf } from '../ir/graph.ts';
import { Quantization } from '../ir/tensor.ts';
import { TinyedgeError } from '../errors.ts';
import { quantizeMultiplier, roundHalfAway, clampInt } from './fixed-point.ts';
import { clampToQuantized, quantizeValue, Q_MAX, Q_MIN } from './quant-params.ts';

/** Left shift TFLite applies to add's inputs before rescaling them to a common scale. */
export const ADD_LEFT_SHIFT = 20;
/** Fixed-point scale of the softmax exponent table. */
export const SOFTMAX_TABLE_BITS = 16;

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
  | { kind: 'mac'; inputOffset: number; outputOffset: number; multipliers: Int32Array; shifts: Int32Array; actMin: number; actMax: number }
  | {
      kind: 'add';
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
  | { kind: 'mul'; input1Offset: number; input2Offset: number; outputMultiplier: number; outputShift: number; outputOffset: number; actMin: number; actMax: number }
  | { kind: 'pool'; actMin: number; actMax: number }
  | { kind: 'mean'; inputOffset: number; multiplier: number; shift: number; count: number; outputOffset: number }
  | { kind: 'pad'; value: number }
  | { kind: 'requantize'; inputs: Requant[]; outputOffset: number; actMin: number; actMax: number }
  | { kind: 'softmax'; expTable: Int32Array }
  | { kind: 'lut'; table: Int8Array };

function quantOf(g: Graph, name: string): Quantization {
  const q = tensorOf(g, name).quant;
  if (!q) throw new TinyedgeError(`tensor '${name}' has no quantization`);
  return q;
}

function requant(from: Quantization, to: Quantization): Requant {
  const identity = from.scale[0] === to.scale[0] && from.zeroPoint[0] === to.zeroPoint[0];
  const { multiplier, shift } = quantizeMultiplier(from.scale[0] / to.scale[0]);
  return { inputOffset: -from.zeroPoint[0], multiplier, shift, identity };
}

function sameQuant(a: Quantization, b: Quantization): boolean {
  return a.scale[0] === b.scale[0] && a.zeroPoint[0] === b.zeroPoint[0];
}

/** Computes the integer constants of one node of a quantized graph. */
export function prepareInt8Node(g: Graph, node: Node): Int8Params {
  const out = quantOf(g, node.outputs[0]);
  const outScale = out.scale[0];
  const outOffset = out.zeroPoint[0];
  switch (node.op) {
    case 'conv2d':
    case 'depthwise_conv2d':
    case 'fully_connected': {
      const input = quantOf(g, node.inputs[0]);
      const w = quantOf(g, node.inputs[1]);
      const channels = node.op === 'depthwise_conv2d' ? tensorOf(g, node.inputs[1]).shape[3] : tensorOf(g, node.inputs[1]).shape[0];
      const multipliers = new Int32Array(channels);
      const shifts = new Int32Array(channels);
      for (let c = 0; c < channels; c++) {
        const m = quantizeMultiplier((input.scale[0] * w.scale[w.scale.length === 1 ? 0 : c]) / outScale);
        multipliers[c] = m.multiplier;
        shifts[c] = m.shift;
      }
      const [actMin, actMax] = clampToQuantized(node.attrs.clamp, out);
      return { kind: 'mac', inputOffset: -input.zeroPoint[0], outputOffset: outOffset, multipliers, shifts, actMin, actMax };
    }
    case 'add': {
      const a = quantOf(g, node.inputs[0]);
      const b = quantOf(g, node.inputs[1]);
      const twiceMax = 2 * Math.max(a.scale[0], b.scale[0]);
      const m1 = quantizeMultiplier(a.scale[0] / twiceMax);
      const m2 = quantizeMultiplier(b.scale[0] / twiceMax);
      const mo = quantizeMultiplier(twiceMax / (2 ** ADD_LEFT_SHIFT * outScale));
      const [actMin, actMax] = clampToQuantized(node.attrs.clamp, out);
      return {
        kind: 'add',
        input1Offset: -a.zeroPoint[0],
        input1Multiplier: m1.multiplier,
        input1Shift: m1.shift,
        input2Offset: -b.zeroPoint[0],
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
      const a = quantOf(g, node.inputs[0]);
      const b = quantOf(g, node.inputs[1]);
      const m = quantizeMultiplier((a.scale[0] * b.scale[0]) / outScale);
      const [actMin, actMax] = clampToQuantized(node.attrs.clamp, out);
      return { kind: 'mul', input1Offset: -a.zeroPoint[0], input2Offset: -b.zeroPoint[0], outputMultiplier: m.multiplier, outputShift: m.shift, outputOffset: outOffset, actMin, actMax };
    }
    case 'avg_pool2d':
    case 'max_pool2d': {
      if (!sameQuant(quantOf(g, node.inputs[0]), out)) throw new TinyedgeError('pooling needs the same quantization on its input and output');
      const [actMin, actMax] = clampToQuantized(node.attrs.clamp, out);
      return { kind: 'pool', actMin, actMax };
    }
    case 'mean': {
      const input = quantOf(g, node.inputs[0]);
      const shape = tensorOf(g, node.inputs[0]).shape;
      const count = node.attrs.axes.reduce((n, a) => n * shape[a < 0 ? a + shape.length : a], 1);
      const m = quantizeMultiplier(input.scale[0] / outScale);
      return { kind: 'mean', inputOffset: -input.zeroPoint[0], multiplier: m.multiplier, shift: m.shift, count, outputOffset: outOffset };
    }
    case 'pad':
      if (!sameQuant(quantOf(g, node.inputs[0]), out)) throw new TinyedgeError('pad needs the same quantization on its input and output');
      return { kind: 'pad', value: quantizeValue(node.attrs.value, outScale, outOffset) };
    case 'concat':
    case 'reshape':
    case 'clamp': {
      const [actMin, actMax] = node.op === 'clamp' ? clampToQuantized(node.attrs.clamp, out) : [Q_MIN, Q_MAX];
      return { kind: 'requantize', inputs: node.inputs.map((i) => requant(quantOf(g, i), out)), outputOffset: outOffset, actMin, actMax };
    }
    case 'softmax': {
      const input = quantOf(g, node.inputs[0]);
      const depth = tensorOf(g, node.inputs[0]).shape.at(-1) as number;
      if (depth > 32767) throw new TinyedgeError(`int8 softmax supports up to 32767 classes, this one has ${depth}`);
      const expTable = Int32Array.from({ length: 256 }, (_, d) => roundHalfAway(2 ** SOFTMAX_TABLE_BITS * Math.exp(-node.attrs.beta * input.scale[0] * d)));
      return { kind: 'softmax', expTable };
    }
    case 'logistic': {
      const input = quantOf(g, node.inputs[0]);
      const table = Int8Array.from({ length: 256 }, (_, i) => {
        const real = input.scale[0] * (i - 128 - input.zeroPoint[0]);
        return clampInt(roundHalfAway(1 / (1 + Math.exp(-real)) / outScale) + outOffset, Q_MIN, Q_MAX);
      });
      return { kind: 'lut', table };
    }
    case 'sub':
    case 'batch_norm':
    case 'identity':
      throw new TinyedgeError(`${node.op} has no int8 kernel`);
  }
}

/** Integer constants of every node, by node name. */
export function prepareInt8(g: Graph): Map<string, Int8Params> {
  return new Map(g.nodes.map((n) => [n.name, prepareInt8Node(g, n)]));
}


/** The integer constants of one node, checked to be of the expected kind (backends read them through this). */
export function paramsOfKind<K extends Int8Params['kind']>(params: Map<string, Int8Params>, node: Node, kind: K): Extract<Int8Params, { kind: K }> {
  const p = params.get(node.name);
  if (p?.kind !== kind) throw new Error(`internal: node '${node.name}' has ${p?.kind} params, expected ${kind}`);
  return p as Extract<Int8Params, { kind: K }>;
}

/** Whether a conv2d is a 1×1, stride-1, unpadded convolution: a matrix product over the pixels. */
export function isPointwiseConv(g: Graph, node: Node): boolean {
  if (node.op !== 'conv2d') return false;
  const f = tensorOf(g, node.inputs[1]).shape;
  return f[1] === 1 && f[2] === 1 && node.attrs.strides[0] === 1 && node.attrs.strides[1] === 1 && node.attrs.pads.every((v) => v === 0);
}

/**
 * bias + input_offset·Σw per output channel of a conv or dense node (weights [O][K]): what TFLite's optimized
 * kernels and CMSIS-NN fold in Prepare, so the kernels' inner loop is a plain int8 dot product. Exact: padded taps
 * of a conv read the input zero point, whose (x + input_offset) is 0 either way.
 */
export function foldedMacBias(g: Graph, node: Node, inputOffset: number): Int32Array {
  const f = tensorOf(g, node.inputs[1]);
  const w = f.data as Int8Array;
  const o = f.shape[0];
  const k = w.length / o;
  const b = node.inputs[2] === undefined ? undefined : (tensorOf(g, node.inputs[2]).data as Int32Array);
  return Int32Array.from({ length: o }, (_, r) => {
    let sum = 0;
    for (let i = 0; i < k; i++) sum += w[r * k + i];
    return (b ? b[r] : 0) + inputOffset * sum;
  });
}

/** A mean over contiguous axes as [outer][reduced][inner], the form the C and WASM kernels take; other axes fail. */
export function meanGeometry(g: Graph, node: Node & { op: 'mean' }, backend: string): { outer: number; reduced: number; inner: number } {
  const shape = tensorOf(g, node.inputs[0]).shape;
  const axes = [...new Set(node.attrs.axes.map((a) => (a < 0 ? a + shape.length : a)))].sort((a, b) => a - b);
  if (axes.some((a, i) => i > 0 && a !== axes[i - 1] + 1)) throw new TinyedgeError(`the ${backend} backend reduces contiguous axes only, got ${axes.join(',')}`);
  const size = (d: number[]) => d.reduce((n, x) => n * x, 1);
  return { outer: size(shape.slice(0, axes[0])), reduced: size(shape.slice(axes[0], axes[axes.length - 1] + 1)), inner: size(shape.slice(axes[axes.length - 1] + 1)) };
}
