/**
 * @fileoverview The quantized-graph verifier: what TFLite's 8-bit (and 16×8) specification requires of a graph whose
 * scales and zero points come from a file (a tinyedge artifact, an int8 ONNX or .tflite model), checked once here so
 * every importer of an already-quantized format refuses the same things, naming the file, the node and what is wrong.
 * Also the float counterpart: the constants of a float graph are finite.
 */

import { TinyedgeError } from '../errors.ts';
import { type Graph, INDEX_OPS, isOutputOnly, type Node } from './graph.ts';
import { type DType, formatShape, type Quantization, type Tensor } from './tensor.ts';

/** Zero points each quantized dtype can hold (an int32 or int64 bias is symmetric: zero point 0). */
const ZERO_POINT_RANGE: Partial<Record<DType, [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [0, 0],
  int32: [0, 0],
  int64: [0, 0],
};

/** Scales are float32 in every format we read; bounding them keeps every requantization multiplier finite. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** Where the weights' output channels lie, per weighted op (the axis a per-channel quantization must name). */
const WEIGHT_CHANNEL_AXIS: Partial<Record<Node['op'], number>> = {
  conv2d: 0,
  depthwise_conv2d: 3,
  fully_connected: 0,
  transpose_conv2d: 0,
};

/** Throws a TinyedgeError naming the file, node and op of the first quantization the 8-bit specification forbids. */
export function verifyQuantizedGraph(g: Graph): void {
  const nodeOf = new Map<string, Node>();
  for (const n of g.nodes) nodeOf.set(n.outputs[0]!, n);
  for (const t of g.tensors.values()) {
    const writer = nodeOf.get(t.name);
    const place = writer
      ? { file: g.source, node: writer.name, op: writer.op }
      : { file: g.source, node: t.name, op: t.data ? 'const' : 'input' };
    try {
      verifyTensorQuantization(t);
    } catch (e) {
      throw e instanceof TinyedgeError ? e.within(place) : e;
    }
  }
  const activations = new Set([...g.inputs, ...g.nodes.map((n) => n.outputs[0]!)]);
  for (const name of activations) {
    const t = g.tensors.get(name);
    if (!t) continue;
    const writer = nodeOf.get(name);
    const place = writer
      ? { file: g.source, node: writer.name, op: writer.op }
      : { file: g.source, node: name, op: 'input' };
    if (writer && INDEX_OPS.has(writer.op)) {
      checkIndexOutput(g, name, t, place);
      continue;
    }
    if (t.dtype !== 'int8' && t.dtype !== 'int16')
      throw new TinyedgeError(
        'TE202',
        `activation '${name}' is ${t.dtype}; a quantized graph's activations are int8 or int16`,
        place,
      );
    if (t.quant?.scale.length !== 1)
      throw new TinyedgeError(
        'TE202',
        `activation '${name}' needs one scale and zero point (per-tensor quantization)`,
        place,
      );
  }
  for (const n of g.nodes) checkWeights(g, n);
}

/**
 * One tensor's quantization: scales finite and positive, zero points integers in the dtype's range, one per channel
 * of the named axis. Importers call it as they attach a file's quantization, so the error names the file's node.
 */
export function verifyTensorQuantization(t: Tensor): void {
  const q = t.quant as Partial<Quantization> | undefined;
  if (q === undefined) return;
  const what = `tensor '${t.name}'`;
  if (typeof q !== 'object' || q === null || !Array.isArray(q.scale) || !Array.isArray(q.zeroPoint))
    throw new TinyedgeError('TE202', `${what}: quantization must hold a list of scales and a list of zero points`);
  if (q.scale.length === 0 || q.scale.length !== q.zeroPoint.length)
    throw new TinyedgeError('TE202', `${what} has ${q.scale.length} scales and ${q.zeroPoint.length} zero points`);
  const badScale = q.scale.find((s) => typeof s !== 'number' || !(s > 0) || !(s <= FLOAT32_MAX));
  if (badScale !== undefined)
    throw new TinyedgeError(
      'TE202',
      `${what} has scale ${show(badScale)}; scales must be finite positive float32 numbers`,
    );
  const range = ZERO_POINT_RANGE[t.dtype];
  if (!range) throw new TinyedgeError('TE202', `${what} is ${t.dtype}, which is not a quantized type`);
  const badZero = q.zeroPoint.find(
    (z) => typeof z !== 'number' || !Number.isInteger(z) || z < range[0] || z > range[1],
  );
  if (badZero !== undefined) {
    const allowed =
      range[0] === range[1] ? `${range[0]} (${t.dtype} is symmetric)` : `an integer in ${range[0]}..${range[1]}`;
    throw new TinyedgeError('TE202', `${what} (${t.dtype}) has zero point ${show(badZero)}; it must be ${allowed}`);
  }
  if (q.scale.length > 1 || q.axis !== undefined) {
    // A 1-D tensor has one axis whatever the file says (TFLM's biases copy their filter's quantized dimension, 3).
    const axis = t.shape.length === 1 && typeof q.axis === 'number' ? 0 : q.axis;
    if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < 0 || axis >= t.shape.length) {
      throw new TinyedgeError(
        'TE202',
        `${what} (${formatShape(t.shape)}) is quantized per channel along axis ${JSON.stringify(axis)}, which it does not have`,
      );
    }
    if (q.scale.length !== 1 && q.scale.length !== t.shape[axis]) {
      throw new TinyedgeError(
        'TE202',
        `${what} (${formatShape(t.shape)}) has ${q.scale.length} scales for the ${t.shape[axis]} channels of axis ${axis}`,
      );
    }
  }
}

/** A value from a file as the user would recognize it: numbers as numbers (Infinity, NaN), anything else as JSON. */
function show(v: unknown): string {
  return typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v));
}

/** ArgMax and TopK write int32 indices (scale 1, zero point 0) that nothing but the caller reads: a model output, as TFLite's post-processing. */
function checkIndexOutput(g: Graph, name: string, t: Tensor, place: { file: string; node: string; op: string }): void {
  if (t.dtype !== 'int32' || t.quant?.scale[0] !== 1 || t.quant.zeroPoint[0] !== 0)
    throw new TinyedgeError('TE202', `indices '${name}' must be int32 with scale 1 and zero point 0`, place);
  if (!isOutputOnly(g, name))
    throw new TinyedgeError(
      'TE201',
      `indices '${name}' are read by the graph: int8 ArgMax and TopK indices can only be a model output (post-processing)`,
      place,
    );
}

/** Weights int8, quantized and symmetric, per tensor or per output channel; a bias int32 or int64. */
function checkWeights(g: Graph, n: Node): void {
  const axis = WEIGHT_CHANNEL_AXIS[n.op];
  if (axis === undefined) return;
  const place = { file: g.source, node: n.name, op: n.op };
  const w = g.tensors.get(n.inputs[1] ?? '');
  if (!w?.data) throw new TinyedgeError('TE202', `weights '${n.inputs[1]}' must be a constant`, place);
  if (w.dtype !== 'int8')
    throw new TinyedgeError('TE202', `weights '${w.name}' are ${w.dtype}; quantized weights are int8`, place);
  if (!w.quant) throw new TinyedgeError('TE202', `weights '${w.name}' have no scale`, place);
  if (w.quant.zeroPoint.some((z) => z !== 0))
    throw new TinyedgeError(
      'TE202',
      `weights '${w.name}' have a non-zero zero point: int8 weights are symmetric`,
      place,
    );
  if (w.quant.scale.length > 1 && w.quant.axis !== axis)
    throw new TinyedgeError(
      'TE202',
      `weights '${w.name}' are quantized per channel along axis ${w.quant.axis}, but ${n.op}'s output channels are axis ${axis}`,
      place,
    );
  // A backend may pack 4-bit weights two per byte: a value outside [-7, 7] would silently wrap there.
  if (w.quant.bits === 4 && (w.data as Int8Array).some((v) => v < -7 || v > 7))
    throw new TinyedgeError('TE202', `weights '${w.name}' say 4 bits but hold values outside [-7, 7]`, place);
  const bias = n.inputs[2] === undefined ? undefined : g.tensors.get(n.inputs[2]);
  if (bias && (!bias.data || (bias.dtype !== 'int32' && bias.dtype !== 'int64')))
    throw new TinyedgeError(
      'TE202',
      `bias '${bias.name}' must be an int32 or int64 constant, it is ${bias.data ? bias.dtype : 'computed'}`,
      place,
    );
}

/**
 * Float weights beyond this are corruption, not training: they overflow float32 within a layer or two, where runtimes
 * disagree (one accumulates in float, another in double), so no answer is right.
 */
export const MAX_FLOAT_WEIGHT = 1e15;

/** Throws a TinyedgeError naming the first float constant holding NaN, ±Infinity or a magnitude above MAX_FLOAT_WEIGHT. */
export function verifyFiniteConstants(g: Graph): void {
  for (const t of g.tensors.values()) {
    if (t.dtype !== 'f32' || !(t.data instanceof Float32Array)) continue;
    const i = t.data.findIndex((v) => !(Math.abs(v) <= MAX_FLOAT_WEIGHT));
    if (i >= 0)
      throw new TinyedgeError(
        'TE108',
        `constant holds ${t.data[i]} at element ${i}; weights must be finite numbers of magnitude at most ${MAX_FLOAT_WEIGHT.toExponential()}`,
        { file: g.source, node: t.name, op: 'const' },
      );
  }
}
