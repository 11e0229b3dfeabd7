/**
 * @fileoverview f32 graph + calibrated ranges → int8 graph (TFLite's spec): each activation gets int8 per-tensor
 * parameters, each MAC op int8 per-channel weights and an int32 bias. Ops whose output must share the input's
 * quantization (pooling, pad, reshape) take it; softmax and logistic outputs are fixed at 1/256, −128.
 * With int16 activations (TFLite's 16x8 mode) activations are int16 and symmetric, biases int64, and softmax's
 * output is fixed at 1/32768, 0. ArgMax, a model output only, writes int32 indices quantized as scale 1, zero point 0.
 * With a per-layer plan (precision-plan.ts) each node gets its own type, int4w layers 4-bit weights, and where an
 * edge joins two types an explicit requantize (a clamp without bounds: TFLite's QUANTIZE) converts the tensor,
 * quantized for the new type over the same calibrated range.
 */

import { TinyedgeError, withPlace } from '../errors.ts';
import { NO_CLAMP } from '../ir/attrs.ts';
import { cloneGraph, type Graph, INDEX_OPS, isOutputOnly, type Node, tensorOf } from '../ir/graph.ts';
import type { OpName } from '../ir/ops.ts';
import { indexQuant, type Quantization, type Tensor } from '../ir/tensor.ts';
import { verifyGraph } from '../ir/verify.ts';
import type { TensorRange } from './calibrate.ts';
import { unifyConcatRanges } from './concat-ranges.ts';
import { activationTypes, checkPrecisionPlan, type PrecisionPlan } from './precision-plan.ts';
import {
  type ActivationType,
  activationQuant,
  activationQuantInt16,
  biasSafeWeightScales,
  quantizeArray,
  quantizeArrayInt16,
  quantizeBias,
  quantizeBiasInt64,
  quantizeWeightsPerChannel,
  representableRange,
} from './prepare/quant-params.ts';

/** Ops whose int8 output reuses the input's quantization (TFLite requires it for pooling and REDUCE_MAX; pad, reshape, transpose and resize move or mix bytes). */
const SHARES_INPUT_QUANT = new Set([
  'avg_pool2d',
  'max_pool2d',
  'reduce_max',
  'pad',
  'reshape',
  'transpose',
  'top_k_values',
  'resize_nearest',
  'resize_bilinear',
]);
/** Ops whose output quantization is fixed, whatever the calibrated range. */
const PROBABILITY_OPS = new Set(['softmax', 'logistic']);
/** The fixed output quantization of probability ops, by activation type. */
const PROBABILITY_QUANT: Record<ActivationType, Quantization> = {
  int8: { scale: [1 / 256], zeroPoint: [-128] },
  int16: { scale: [1 / 32768], zeroPoint: [0] },
};

/** Per-tensor parameters of an activation of the given type covering [min, max]. */
function activationQuantOf(type: ActivationType, min: number, max: number): Quantization {
  return type === 'int8' ? activationQuant(min, max) : activationQuantInt16(min, max);
}

function rangeOf(ranges: Map<string, TensorRange>, name: string): TensorRange {
  const r = ranges.get(name);
  if (!r) throw new TinyedgeError('TE204', `no calibration range for tensor '${name}'`);
  return r;
}

function quantizeConstantOperand(t: Tensor, type: ActivationType): void {
  const data = t.data as Float32Array;
  let min = 0;
  let max = 0;
  for (const v of data) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  t.quant = activationQuantOf(type, min, max);
  t.data = type === 'int8' ? quantizeArray(data, t.quant) : quantizeArrayInt16(data, t.quant);
  t.dtype = type;
}

function quantizeMacWeights(g: Graph, node: Node, type: ActivationType, bits: 8 | 4): void {
  const input = tensorOf(g, node.inputs[0]!);
  const filter = tensorOf(g, node.inputs[1]!);
  const w = filter.data as Float32Array;
  const depthwise = node.op === 'depthwise_conv2d';
  const channels = depthwise ? filter.shape[3]! : filter.shape[0]!;
  const perChannel = w.length / channels;
  const inputScale = (input.quant as Quantization).scale[0]!;
  const bias = node.inputs[2] === undefined ? undefined : tensorOf(g, node.inputs[2]);
  // int64 biases (16×8) have room for any bias; int32 ones may need larger weight scales.
  const minScales = bias && type === 'int8' ? biasSafeWeightScales(bias.data as Float32Array, inputScale) : undefined;
  const q = quantizeWeightsPerChannel(
    w,
    channels,
    depthwise ? (i) => i % channels : (i) => Math.floor(i / perChannel),
    depthwise ? 3 : 0,
    minScales,
    bits,
  );
  filter.data = q.data;
  filter.quant = q.quant;
  filter.dtype = 'int8';
  if (bias) {
    const b = (type === 'int8' ? quantizeBias : quantizeBiasInt64)(
      bias.data as Float32Array,
      inputScale,
      q.quant.scale,
    );
    bias.data = b.data;
    bias.quant = b.quant;
    bias.dtype = type === 'int8' ? 'int32' : 'int64';
  }
}

/** Why an op without an int8 kernel has none, where there is more to say than that. */
const NO_INT8_WHY: Partial<Record<OpName, string>> = {
  batch_norm: ' (only a batch norm right after a conv or dense layer folds away)',
  prelu: ' (PReLU runs in f32 only for now: the f32 reference and predict --precision f32 run it)',
};

/** Ops that have no int8 kernel at all. */
const F32_ONLY: ReadonlySet<OpName> = new Set(['sub', 'batch_norm', 'identity', 'prelu']);

/** Fails, naming the node, when the graph has an op without an int8 kernel; checked before calibration spends any time. */
export function assertQuantizable(g: Graph): void {
  for (const node of g.nodes) {
    const out = node.outputs[0]!;
    if (INDEX_OPS.has(node.op) && !isOutputOnly(g, out))
      throw new TinyedgeError(
        'TE201',
        `cannot be quantized: the indices '${out}' are read by the graph; int8 ArgMax and TopK indices can only be a model output`,
        { file: g.source, node: node.name, op: node.op },
      );
    if (F32_ONLY.has(node.op)) {
      const why = NO_INT8_WHY[node.op] ?? '';
      throw new TinyedgeError('TE201', `cannot be quantized: tinyedge has no int8 ${node.op}${why}`, {
        file: g.source,
        node: node.name,
        op: node.op,
      });
    }
  }
}

/** The requantize node that converts `name` to `type`, made once per tensor and type and placed before its first reader. */
function convertedTensor(
  g: Graph,
  name: string,
  type: ActivationType,
  ranges: Map<string, TensorRange>,
  made: Set<string>,
  nodes: Node[],
): string {
  const out = `${name}/as_${type}`;
  if (made.has(out)) return out;
  const from = tensorOf(g, name);
  const r = ranges.get(name);
  const [min, max] = r
    ? [r.min, r.max]
    : // Probability outputs have no calibrated range: their fixed quantization gives it.
      representableRange(from.quant as Quantization, from.dtype === 'int16' ? 32767 : 127);
  g.tensors.set(out, { name: out, shape: [...from.shape], dtype: type, quant: activationQuantOf(type, min, max) });
  nodes.push({ name: out, op: 'clamp', inputs: [name], outputs: [out], attrs: { clamp: NO_CLAMP } } as Node);
  made.add(out);
  return out;
}

/**
 * Quantizes an optimized f32 graph with the given activation ranges: every layer int8 or 16×8, or per layer as a
 * plan names (int8, 16×8, int4w). The input graph is left untouched.
 */
export function quantizeGraph(
  f32: Graph,
  calibrated: Map<string, TensorRange>,
  precision: ActivationType | PrecisionPlan = 'int8',
): Graph {
  assertQuantizable(f32);
  const plan = typeof precision === 'string' ? undefined : precision;
  if (plan) checkPrecisionPlan(f32, plan);
  const g = cloneGraph(f32);
  const ranges = unifyConcatRanges(g, calibrated, SHARES_INPUT_QUANT, PROBABILITY_OPS);
  const types = plan ? activationTypes(g, plan) : undefined;
  const typeOf = (tensor: string): ActivationType =>
    typeof precision === 'string' ? precision : (types!.get(tensor) as ActivationType);
  for (const name of g.inputs) {
    const t = tensorOf(g, name);
    const r = rangeOf(ranges, name);
    t.quant = activationQuantOf(typeOf(name), r.min, r.max);
    t.dtype = typeOf(name);
  }
  const nodes: Node[] = [];
  const converted = new Set<string>();
  for (const node of g.nodes) {
    withPlace({ file: g.source, node: node.name, op: node.op }, () => {
      const type = typeOf(node.outputs[0]!);
      const out = tensorOf(g, node.outputs[0]!);
      node.inputs = node.inputs.map((i) => {
        const t = tensorOf(g, i);
        return t.data || t.dtype === type ? i : convertedTensor(g, i, type, ranges, converted, nodes);
      });
      const firstInput = tensorOf(g, node.inputs[0]!);
      if (
        node.op === 'conv2d' ||
        node.op === 'depthwise_conv2d' ||
        node.op === 'fully_connected' ||
        node.op === 'transpose_conv2d'
      ) {
        if (!tensorOf(g, node.inputs[1]!).data)
          throw new TinyedgeError('TE201', 'cannot be quantized: the weights are not constant');
        quantizeMacWeights(g, node, type, plan?.[node.name] === 'int4w' ? 4 : 8);
      } else {
        for (const i of node.inputs) {
          const t = tensorOf(g, i);
          if (t.data && t.dtype === 'f32') quantizeConstantOperand(t, type);
        }
      }
      nodes.push(node);
      if (INDEX_OPS.has(node.op)) {
        out.quant = indexQuant();
        out.dtype = 'int32';
        return;
      }
      if (SHARES_INPUT_QUANT.has(node.op)) out.quant = firstInput.quant;
      else if (PROBABILITY_OPS.has(node.op)) out.quant = PROBABILITY_QUANT[type];
      else {
        const r = rangeOf(ranges, out.name);
        out.quant = activationQuantOf(type, r.min, r.max);
      }
      out.dtype = type;
    });
  }
  g.nodes = nodes;
  verifyGraph(g);
  return g;
}
